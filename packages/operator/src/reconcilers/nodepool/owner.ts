import { clusterOwnerReference, type Cluster, type NodePool } from "@seedbed/api";
import { isConflict, isNotFound, type ObjectClient } from "@seedbed/runtime";

/** Whether the pool already names this very Cluster (by uid) as an owner. */
export function isOwnedBy(pool: NodePool, cluster: Cluster): boolean {
  return (pool.metadata.ownerReferences ?? []).some((ref) => ref.uid === cluster.metadata.uid);
}

/**
 * Makes the Cluster an owner of the pool, so that the management cluster's
 * garbage collector deletes the pool with its Cluster even when the
 * Cluster goes without the operator seeing it (deleted before its first
 * reconcile, or its finalizer removed by hand). The pool's own finalizer
 * still removes its machines first. The pool's resourceVersion guards the
 * write: a pool changed meanwhile is adopted on its next pass.
 */
export async function adoptByCluster(client: ObjectClient, pool: NodePool, cluster: Cluster): Promise<void> {
  if (isOwnedBy(pool, cluster) || cluster.metadata.uid === undefined) return;
  const ownerReferences = [...(pool.metadata.ownerReferences ?? []), clusterOwnerReference(cluster)];
  try {
    await client.request("PATCH", `/apis/seedbed.dev/v1alpha1/namespaces/${pool.metadata.namespace ?? ""}/nodepools/${pool.metadata.name ?? ""}`, {
      body: { metadata: { ownerReferences, resourceVersion: pool.metadata.resourceVersion } },
      contentType: "application/merge-patch+json",
    });
  } catch (error) {
    if (!isConflict(error) && !isNotFound(error)) throw error;
  }
}
