import { apiVersion, type Cluster, type ClusterSync, type ClusterSyncPolicyRef } from "@seedbed/api";
import { isDeepStrictEqual } from "node:util";

/**
 * The ClusterSync the operator applies for `cluster`: named and placed as
 * the cluster, controlled by it (so the garbage collector deletes it with
 * the Cluster, even one deleted while the operator is down), listing
 * `policies` (sorted by the caller). Only the fields the operator owns:
 * the agent's status is left alone. Pure.
 */
export function desiredClusterSync(cluster: Cluster, policies: readonly ClusterSyncPolicyRef[]): ClusterSync {
  return {
    apiVersion,
    kind: "ClusterSync",
    metadata: {
      name: cluster.metadata.name,
      namespace: cluster.metadata.namespace,
      ownerReferences: [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    spec: { policies: [...policies] },
  };
}

/**
 * Whether `existing` (the cache's copy) already says what `desired` does:
 * the same policies in the same order and the Cluster as its controlling
 * owner. Then the apply is skipped, so a Cluster's status updates cost no
 * writes. Pure.
 */
export function clusterSyncUpToDate(existing: ClusterSync, desired: ClusterSync): boolean {
  const owner = desired.metadata.ownerReferences?.[0];
  const owned = (existing.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner?.uid && ref.controller === true && ref.blockOwnerDeletion === true);
  return owned && isDeepStrictEqual(existing.spec.policies ?? [], desired.spec.policies ?? []);
}
