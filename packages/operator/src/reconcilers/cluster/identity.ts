import { clusterIdOf, identityToRecord, maxClusterIdLength, type Cluster } from "@seedbed/api";
import { applyStatus, isConflict, type ObjectClient } from "@seedbed/runtime";
import { InvalidSpecError } from "./resolve.ts";

/**
 * The field manager that owns status.clusterID alone: no other status write
 * (which applies the whole status as manager "seedbed") can drop it by
 * leaving it out, and the CRD refuses any change of it.
 */
export const identityFieldManager = "seedbed-identity";

/**
 * The cluster's identity on its seed, recorded in its status first if it
 * has none yet (see identityToRecord). Nothing is created on a seed before
 * this resolves, so a crash in between leaves nothing behind.
 */
export async function recordIdentity(client: ObjectClient, cluster: Cluster): Promise<string> {
  const recorded = clusterIdOf(cluster);
  if (recorded !== undefined) return recorded;
  const id = identityToRecord(cluster);
  if (id.length > maxClusterIdLength) {
    // Only projects made before new names were limited to 23 characters can get here.
    throw new InvalidSpecError("NameTooLong", `the cluster's identity ${id} is longer than ${maxClusterIdLength} characters, so its seed namespace cluster-${id} would not fit in 63; use a cluster name of at most ${(cluster.metadata.name ?? "").length - (id.length - maxClusterIdLength)} characters`);
  }
  try {
    await applyStatus(client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: { clusterID: id } }, { fieldManager: identityFieldManager });
  } catch (error) {
    // Recorded meanwhile by another pass: the next pass reads it from the cache.
    if (isConflict(error)) throw new Error(`the identity of cluster ${cluster.metadata.name ?? ""} changed while it was being recorded; retrying`, { cause: error });
    throw error;
  }
  return id;
}
