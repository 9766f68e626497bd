import { agentRevokedForAnnotation, revokeAgentAnnotation, type Cluster, type ClusterSync } from "@seedbed/api";
import type { V1ServiceAccount } from "@kubernetes/client-node";

/** What decides whether a cluster gets an agent, as read from the caches. */
export interface AgentNeedInput {
  readonly cluster: Pick<Cluster, "metadata"> | undefined;
  readonly sync: Pick<ClusterSync, "spec" | "status"> | undefined;
  /** The cluster's admin kubeconfig Secret exists: its API serves, and the agent has a way in. */
  readonly hasAdminKubeconfig: boolean;
}

/**
 * Whether a cluster needs a policy agent: it exists, is not being deleted,
 * has its admin kubeconfig, and a policy selects it or one that did still
 * has objects there (listed in status, or being pruned). A cluster no policy
 * ever selected has no ClusterSync, or an empty one, and so no agent: no
 * ServiceAccount, no token, no process.
 */
export function needsAgent(input: AgentNeedInput): boolean {
  const { cluster, sync } = input;
  if (cluster === undefined || cluster.metadata.deletionTimestamp !== undefined) return false;
  if (sync === undefined || !input.hasAdminKubeconfig) return false;
  return (sync.spec.policies?.length ?? 0) > 0 || (sync.status?.policies?.length ?? 0) > 0 || (sync.status?.pruning ?? 0) > 0;
}

/** The revoke value a Cluster asks for, if any (an empty value asks for nothing). */
export function requestedRevoke(cluster: Pick<Cluster, "metadata">): string | undefined {
  const value = cluster.metadata.annotations?.[revokeAgentAnnotation];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Whether the agent's identity must be revoked: the Cluster asks for a
 * revoke its current ServiceAccount was not made after. Without a
 * ServiceAccount there is nothing to revoke (the next one is made with the
 * value already).
 */
export function revokeDue(cluster: Pick<Cluster, "metadata">, account: Pick<V1ServiceAccount, "metadata"> | undefined): boolean {
  const wanted = requestedRevoke(cluster);
  if (wanted === undefined || account === undefined) return false;
  return account.metadata?.annotations?.[agentRevokedForAnnotation] !== wanted;
}
