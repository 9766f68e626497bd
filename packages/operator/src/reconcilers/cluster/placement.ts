import type { Cluster } from "@seedbed/api";
import { applyStatus, isConflict, isNotFound, type ObjectClient } from "@seedbed/runtime";

/**
 * The field manager that owns status.seed and status.region as placement
 * recorded them: a whole-status write by manager "seedbed" from a cache
 * that does not show them yet cannot drop them by leaving them out.
 */
export const placementFieldManager = "seedbed-placement";

/**
 * Records the seed a cluster was placed on (and its region) in its status,
 * unless recorded already. Done before anything is created on the seed: a
 * restarted operator, or a change of the seeds' load, then finds the
 * cluster where it is instead of choosing again, and the Seed's count (and
 * its finalizer) sees the cluster from the start.
 */
export async function recordPlacement(client: ObjectClient, cluster: Cluster, placement: { seed: string; region?: string }): Promise<void> {
  if (cluster.status?.seed === placement.seed) return;
  const region = placement.region === undefined ? {} : { region: placement.region };
  try {
    await applyStatus(client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: { seed: placement.seed, ...region } }, { fieldManager: placementFieldManager });
  } catch (error) {
    // Deleted meanwhile: the next pass deletes it.
    if (isNotFound(error)) return;
    if (isConflict(error)) throw new Error(`the placement of cluster ${cluster.metadata.name ?? ""} changed while it was being recorded; retrying`, { cause: error });
    throw error;
  }
}
