import type { UpgradePlan } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { planEvents } from "./events.ts";
import type { PlanDecision } from "./plan.ts";
import type { PlanCluster } from "./waves.ts";

const e = (name: string, wave: number, state: PlanCluster["state"], startedTime?: string, message?: string): PlanCluster => ({ namespace: "project-a", name, wave, state, ...(startedTime === undefined ? {} : { startedTime }), ...(message === undefined ? {} : { message }) });
const decision = (entries: PlanCluster[], phase: PlanDecision["phase"] = "Progressing", message = "m"): PlanDecision =>
  ({ entries, start: [], phase, currentWave: 0, waves: 3, soakUntil: undefined, counts: { selected: 0, pending: 0, upgrading: 0, upgraded: 0, failed: 0 }, ready: { status: "False", reason: phase, message }, wakeAt: undefined });
const before = (clusters: PlanCluster[], phase: PlanDecision["phase"] = "Progressing"): UpgradePlan["status"] => ({ phase, clusters });

describe("planEvents", () => {
  it("reports a wave when its first clusters start, once", () => {
    const now = "2026-11-29T12:00:00Z";
    expect(planEvents(undefined, decision([e("a", 0, "Upgrading", now), e("b", 1, "Pending")]))).toEqual([{ type: "Normal", reason: "WaveStarted", note: "wave 0 of 3 started: project-a/a" }]);
    expect(planEvents(before([e("a", 0, "Upgrading", now)]), decision([e("a", 0, "Upgrading", now)]))).toEqual([]);
    expect(planEvents(before([e("a", 0, "Upgraded", now), e("b", 1, "Pending"), e("c", 1, "Pending")]), decision([e("a", 0, "Upgraded", now), e("b", 1, "Upgrading", now), e("c", 1, "Upgrading", now)]))[0]?.note).toBe("wave 1 of 3 started: project-a/b, project-a/c");
  });

  it("reports a cluster failed, rolled back, the plan halted and completed, each once", () => {
    const failed = decision([e("a", 0, "Failed", "t", "the upgrade failed: x")], "Halted", "halted after 1 failure(s)");
    expect(planEvents(before([e("a", 0, "Upgrading", "t")]), failed)).toEqual([
      { type: "Warning", reason: "ClusterFailed", note: "cluster project-a/a: the upgrade failed: x" },
      { type: "Warning", reason: "Halted", note: "halted after 1 failure(s)" },
    ]);
    expect(planEvents(before([e("a", 0, "Failed", "t")], "Halted"), failed)).toEqual([]);
    expect(planEvents(before([e("a", 0, "Failed", "t")], "Halted"), decision([e("a", 0, "RolledBack", "t", "rolled back to 1.36.3")], "Halted")).map((x) => x.reason)).toEqual(["ClusterRolledBack"]);
    expect(planEvents(before([e("a", 0, "Soaking", "t")]), decision([e("a", 0, "Upgraded", "t")], "Completed", "every selected cluster is at 1.37"))).toEqual([{ type: "Normal", reason: "Completed", note: "every selected cluster is at 1.37" }]);
  });
});
