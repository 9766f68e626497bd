import type { PolicyClusterState } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { PolicyStateMemory } from "./events.ts";

const policy = { namespace: "project-a", name: "p", uid: "u1" };
const on = (...list: [string, PolicyClusterState][]) => list.map(([name, state]) => ({ namespace: "project-a", name, state, message: `${state} here` }));
const brief = (list: readonly { name: string; type: string; reason: string }[]): string[] => list.map((t) => `${t.name}:${t.type}:${t.reason}`);

describe("PolicyStateMemory", () => {
  it("reports a cluster becoming Failed or Conflicted once, and its recovery", () => {
    const memory = new PolicyStateMemory();
    expect(brief(memory.transitions(policy, on(["a", "Pending"], ["b", "InSync"])))).toEqual([]);
    expect(brief(memory.transitions(policy, on(["a", "Failed"], ["b", "Conflicted"])))).toEqual(["a:Warning:PolicyFailed", "b:Warning:PolicyConflicted"]);
    expect(brief(memory.transitions(policy, on(["a", "Failed"], ["b", "Conflicted"])))).toEqual([]);
    expect(brief(memory.transitions(policy, on(["a", "Conflicted"], ["b", "Drifted"])))).toEqual(["a:Warning:PolicyConflicted"]);
    expect(brief(memory.transitions(policy, on(["a", "InSync"], ["b", "InSync"])))).toEqual(["a:Normal:PolicyInSync"]);
  });

  it("names the policy and the problem in the note", () => {
    const [t] = new PolicyStateMemory().transitions(policy, on(["a", "Failed"]));
    expect(t?.note).toBe("policy project-a/p is Failed: Failed here");
  });

  it("starts over for a policy recreated under the same name, and after forgetting", () => {
    const memory = new PolicyStateMemory();
    memory.transitions(policy, on(["a", "Failed"]));
    expect(brief(memory.transitions({ ...policy, uid: "u2" }, on(["a", "Failed"])))).toEqual(["a:Warning:PolicyFailed"]);
    memory.forget("project-a", "p");
    expect(brief(memory.transitions({ ...policy, uid: "u2" }, on(["a", "Failed"])))).toEqual(["a:Warning:PolicyFailed"]);
  });

  it("forgets a cluster the policy no longer lists", () => {
    const memory = new PolicyStateMemory();
    memory.transitions(policy, on(["a", "Failed"]));
    memory.transitions(policy, on());
    expect(brief(memory.transitions(policy, on(["a", "Failed"])))).toEqual(["a:Warning:PolicyFailed"]);
  });
});
