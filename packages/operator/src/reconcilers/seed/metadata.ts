// What the operator keeps on a Seed's metadata: the finalizer that refuses
// the deletion of a Seed that still hosts clusters, and its region as a
// label. CEL cannot see other objects, and neither can a
// ValidatingAdmissionPolicy, so "refused" is a finalizer, as Kubernetes'
// own kubernetes.io/pvc-protection does for a volume claim in use: the
// deleted Seed stays Terminating, its condition Deleting naming the
// clusters, until they are gone.
import { seedInUseFinalizer, seedRegionLabel, type Seed } from "@seedbed/api";

/** A merge patch of a Seed's metadata. */
export interface SeedMetadataPatch {
  /** The whole list (a merge patch replaces lists), sent with the resourceVersion as a precondition. */
  readonly finalizers?: string[];
  /** Only the region label; null removes it. */
  readonly labels?: Record<string, string | null>;
}

/** A label value Kubernetes accepts. */
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * What to change on a Seed's metadata, or undefined when nothing: a live
 * Seed carries the finalizer and the label topology.kubernetes.io/region
 * with its spec.region (none when it has no region, or one that is no valid
 * label value); a deleted Seed loses the finalizer once it hosts no
 * cluster (a deleted Seed takes no new finalizer: the API refuses that). Pure.
 */
export function seedMetadataPatch(seed: Seed, hosted: number): SeedMetadataPatch | undefined {
  const finalizers = seed.metadata.finalizers ?? [];
  const has = finalizers.includes(seedInUseFinalizer);
  if (seed.metadata.deletionTimestamp !== undefined) {
    return has && hosted === 0 ? { finalizers: finalizers.filter((f) => f !== seedInUseFinalizer) } : undefined;
  }
  const region = seed.spec.region;
  const wanted = region !== undefined && region !== "" && region.length <= 63 && labelValue.test(region) ? region : undefined;
  const current = seed.metadata.labels?.[seedRegionLabel];
  const labels = current === wanted ? {} : { labels: { [seedRegionLabel]: wanted ?? null } };
  const patch = { ...(has ? {} : { finalizers: [...finalizers, seedInUseFinalizer] }), ...labels };
  return Object.keys(patch).length === 0 ? undefined : patch;
}
