import { describe, expect, it } from "vitest";
import type { ClusterSyncPolicyRef } from "@seedbed/api";
import { agentGrants, clusterNamespaceRules, policyNamesIn, policyReadRule } from "./rbac.ts";

const ref = (namespace: string, name: string): ClusterSyncPolicyRef => ({ namespace, name, uid: `${namespace}-${name}`, generation: 1 });

describe("the policy agent's RBAC rules", () => {
  it("never renders a policy rule with an empty resourceNames list, which RBAC reads as every policy", () => {
    expect(policyReadRule([])).toEqual([]);
    expect(clusterNamespaceRules("project-a", "c1", []).some((r) => r.resources?.includes("clusterpolicies"))).toBe(false);
    expect(clusterNamespaceRules("project-a", "c1", [ref("seedbed-system", "p")]).some((r) => r.resources?.includes("clusterpolicies"))).toBe(false);
    for (const grant of agentGrants("project-a", "c1", [ref("project-b", "elsewhere")])) {
      for (const rule of grant.rules) expect(rule.resourceNames?.length ?? 0, JSON.stringify(rule)).toBeGreaterThan(0);
    }
  });

  it("grants exactly its own Cluster and ClusterSync, the ClusterSync's status and the policies selecting it", () => {
    expect(clusterNamespaceRules("project-a", "c1", [ref("project-a", "zeta"), ref("project-a", "alpha"), ref("seedbed-system", "platform")])).toEqual([
      { apiGroups: ["seedbed.dev"], resources: ["clusters"], verbs: ["get", "list", "watch"], resourceNames: ["c1"] },
      { apiGroups: ["seedbed.dev"], resources: ["clustersyncs"], verbs: ["get", "list", "watch"], resourceNames: ["c1"] },
      { apiGroups: ["seedbed.dev"], resources: ["clustersyncs/status"], verbs: ["get", "patch", "update"], resourceNames: ["c1"] },
      { apiGroups: ["seedbed.dev"], resources: ["clusterpolicies"], verbs: ["get"], resourceNames: ["alpha", "zeta"] },
    ]);
  });

  it("adds a platform namespace grant only while a platform policy selects the cluster", () => {
    expect(agentGrants("project-a", "c1", [ref("project-a", "p")]).map((g) => g.namespace)).toEqual(["project-a"]);
    const grants = agentGrants("project-a", "c1", [ref("seedbed-system", "b"), ref("seedbed-system", "a")]);
    expect(grants.map((g) => g.namespace)).toEqual(["project-a", "seedbed-system"]);
    expect(grants[1]?.rules).toEqual([{ apiGroups: ["seedbed.dev"], resources: ["clusterpolicies"], verbs: ["get"], resourceNames: ["a", "b"] }]);
  });

  it("renders a cluster in the platform namespace with one Role holding its platform policies", () => {
    const grants = agentGrants("seedbed-system", "c1", [ref("seedbed-system", "p")]);
    expect(grants).toHaveLength(1);
    expect(grants[0]?.rules.at(-1)).toEqual({ apiGroups: ["seedbed.dev"], resources: ["clusterpolicies"], verbs: ["get"], resourceNames: ["p"] });
  });

  it("gives the same bytes for the same policies in any order, with repeats dropped", () => {
    const a = agentGrants("project-a", "c1", [ref("project-a", "y"), ref("project-a", "x"), ref("project-a", "x")]);
    const b = agentGrants("project-a", "c1", [ref("project-a", "x"), ref("project-a", "y")]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(policyNamesIn([ref("n", "b"), ref("m", "a"), ref("n", "a")], "n")).toEqual(["a", "b"]);
  });
});
