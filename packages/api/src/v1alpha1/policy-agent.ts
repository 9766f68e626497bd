/**
 * Names shared by the operator, which gives each cluster a policy agent,
 * and the agent, which keeps the cluster's policies on its tenant.
 */

/** Label on every tenant object a policy made: the policy's uid (selects its objects; fits a label value). */
export const policyUIDLabel = "policy.seedbed.dev/uid";

/** Annotation on every tenant object a policy made: `<namespace>/<name>` of the policy, for humans. */
export const policyNameAnnotation = "policy.seedbed.dev/policy";

/** The field manager of a policy's applies in a tenant: two policies setting one field conflict. */
export function policyFieldManager(policyUID: string): string {
  return `seedbed-policy-${policyUID}`;
}

/**
 * The tenant ConfigMap (in kube-system) listing what a policy made there,
 * with its prune choice: what lets an agent remove (or orphan) a policy's
 * objects after the policy is gone from the management API.
 */
export function policyInventoryName(policyUID: string): string {
  return `seedbed-policy-${policyUID}`;
}

/** Namespace of the inventories in a tenant. */
export const policyInventoryNamespace = "kube-system";

/** Label on inventories, so an agent finds them all with one list. */
export const policyInventoryLabel = "policy.seedbed.dev/inventory";

/** The ServiceAccount (in the cluster's project namespace) a cluster's policy agent authenticates as. */
export function policyAgentServiceAccount(clusterName: string): string {
  return `seedbed-agent-${clusterName}`;
}

/** The Role (and its RoleBinding) in a namespace granting a cluster's agent what it may read and write there. */
export function policyAgentRoleName(clusterNamespace: string, clusterName: string): string {
  return `seedbed-agent-${clusterNamespace}-${clusterName}`;
}

/** Where platform-wide ClusterPolicies live: they may select clusters of every project. */
export const platformPolicyNamespace = "seedbed-system";

/**
 * The annotation on a Cluster that revokes its agent's credentials: any new
 * value (the CLI writes the time) deletes the agent's ServiceAccount, which
 * the API server then refuses every token of, and issues a new identity.
 */
export const revokeAgentAnnotation = "seedbed.dev/revoke-agent";

/** The annotation on an agent's ServiceAccount: the revoke-agent value it was made after (what tells a revoke done from one to do). */
export const agentRevokedForAnnotation = "seedbed.dev/revoked-for";
