import { describe, expect, it } from "vitest";
import type { ClusterSync, ClusterSyncPolicyStatus } from "./cluster-sync.ts";
import { compareByConcern, policyClusterEntries } from "./policy-clusters.ts";

const policy = { metadata: { name: "baseline", namespace: "project-a", uid: "uid-1", generation: 3 } };
const ref = { namespace: "project-a", name: "baseline", uid: "uid-1", generation: 3 };
const report = (over: Partial<ClusterSyncPolicyStatus> = {}): ClusterSyncPolicyStatus => ({
  namespace: "project-a", name: "baseline", uid: "uid-1", observedGeneration: 3, state: "InSync", objects: 3, lastSyncTime: "2026-01-02T03:04:05Z", ...over,
});
const sync = (name: string, spec: ClusterSync["spec"], reports?: ClusterSyncPolicyStatus[], namespace = "project-a"): ClusterSync => ({
  apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterSync", metadata: { name, namespace }, spec, ...(reports === undefined ? {} : { status: { policies: reports } }),
});

describe("policyClusterEntries", () => {
  it("reads the policy's entry from each ClusterSync that lists or reports it, by uid, sorted by namespace and name", () => {
    const entries = policyClusterEntries(policy, [
      sync("web", { policies: [ref] }, [report()]),
      sync("api", { policies: [ref] }, [report({ state: "Conflicted", objects: 2, problems: [{ kind: "Role", namespace: "team", name: "dev", reason: "Conflict", message: "exists, not the policy's" }], problemCount: 4 })]),
      sync("other", { policies: [{ ...ref, uid: "uid-old" }] }, [report({ uid: "uid-old" })]),
      sync("db", {}, undefined, "project-0"),
    ]);
    expect(entries).toEqual([
      { namespace: "project-a", cluster: "api", selected: true, state: "Conflicted", current: true, observedGeneration: 3, objects: 2, problems: [{ kind: "Role", namespace: "team", name: "dev", reason: "Conflict", message: "exists, not the policy's" }], problemCount: 4, lastSyncTime: "2026-01-02T03:04:05Z" },
      { namespace: "project-a", cluster: "web", selected: true, state: "InSync", current: true, observedGeneration: 3, objects: 3, problems: [], problemCount: 0, lastSyncTime: "2026-01-02T03:04:05Z" },
    ]);
  });

  it.each([
    ["selected, not reported yet", sync("c", { policies: [ref] }), { selected: true, state: "Pending", current: false, objects: 0, message: "the cluster's agent has not reported on this policy yet" }],
    ["reported at an older generation", sync("c", { policies: [ref] }, [report({ observedGeneration: 2, state: "Drifted" })]), { state: "Drifted", current: false, message: "the report is of generation 2; the policy is at 3" }],
    ["no longer selected, still reported", sync("c", { policies: [] }, [report()]), { selected: false, state: "InSync", current: true, message: expect.stringContaining("no longer selected") as unknown }],
    ["problems listed beyond problemCount", sync("c", { policies: [ref] }, [report({ state: "Failed", problems: [{ kind: "Namespace", name: "x", reason: "Failed", message: "forbidden" }] })]), { state: "Failed", problemCount: 1 }],
  ])("%s", (_what, one, expected) => {
    expect(policyClusterEntries(policy, [one])[0]).toMatchObject(expected);
  });

  it("finds nothing for a policy without a uid (not stored yet)", () => {
    expect(policyClusterEntries({ metadata: { name: "x" } }, [sync("c", { policies: [ref] }, [report()])])).toEqual([]);
  });

  it("orders worst first for people: Failed, Conflicted, Drifted, Pending, InSync, then by name", () => {
    const states = ["InSync", "Pending", "Failed", "Drifted", "Conflicted", "Failed"] as const;
    const entries = policyClusterEntries(policy, states.map((state, i) => sync(`c${String(i)}`, { policies: [ref] }, state === "Pending" ? undefined : [report({ state })])));
    expect(entries.sort(compareByConcern).map((e) => `${e.cluster}:${e.state}`)).toEqual(["c2:Failed", "c5:Failed", "c4:Conflicted", "c3:Drifted", "c1:Pending", "c0:InSync"]);
  });
});
