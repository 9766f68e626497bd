import type { Seed } from "@seedbed/api";

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
  return `Seed ${name} hosts ${hosted} clusters and its spec.capacity.maxClusters is ${max}: this cluster waits until there is room; raise spec.capacity.maxClusters of Seed ${name}, delete a cluster there, or delete this Cluster and create it with spec.seed naming another seed (or spec.seedSelector.region naming a region)`;
}
