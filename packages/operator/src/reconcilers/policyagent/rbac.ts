import type { V1PolicyRule } from "@kubernetes/client-node";
import { group, platformPolicyNamespace, type ClusterSyncPolicyRef } from "@seedbed/api";

/** What one cluster's agent may do in one namespace of the management API. */
export interface AgentGrants {
  readonly namespace: string;
  readonly rules: readonly V1PolicyRule[];
}

/**
 * The names of `refs` in `namespace`, sorted and without repeats: a stable
 * resourceNames list, so the same policies render byte-identical Roles.
 */
export function policyNamesIn(refs: readonly ClusterSyncPolicyRef[], namespace: string): string[] {
  return [...new Set(refs.filter((r) => r.namespace === namespace).map((r) => r.name))].sort();
}

/**
 * `get` on exactly these ClusterPolicies, or no rule at all when there are
 * none: in RBAC an empty (or absent) resourceNames list means every object
 * of the resource, so an empty list must never reach a rule.
 */
export function policyReadRule(names: readonly string[]): V1PolicyRule[] {
  if (names.length === 0) return [];
  return [{ apiGroups: [group], resources: ["clusterpolicies"], verbs: ["get"], resourceNames: [...names] }];
}

/**
 * The agent's rights in its cluster's namespace: read its own Cluster and
 * ClusterSync (list and watch too, which RBAC allows with resourceNames only
 * for a request naming the object through a metadata.name field selector),
 * write only the ClusterSync's status, and get the policies of that
 * namespace that select the cluster.
 */
export function clusterNamespaceRules(clusterNamespace: string, cluster: string, refs: readonly ClusterSyncPolicyRef[]): V1PolicyRule[] {
  const own = [cluster];
  // A cluster in the platform namespace reads the platform's policies through this Role: there is no second one.
  const names = policyNamesIn(refs, clusterNamespace);
  return [
    { apiGroups: [group], resources: ["clusters"], verbs: ["get", "list", "watch"], resourceNames: own },
    { apiGroups: [group], resources: ["clustersyncs"], verbs: ["get", "list", "watch"], resourceNames: own },
    { apiGroups: [group], resources: ["clustersyncs/status"], verbs: ["get", "patch", "update"], resourceNames: own },
    ...policyReadRule(names),
  ];
}

/**
 * Everything a cluster's agent is granted, per namespace: its cluster's
 * namespace always, the platform policy namespace only while a policy there
 * selects it (a Role with no rule would be noise, and one that named no
 * policy must not exist, see policyReadRule).
 */
export function agentGrants(clusterNamespace: string, cluster: string, refs: readonly ClusterSyncPolicyRef[]): AgentGrants[] {
  const grants: AgentGrants[] = [{ namespace: clusterNamespace, rules: clusterNamespaceRules(clusterNamespace, cluster, refs) }];
  if (clusterNamespace !== platformPolicyNamespace) {
    const platform = policyReadRule(policyNamesIn(refs, platformPolicyNamespace));
    if (platform.length > 0) grants.push({ namespace: platformPolicyNamespace, rules: platform });
  }
  return grants;
}
