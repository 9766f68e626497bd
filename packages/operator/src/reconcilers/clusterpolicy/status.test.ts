import type { ClusterSyncPolicyStatus, PolicyClusterState } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { clusterPolicyState, nextPolicyStatus, policyStatusChanged, problemMessage, summarizePolicy, type ClusterPolicyState } from "./status.ts";

const entry = (over: Partial<ClusterSyncPolicyStatus> = {}): ClusterSyncPolicyStatus => ({ namespace: "project-a", name: "p", uid: "u1", observedGeneration: 2, state: "InSync", objects: 3, lastSyncTime: "2026-01-01T00:00:00Z", ...over });
const conflict = { kind: "Role", namespace: "team", name: "reader", reason: "Conflict" as const, message: "field rules set by kubectl" };

describe("clusterPolicyState", () => {
  const policy = { uid: "u1", generation: 2 };
  it.each([
    ["no entry yet", undefined, "Pending", "its agent has not applied the policy yet"],
    ["an entry of another policy of the name", entry({ uid: "u0" }), "Pending", "its agent still reports an earlier policy of this name"],
    ["an entry of an older generation", entry({ observedGeneration: 1, state: "Failed" }), "Pending", "its agent last applied generation 1 of 2"],
    ["in sync", entry(), "InSync", undefined],
    ["conflicted, with its first problem", entry({ state: "Conflicted", problems: [conflict] }), "Conflicted", "Role team/reader: field rules set by kubectl"],
    ["failed on a cluster-scoped object", entry({ state: "Failed", problems: [{ kind: "ClusterRole", name: "view-all", reason: "Failed", message: "forbidden" }] }), "Failed", "ClusterRole view-all: forbidden"],
    ["drifted without a problem listed", entry({ state: "Drifted" }), "Drifted", "objects changed on the cluster are being put back"],
  ])("%s", (_title, e, state, message) => {
    expect(clusterPolicyState(policy, e)).toEqual({ state, ...(message === undefined ? {} : { message }) });
  });

  it("cuts a problem message at 1024 characters", () => {
    expect(problemMessage({ ...conflict, message: "x".repeat(2000) })).toHaveLength(1024);
  });
});

const states = (...list: [string, PolicyClusterState][]): ClusterPolicyState[] => list.map(([name, state]) => ({ namespace: "project-a", name, state, ...(state === "InSync" ? {} : { message: `${name} is ${state}` }) }));
const project = { kind: "project", namespace: "project-a" } as const;

describe("summarizePolicy", () => {
  it.each([
    ["nothing selected", states(), "Pending", "False", "NoClustersSelected"],
    ["all pending", states(["a", "Pending"], ["b", "Pending"]), "Pending", "False", "ClustersNotInSync"],
    ["all in sync", states(["a", "InSync"], ["b", "InSync"]), "Synced", "True", "AllInSync"],
    ["all failed", states(["a", "Failed"], ["b", "Failed"]), "Failed", "False", "ClustersNotInSync"],
    ["some in sync, some pending", states(["a", "InSync"], ["b", "Pending"]), "Partial", "False", "ClustersNotInSync"],
    ["a mix", states(["a", "InSync"], ["b", "Failed"], ["c", "Conflicted"], ["d", "Drifted"]), "Partial", "False", "ClustersNotInSync"],
  ])("%s: phase %s, Ready %s (%s)", (_title, clusters, phase, ready, reason) => {
    const summary = summarizePolicy("project-a", project, clusters);
    expect(summary.phase).toBe(phase);
    expect(summary.ready).toMatchObject({ type: "Ready", status: ready, reason });
  });

  it("counts each state and lists the worst first, then by namespace and name", () => {
    const summary = summarizePolicy("project-a", project, states(["e", "Pending"], ["d", "Drifted"], ["a", "InSync"], ["c2", "Conflicted"], ["c1", "Conflicted"], ["f", "Failed"]));
    expect(summary.counts).toEqual({ selected: 6, inSync: 1, pending: 1, drifted: 1, conflicted: 2, failed: 1 });
    expect(summary.offenders.map((o) => `${o.name}:${o.state}`)).toEqual(["f:Failed", "c1:Conflicted", "c2:Conflicted", "d:Drifted", "e:Pending"]);
    expect(summary.ready.message).toBe("1 of 6 selected clusters in sync (1 failed, 2 conflicted, 1 drifted, 1 pending); cluster project-a/f is Failed: f is Failed");
  });

  it("lists at most ten offenders, whatever the fleet", () => {
    const many = Array.from({ length: 200 }, (_, i): [string, PolicyClusterState] => [`c${String(i).padStart(3, "0")}`, i % 2 === 0 ? "Pending" : "Failed"]);
    const summary = summarizePolicy("project-a", project, states(...many));
    expect(summary.offenders).toHaveLength(10);
    expect(summary.offenders.every((o) => o.state === "Failed")).toBe(true);
    expect(summary.offenders[0]?.name).toBe("c001");
    expect(summary.counts).toMatchObject({ selected: 200, failed: 100, pending: 100 });
  });

  it("says where a policy outside a project namespace belongs", () => {
    const summary = summarizePolicy("default", { kind: "none" }, []);
    expect(summary.phase).toBe("Pending");
    expect(summary.ready).toMatchObject({ status: "False", reason: "NotInAProjectNamespace" });
    expect(summary.ready.message).toMatch(/namespace default .*project-<name>.*seedbed-system/);
  });
});

describe("nextPolicyStatus and policyStatusChanged", () => {
  const summary = summarizePolicy("project-a", project, states(["a", "InSync"], ["b", "Failed"]));
  const first = nextPolicyStatus(undefined, summary, 4, Date.parse("2026-01-01T00:00:00Z"));

  it("carries the counts, offenders, phase and Ready of the generation", () => {
    expect(first).toMatchObject({ observedGeneration: 4, phase: "Partial", selectedClusters: 2, inSyncClusters: 1, failedClusters: 1, pendingClusters: 0, driftedClusters: 0, conflictedClusters: 0 });
    expect(first.conditions).toEqual([{ type: "Ready", status: "False", observedGeneration: 4, reason: "ClustersNotInSync", message: summary.ready.message, lastTransitionTime: "2026-01-01T00:00:00Z" }]);
  });

  it("is unchanged when recomputed later from the same states (no write)", () => {
    const again = nextPolicyStatus(first, summary, 4, Date.parse("2026-01-01T00:05:00Z"));
    expect(policyStatusChanged(first, again)).toBe(false);
  });

  it("changes with a count or a generation", () => {
    expect(policyStatusChanged(first, nextPolicyStatus(first, summary, 5, Date.now()))).toBe(true);
    expect(policyStatusChanged(first, nextPolicyStatus(first, summarizePolicy("project-a", project, states(["a", "InSync"], ["b", "InSync"])), 4, Date.now()))).toBe(true);
  });

  it("counts a stored status without offenders as one with none", () => {
    const synced = nextPolicyStatus(undefined, summarizePolicy("project-a", project, states(["a", "InSync"])), 1, 0);
    const stored = { ...synced };
    delete stored.offenders;
    expect(policyStatusChanged(stored, synced)).toBe(false);
  });
});
