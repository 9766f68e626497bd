import type { SyncProblem } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { agentStatus, policyStatus, stateOf, statusChanged } from "./status.ts";

const conflict: SyncProblem = { kind: "Namespace", name: "a", reason: "Conflict", message: "m" };
const failure: SyncProblem = { kind: "Role", namespace: "a", name: "r", reason: "Failed", message: "m" };
const drift: SyncProblem = { kind: "Role", namespace: "a", name: "d", reason: "Drifted", message: "m" };
const now = new Date("2025-01-01T00:00:00.123Z");

describe("stateOf", () => {
  it.each([
    [[], "InSync"],
    [[conflict], "Conflicted"],
    [[conflict, failure], "Failed"],
    [[drift], "Drifted"],
    [[drift, conflict], "Conflicted"],
    [[failure, drift], "Failed"],
  ] as const)("%j ⇒ %s", (problems, state) => {
    expect(stateOf(problems)).toBe(state);
  });
});

describe("policyStatus", () => {
  it("lists at most ten problems and counts them all", () => {
    const problems = Array.from({ length: 12 }, (_, i) => ({ ...conflict, name: `n${i}` }));
    const entry = policyStatus({ namespace: "t", name: "p", uid: "u", generation: 4, objects: 12, problems }, now);
    expect(entry.problems).toHaveLength(10);
    expect(entry.problemCount).toBe(12);
    expect(entry.state).toBe("Conflicted");
    expect(entry.observedGeneration).toBe(4);
    expect(entry.lastSyncTime).toBe("2025-01-01T00:00:00Z");
  });
});

describe("statusChanged", () => {
  const entry = policyStatus({ namespace: "t", name: "p", uid: "u", generation: 1, objects: 3, problems: [] }, now);
  const status = agentStatus([entry], 2, 0);

  it("ignores lastSyncTime", () => {
    expect(statusChanged(status, agentStatus([{ ...entry, lastSyncTime: "2030-01-01T00:00:00Z" }], 2, 0))).toBe(false);
  });

  it("sees a new state, count, generation, problem or pruning count", () => {
    expect(statusChanged(status, agentStatus([{ ...entry, state: "Failed" }], 2, 0))).toBe(true);
    expect(statusChanged(status, agentStatus([{ ...entry, objects: 4 }], 2, 0))).toBe(true);
    expect(statusChanged(status, agentStatus([entry], 3, 0))).toBe(true);
    expect(statusChanged(status, agentStatus([{ ...entry, problems: [conflict], problemCount: 1 }], 2, 0))).toBe(true);
    expect(statusChanged(status, agentStatus([entry], 2, 1))).toBe(true);
    expect(statusChanged(undefined, status)).toBe(true);
  });

  it("does not depend on the order of entries", () => {
    const other = { ...entry, name: "a" };
    expect(statusChanged(agentStatus([entry, other], 1, 0), agentStatus([other, entry], 1, 0))).toBe(false);
  });
});
