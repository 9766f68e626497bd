import { policyClusterEntries, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { policyLines, policyRows, selectorLine, statusLines } from "./view.ts";

const now = new Date("2026-01-01T02:00:00Z");
const policy = {
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "ClusterPolicy",
  metadata: { name: "baseline", namespace: "seedbed-system", uid: "u1", generation: 2, creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: {
    clusterSelector: { matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "In", values: ["eu", "us"] }, { key: "legacy", operator: "DoesNotExist" }] },
    namespaces: [{ name: "team" }],
    roles: [{ name: "dev", namespace: "team", rules: [{ verbs: ["get"], resources: ["pods"], apiGroups: [""] }] }],
    bindings: [{ name: "dev", namespace: "team", roleRef: { kind: "Role", name: "dev" }, subjects: [{ kind: "Group", name: "devs" }], conflicts: { existing: "Adopt" } }],
    prune: true,
  },
  status: { phase: "Partial", selectedClusters: 3, inSyncClusters: 1, pendingClusters: 1, conflictedClusters: 1, offenders: [{ namespace: "project-a", name: "api", state: "Conflicted", message: "1 object in conflict" }] },
} as unknown as ClusterPolicy;

const ref = { namespace: "seedbed-system", name: "baseline", uid: "u1", generation: 2 };
const sync = (namespace: string, name: string, report?: object): ClusterSync => ({
  apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterSync", metadata: { namespace, name }, spec: { policies: [ref] },
  ...(report === undefined ? {} : { status: { policies: [{ ...ref, observedGeneration: 2, lastSyncTime: "2026-01-01T01:59:00Z", ...report }] } }),
} as ClusterSync);

describe("policy views", () => {
  it("lists counts and phase per policy", () => {
    expect(policyRows([policy], now)).toEqual([["seedbed-system", "baseline", "3", "1", "1", "0", "Partial", "2h"]]);
  });

  it("writes selectors in Kubernetes' syntax", () => {
    expect(selectorLine(policy.spec.clusterSelector, "every")).toBe("env=prod,region in (eu,us),!legacy");
    expect(selectorLine({}, "every cluster")).toBe("every cluster");
  });

  it("summarises what a policy keeps and how", () => {
    expect(policyLines(policy, now)).toEqual(expect.arrayContaining([
      "Clusters:    env=prod,region in (eu,us),!legacy",
      "Keeps:       1 namespace, 1 role, 1 binding, 0 manifests",
      "Conflicts:   existing Report, changed Overwrite (some entries say otherwise)",
      "Status:      3 selected, 1 in sync, 1 pending, 0 drifted, 1 conflicted, 0 failed",
    ]));
  });

  it("shows counts, offenders, each cluster worst first (project/cluster for a platform policy) and the problems", () => {
    const entries = policyClusterEntries(policy, [
      sync("project-a", "web", { state: "InSync", objects: 3 }),
      sync("project-a", "api", { state: "Conflicted", objects: 2, problemCount: 3, problems: [{ kind: "Role", namespace: "team", name: "dev", reason: "Conflict", message: "exists and is not the policy's (conflicts.existing: Report)" }] }),
      sync("project-b", "db"),
    ]);
    expect(statusLines(policy, entries, now).map((l) => l.trimEnd())).toEqual([
      "Policy seedbed-system/baseline (generation 2): Partial",
      "Clusters: 3 selected, 1 in sync, 1 pending, 0 drifted, 1 conflicted, 0 failed",
      "",
      "Worst off (the policy's status):",
      "  a/api  Conflicted: 1 object in conflict",
      "",
      "CLUSTER   STATE        OBJECTS   PROBLEMS   SYNCED   NOTE",
      "a/api     Conflicted   2         3          60s",
      "b/db      Pending      0         0          -        the cluster's agent has not reported on this policy yet",
      "a/web     InSync       3         0          60s",
      "",
      "Problems:",
      "  a/api  Conflict  Role team/dev: exists and is not the policy's (conflicts.existing: Report)",
      "  a/api  … and 2 more",
    ]);
  });

  it("says so when no cluster reports on the policy", () => {
    expect(statusLines(policy, [], now).at(-1)).toMatch(/^No cluster reports on this policy yet/);
  });
});
