import type { KubernetesObject } from "@kubernetes/client-node";
import { clusterOwnerReference, type Cluster } from "@seedbed/api";
import { isConflict, isNotFound, type ObjectClient } from "@seedbed/runtime";

/** Whether the object already names this very Cluster (by uid) as an owner. */
export function isOwnedBy(object: KubernetesObject, cluster: Cluster): boolean {
  return (object.metadata?.ownerReferences ?? []).some((ref) => ref.uid === cluster.metadata.uid);
}

/**
 * Makes the Cluster an owner of an object of the cluster (a NodePool, an
 * EtcdBackup, an EtcdRestore, in the cluster's namespace, `plural` its
 * resource), so that the management cluster's garbage collector deletes it
 * with its Cluster even when the Cluster goes without the operator seeing
 * it, or when the object was made by a client that set no owner (the REST
 * API). The object's own finalizer still runs first. Its resourceVersion
 * guards the write: one changed meanwhile is adopted on its next pass.
 * Returns whether it wrote (the caller's copy is then stale: its update
 * brings the object back to its reconciler).
 */
export async function adoptByCluster(client: ObjectClient, object: KubernetesObject, plural: string, cluster: Cluster): Promise<boolean> {
  if (isOwnedBy(object, cluster) || cluster.metadata.uid === undefined) return false;
  const ownerReferences = [...(object.metadata?.ownerReferences ?? []), clusterOwnerReference(cluster)];
  try {
    await client.request("PATCH", `/apis/seedbed.dev/v1alpha1/namespaces/${object.metadata?.namespace ?? ""}/${plural}/${object.metadata?.name ?? ""}`, {
      body: { metadata: { ownerReferences, resourceVersion: object.metadata?.resourceVersion } },
      contentType: "application/merge-patch+json",
    });
  } catch (error) {
    if (!isConflict(error) && !isNotFound(error)) throw error;
  }
  return true;
}
