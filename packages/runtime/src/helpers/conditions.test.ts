import { describe, expect, it } from "vitest";
import { getCondition, isFalse, isTrue, isTrueFor, removeCondition, setCondition, type Condition } from "./conditions.ts";
import { formatMicroTime, formatTime } from "./time.ts";

const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const t1 = t0 + 60_000;
const ready = (status: Condition["status"], at: number, extra: Partial<Condition> = {}): Condition => ({
  type: "Ready",
  status,
  lastTransitionTime: formatTime(at),
  reason: "Test",
  message: "",
  ...extra,
});

describe("setCondition", () => {
  it.each([
    {
      case: "adds a new type with now as its transition time",
      before: undefined,
      input: { type: "Ready", status: "True", reason: "Up", observedGeneration: 2 } as const,
      want: [{ type: "Ready", status: "True", observedGeneration: 2, lastTransitionTime: "2025-01-01T12:01:00Z", reason: "Up", message: "" }],
    },
    {
      case: "keeps the transition time when the status is unchanged but updates reason, message and generation",
      before: [ready("True", t0, { observedGeneration: 1 })],
      input: { type: "Ready", status: "True", reason: "StillUp", message: "fine", observedGeneration: 2 } as const,
      want: [{ type: "Ready", status: "True", observedGeneration: 2, lastTransitionTime: "2025-01-01T12:00:00Z", reason: "StillUp", message: "fine" }],
    },
    {
      case: "moves the transition time when the status changes",
      before: [ready("True", t0)],
      input: { type: "Ready", status: "False", reason: "Down" } as const,
      want: [{ type: "Ready", status: "False", lastTransitionTime: "2025-01-01T12:01:00Z", reason: "Down", message: "" }],
    },
    {
      case: "counts Unknown as a status of its own",
      before: [ready("False", t0)],
      input: { type: "Ready", status: "Unknown", reason: "Checking" } as const,
      want: [{ type: "Ready", status: "Unknown", lastTransitionTime: "2025-01-01T12:01:00Z", reason: "Checking", message: "" }],
    },
    {
      case: "keeps other conditions and their order",
      before: [ready("True", t0), { ...ready("True", t0), type: "Available" }],
      input: { type: "Ready", status: "False", reason: "Down" } as const,
      want: [
        { type: "Ready", status: "False", lastTransitionTime: "2025-01-01T12:01:00Z", reason: "Down", message: "" },
        { ...ready("True", t0), type: "Available" },
      ],
    },
  ])("$case", ({ before, input, want }) => {
    const frozen = before ? structuredClone(before) : undefined;
    expect(setCondition(before, input, t1)).toEqual(want);
    expect(before).toEqual(frozen); // pure: the input is untouched
  });

  it("gives the same output for the same input, so a status write is skipped when nothing changed", () => {
    const once = setCondition([], { type: "Ready", status: "True", reason: "Up" }, t0);
    expect(setCondition(once, { type: "Ready", status: "True", reason: "Up" }, t1)).toEqual(once);
  });
});

describe("condition getters", () => {
  const list = [ready("True", t0, { observedGeneration: 3 }), { ...ready("False", t0), type: "Degraded" }];
  it.each([
    { fn: "isTrue Ready", got: isTrue(list, "Ready"), want: true },
    { fn: "isTrue Degraded", got: isTrue(list, "Degraded"), want: false },
    { fn: "isFalse Degraded", got: isFalse(list, "Degraded"), want: true },
    { fn: "isTrue of a missing type", got: isTrue(list, "Missing"), want: false },
    { fn: "isFalse of a missing type", got: isFalse(list, "Missing"), want: false },
    { fn: "isTrue of no conditions", got: isTrue(undefined, "Ready"), want: false },
    { fn: "isTrueFor the observed generation", got: isTrueFor(list, "Ready", 3), want: true },
    { fn: "isTrueFor a newer generation", got: isTrueFor(list, "Ready", 4), want: false },
  ])("$fn is $want", ({ got, want }) => {
    expect(got).toBe(want);
  });

  it("gets and removes by type", () => {
    expect(getCondition(list, "Degraded")?.status).toBe("False");
    expect(removeCondition(list, "Degraded").map((c) => c.type)).toEqual(["Ready"]);
  });

  it("formats times as metav1.Time and metav1.MicroTime do", () => {
    expect(formatTime(Date.UTC(2025, 5, 30, 23, 59, 59, 999))).toBe("2025-06-30T23:59:59Z");
    expect(formatMicroTime(Date.UTC(2025, 5, 30, 23, 59, 59, 12))).toBe("2025-06-30T23:59:59.012000Z");
  });
});
