import { maxListedSeedClusters, seedInUseFinalizer, SeedConditions, SeedReasons, type Seed } from "@seedbed/api";
import type { ConditionInput } from "@seedbed/runtime";

type Status = NonNullable<Seed["status"]>;

/** Whether the operator can reach a seed. */
export type SeedReachability =
  | { readonly ok: true; readonly message: string; readonly kubernetesVersion?: string }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/** What a seed controller pass observed. */
export interface SeedObservation {
  /** The clusters (<namespace>/<name>, sorted) whose status names the seed, or placed there and not recorded yet. */
  readonly hosted: readonly string[];
  readonly reachability: SeedReachability;
  /** The clusters whose data is in the seed's shared etcd. */
  readonly sharedTenants?: readonly string[];
}

/** Up to `max` names, and how many more there are. */
export function namesOf(names: readonly string[], max = maxListedSeedClusters): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** The fields of a Seed's spec that the platform accepts and does not carry out, with what to do. */
export function unsupportedSeedFields(seed: Seed, sharedTenants: readonly string[] = []): string[] {
  const name = seed.metadata.name ?? "";
  const found: string[] = [];
  if (seed.spec.sniDomain !== undefined) {
    found.push(`spec.sniDomain ${seed.spec.sniDomain} is not used yet: clusters on Seed ${name} answer on the platform's one shared endpoint domain (<cluster>.<project>.<domain> of seedbed serve); remove it, or set that domain on the platform`);
  }
  if (seed.spec.driver === "local" && seed.spec.storageClassName !== undefined) {
    found.push(`spec.storageClassName ${seed.spec.storageClassName} applies only to a kubernetes seed: the local seed ${name} keeps etcd's data in directories on this machine; remove it`);
  }
  if (seed.spec.driver === "kubernetes" && seed.spec.sharedDatastore !== undefined) {
    found.push(`spec.sharedDatastore is not offered on the kubernetes seed ${name} yet: clusters with datastore type Shared placed here get an etcd of their own; remove it, or use a local seed for shared etcd`);
  }
  if (seed.spec.sharedDatastore === undefined && sharedTenants.length > 0) {
    found.push(`spec.sharedDatastore was removed, but the shared etcd keeps running while ${sharedTenants.length} cluster${sharedTenants.length === 1 ? "" : "s"} keep their data there (${namesOf(sharedTenants)}); delete them, or put spec.sharedDatastore back`);
  }
  return found;
}

/**
 * A Seed's phase, clusters (count and, bounded, names), capacity left,
 * reachability and conditions: Ready (the operator can host control planes
 * there), SpecSupported (fields accepted but not carried out), Full
 * (spec.capacity.maxClusters reached) and, once deleted while it hosts
 * clusters, Deleting naming them. Pure.
 */
export function computeSeedStatus(seed: Seed, observed: SeedObservation): Pick<Status, "phase" | "clusters" | "clusterNames" | "capacityLeft" | "reachable" | "kubernetesVersion"> & { conditions: ConditionInput[] } {
  const { reachability } = observed;
  const hosted = observed.hosted.length;
  const unsupported = unsupportedSeedFields(seed, observed.sharedTenants);
  const max = seed.spec.capacity?.maxClusters;
  const full = max !== undefined && hosted >= max;
  const conditions: ConditionInput[] = [
    reachability.ok
      ? { type: SeedConditions.Ready, status: "True", reason: "Reachable", message: reachability.message }
      : { type: SeedConditions.Ready, status: "False", reason: reachability.reason, message: reachability.message },
    unsupported.length === 0
      ? { type: SeedConditions.SpecSupported, status: "True", reason: "Supported", message: "every field of the spec is carried out" }
      : { type: SeedConditions.SpecSupported, status: "False", reason: "NotSupported", message: unsupported.join("; ") },
    full
      ? { type: SeedConditions.Full, status: "True", reason: "CapacityReached", message: `hosts ${hosted} clusters, spec.capacity.maxClusters is ${max}: new clusters wait in phase Pending (reason SeedFull) until there is room` }
      : { type: SeedConditions.Full, status: "False", reason: "RoomLeft", message: max === undefined ? `hosts ${hosted} clusters; no capacity is set` : `hosts ${hosted} of at most ${max} clusters` },
  ];
  const deleting = seed.metadata.deletionTimestamp !== undefined;
  if (deleting && hosted > 0) {
    conditions.push({ type: SeedConditions.Deleting, status: "True", reason: SeedReasons.HostsClusters, message: inUseMessage(seed, observed.hosted) });
  }
  const version = reachability.ok && reachability.kubernetesVersion !== undefined ? { kubernetesVersion: reachability.kubernetesVersion } : {};
  const left = max === undefined ? {} : { capacityLeft: Math.max(0, max - hosted) };
  return {
    phase: deleting ? "Deleting" : reachability.ok ? "Ready" : "NotReady",
    clusters: hosted,
    clusterNames: observed.hosted.slice(0, maxListedSeedClusters),
    ...left,
    reachable: reachability.ok,
    ...version,
    conditions,
  };
}

/** Why a deleted Seed is still there: the clusters it hosts (bounded), and what to do. */
export function inUseMessage(seed: Seed, hosted: readonly string[]): string {
  const name = seed.metadata.name ?? "";
  return `Seed ${name} is kept (finalizer ${seedInUseFinalizer}) while it hosts ${hosted.length} cluster${hosted.length === 1 ? "" : "s"}: ${namesOf(hosted)}; delete ${hosted.length === 1 ? "that Cluster" : "those Clusters"} and the Seed goes (Seedbed never moves a control plane to another seed)`;
}
