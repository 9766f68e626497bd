import { describe, expect, it } from "vitest";
import { nodeLayout } from "./layout.ts";
import { networkPolicyAgentArgs, networkPolicyAgentRBAC, networkPolicyAgentUser } from "./network-policies.ts";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe("the NetworkPolicy agent's configuration", () => {
  it("grants its user only reading pods, namespaces and NetworkPolicies, and writing Events", () => {
    const [role, binding] = networkPolicyAgentRBAC() as [{ kind: string; rules: Rule[] }, { kind: string; roleRef: { name: string }; subjects: { kind: string; name: string }[] }];
    expect(role.kind).toBe("ClusterRole");
    const allowed = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))));
    expect(allowed.filter((a) => !a.endsWith("/events:create") && !a.endsWith("/events:patch") && !a.endsWith("/events:update")).sort()).toEqual([
      "/namespaces:list",
      "/namespaces:watch",
      "/pods:list",
      "/pods:watch",
      "networking.k8s.io/networkpolicies:list",
      "networking.k8s.io/networkpolicies:watch",
    ]);
    expect(allowed.some((a) => a.includes("secrets") || a.endsWith(":get") || a.endsWith(":delete"))).toBe(false);
    expect(binding.kind).toBe("ClusterRoleBinding");
    expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: networkPolicyAgentUser }]);
    expect(binding.roleRef.name).toBe(networkPolicyAgentUser);
    expect(networkPolicyAgentUser.startsWith("system:")).toBe(false);
  });

  it("renders the same objects every time, so applying them again changes nothing", () => {
    expect(JSON.stringify(networkPolicyAgentRBAC())).toBe(JSON.stringify(networkPolicyAgentRBAC()));
  });

  it("runs fail-closed with the node's kubeconfig and name, serving health on the node's address", () => {
    const layout = nodeLayout("/tmp/seedbed-node-x");
    const args = networkPolicyAgentArgs({ kubeconfig: layout.networkPolicies.kubeconfig, nodeName: "seed-0", nodeAddress: "10.243.7.2" });
    expect(args).toEqual([
      "--kubeconfig=/tmp/seedbed-node-x/kube-network-policies/kubeconfig",
      "--hostname-override=seed-0",
      "--metrics-bind-address=10.243.7.2:9080",
      "--fail-open=false",
      "--queue-verdict=auto",
      "--v=0",
    ]);
  });
});
