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
