import { describe, expect, it } from "vitest";
import { decideRotation, parseRotationState, signersOf, type RotationInput, type RotationState } from "./rotation.ts";

const t0 = Date.parse("2026-11-30T00:00:00Z");
const minute = 60_000;
const base: RotationInput = { state: undefined, now: t0, lastRotationMs: t0 - 10 * minute, completeAfterMs: 5 * minute, tokenLifetimeMs: 3 * minute, served: true };
const at = (ms: number): string => new Date(ms).toISOString();
const state = (s: Partial<RotationState>): RotationState => ({ id: "r1", phase: "Preparing", step: "trust", trigger: "Manual", requested: "a", startedTime: at(t0), phaseTime: at(t0), stepTime: at(t0), ...s });

describe("decideRotation", () => {
  it.each([
    { name: "nothing asked, no schedule", input: {}, step: undefined, phase: undefined },
    { name: "annotation set", input: { requested: "a" }, step: "trust", phase: "Preparing" },
    { name: "annotation already answered", input: { requested: "a", state: state({ phase: "Completed", step: "untrust", completionTime: at(t0) }) }, step: undefined, phase: undefined },
    { name: "annotation changed after a completed one", input: { requested: "b", state: state({ phase: "Completed", step: "untrust", completionTime: at(t0) }) }, step: "trust", phase: "Preparing" },
    { name: "schedule due", input: { rotateEveryMs: 10 * minute }, step: "trust", phase: "Preparing" },
    { name: "schedule not due", input: { rotateEveryMs: 11 * minute }, step: undefined, phase: undefined },
    { name: "trust served", input: { state: state({}) }, step: "issue", phase: "Preparing" },
    { name: "trust not served yet", input: { state: state({}), served: false }, step: undefined, phase: undefined },
    { name: "issue served: Prepared", input: { state: state({ step: "issue" }) }, step: "issue", phase: "Prepared" },
    { name: "Prepared, before completeAfter", input: { state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0 - minute) }) }, step: undefined, phase: undefined },
    { name: "Prepared for its full time", input: { state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0 - 5 * minute) }) }, step: "serve", phase: "Completing" },
    { name: "Prepared, completion asked for", input: { completeRequested: "r1", state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0) }) }, step: "serve", phase: "Completing" },
    { name: "Prepared, completion asked for another rotation", input: { completeRequested: "r0", state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0) }) }, step: undefined, phase: undefined },
    { name: "Prepared for its full time, machines still trusting only the old CA", input: { untrustingMachines: 2, state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0 - 5 * minute) }) }, step: undefined, phase: undefined },
    { name: "serving new, old tokens still live", input: { state: state({ step: "serve", phase: "Completing", newKeySigningSince: at(t0 - 2 * minute) }) }, step: undefined, phase: undefined },
    { name: "serving new, old tokens expired", input: { state: state({ step: "serve", phase: "Completing", newKeySigningSince: at(t0 - 3 * minute) }) }, step: "untrust", phase: "Completing" },
    { name: "untrust served", input: { state: state({ step: "untrust", phase: "Completing" }) }, step: "untrust", phase: "Completed" },
    { name: "untrust not served", input: { state: state({ step: "untrust", phase: "Completing" }), served: false }, step: undefined, phase: undefined },
  ])("$name", ({ input, step, phase }) => {
    const decision = decideRotation({ ...base, ...input });
    expect(decision.next?.step).toBe(step);
    expect(decision.next?.phase).toBe(phase);
  });

  it("records who asked, when the new key began signing, and when it completed", () => {
    const started = decideRotation({ ...base, requested: "2026-11-30T00:00:00Z" }).next;
    expect(started).toMatchObject({ trigger: "Manual", requested: "2026-11-30T00:00:00Z", startedTime: at(t0) });
    const issuing = decideRotation({ ...base, now: t0 + minute, state: started }).next;
    expect(issuing?.newKeySigningSince).toBeUndefined();
    expect(issuing?.phaseTime).toBe(at(t0));
    // Only once every API server serves the issue step does the old key sign no more.
    const prepared = decideRotation({ ...base, now: t0 + 2 * minute, state: issuing }).next;
    expect(prepared?.newKeySigningSince).toBe(at(t0 + 2 * minute));
    const done = decideRotation({ ...base, now: t0 + 9 * minute, state: state({ step: "untrust", phase: "Completing" }) }).next;
    expect(done?.completionTime).toBe(at(t0 + 9 * minute));
  });

  it("wakes for the deadlines no event announces", () => {
    expect(decideRotation({ ...base, rotateEveryMs: 11 * minute }).wakeInMs).toBe(minute);
    expect(decideRotation({ ...base, state: state({ step: "issue", phase: "Prepared", phaseTime: at(t0 - minute) }) }).wakeInMs).toBe(4 * minute);
    expect(decideRotation({ ...base, state: state({ step: "serve", phase: "Completing", newKeySigningSince: at(t0 - minute) }) }).wakeInMs).toBe(2 * minute);
  });
});

describe("signersOf", () => {
  it.each([
    ["trust", { server: "previous", client: "previous" }],
    ["issue", { server: "previous", client: "current" }],
    ["serve", { server: "current", client: "current" }],
    ["untrust", undefined],
    [undefined, undefined],
  ] as const)("step %s", (step, signers) => {
    expect(signersOf(step)).toEqual(signers);
  });
});

describe("parseRotationState", () => {
  it("reads what was stored and refuses what is not a rotation", () => {
    expect(parseRotationState(JSON.stringify(state({ step: "serve" })))?.step).toBe("serve");
    expect(parseRotationState("{")).toBeUndefined();
    expect(parseRotationState(JSON.stringify({ id: "x", step: "bogus" }))).toBeUndefined();
    expect(parseRotationState(undefined)).toBeUndefined();
  });
});
