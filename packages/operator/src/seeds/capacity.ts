import { ClusterReasons, type Seed } from "@seedbed/api";

/**
 * A new cluster cannot be placed on its seed: the seed hosts as many
 * clusters as its spec.capacity.maxClusters allows. Not an invalid spec:
 * the cluster waits (phase Pending) until there is room.
 */
export class SeedFullError extends Error {
  readonly reason = ClusterReasons.SeedFull;

  constructor(message: string) {
    super(message);
    this.name = "SeedFullError";
  }
}

/**
 * Why a cluster not yet on `seed` cannot be placed there, or undefined when
 * it can: `hosted` clusters are there already (or placed and not yet
 * recorded). Clusters already placed are never turned away, even when the
 * capacity is lowered below what the seed holds.
 */
export function seedFullMessage(seed: Seed, hosted: number): string | undefined {
  const max = seed.spec.capacity?.maxClusters;
  if (max === undefined || hosted < max) return undefined;
  const name = seed.metadata.name ?? "";
  return `Seed ${name} hosts ${hosted} clusters and its spec.capacity.maxClusters is ${max}: this cluster waits until there is room; raise spec.capacity.maxClusters of Seed ${name}, delete a cluster there, or delete this Cluster and create it with spec.seed naming another seed`;
}
