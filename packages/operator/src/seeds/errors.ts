/**
 * The Seed a cluster's control plane was placed on (status.seed) no longer
 * exists. Deleting the cluster must not fall back to another seed (the
 * default one could host a different cluster of the same identity, or
 * none): the deletion waits, and the Cluster says what to do.
 */
export class RecordedSeedGoneError extends Error {
  /** The recorded seed's name. */
  readonly seed: string;

  constructor(seed: string) {
    super(`Seed ${seed}, which hosts this cluster's control plane, no longer exists`);
    this.name = "RecordedSeedGoneError";
    this.seed = seed;
  }
}

/**
 * A new cluster cannot be placed now: its seed (or every seed of its
 * region) is full, or being deleted. Not an invalid spec: the cluster waits
 * (phase Pending, Ready=False with this reason) until a Seed changes.
 */
export class PlacementWaitError extends Error {
  /** SeedFull or SeedDeleting (ClusterReasons). */
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = "PlacementWaitError";
    this.reason = reason;
  }
}
