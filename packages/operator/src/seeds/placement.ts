// Where a new cluster goes. Pure: the registry (registry.ts) feeds it the
// Seeds from the cache and how many clusters each hosts, and carries out
// the answer. Clusters already placed (status.seed) never come here: a
// control plane is never moved by placement.
import { ClusterReasons, type ClusterSpec, type Seed } from "@seedbed/api";
import { seedFullMessage } from "./capacity.ts";

/** The outcome of placing a cluster not placed yet. */
export type PlacementDecision =
  /** Place it here. */
  | { readonly seed: Seed }
  /** No seed may take it now, but one may later (room made, a deletion finished): the cluster waits in phase Pending. */
  | { readonly wait: { readonly reason: string; readonly message: string } }
  /** The spec cannot be placed as written (a seed or region that does not exist): a terminal error until a Seed changes. */
  | { readonly invalid: { readonly reason: string; readonly message: string } };

/** The part of a Cluster's spec that says where it goes. */
export type PlacementSpec = Pick<ClusterSpec, "seed" | "seedSelector">;

const nameOf = (seed: Seed): string => seed.metadata.name ?? "";
const isDeleting = (seed: Seed): boolean => seed.metadata.deletionTimestamp !== undefined;

/**
 * Chooses the Seed for a cluster not placed yet: the one spec.seed names;
 * else one of spec.seedSelector.region; else the default Seed. `hosted`
 * counts the clusters on each seed (by name; missing means none), those
 * placed and not yet recorded included. A seed being deleted takes no new
 * cluster. Deterministic: the same seeds and counts give the same answer.
 */
export function chooseSeed(spec: PlacementSpec, seeds: readonly Seed[], hosted: ReadonlyMap<string, number>): PlacementDecision {
  const count = (seed: Seed): number => hosted.get(nameOf(seed)) ?? 0;
  if (spec.seed !== undefined) {
    const seed = seeds.find((s) => nameOf(s) === spec.seed);
    if (!seed) return { invalid: { reason: "SeedNotFound", message: `Seed ${spec.seed} does not exist; list seeds with \`kubectl get seeds\`` } };
    return roomOn(seed, count(seed));
  }
  if (spec.seedSelector !== undefined) return chooseInRegion(spec.seedSelector.region, seeds, count);
  const seed = defaultSeed(seeds);
  if (!seed) return { invalid: { reason: "NoDefaultSeed", message: "no Seed is marked default: set spec.seed, spec.seedSelector.region, or mark a Seed default: true" } };
  return roomOn(seed, count(seed));
}

/** The default Seed: the oldest of those marked default (then by name), so that several defaults still give one answer. */
export function defaultSeed(seeds: readonly Seed[]): Seed | undefined {
  // A Date in the types, an RFC 3339 string as read from the API: compared as instants either way.
  const createdAt = (s: Seed): number => new Date(s.metadata.creationTimestamp ?? 0).getTime();
  const oldestFirst = (a: Seed, b: Seed): number => createdAt(a) - createdAt(b) || nameOf(a).localeCompare(nameOf(b));
  return seeds.filter((s) => s.spec.default).sort(oldestFirst)[0];
}

/** The seed itself, unless it is being deleted or full. */
function roomOn(seed: Seed, hosted: number): PlacementDecision {
  const name = nameOf(seed);
  if (isDeleting(seed)) return { wait: { reason: ClusterReasons.SeedDeleting, message: `Seed ${name} is being deleted and takes no new cluster; delete this Cluster and create it with another spec.seed or a spec.seedSelector.region` } };
  const full = seedFullMessage(seed, hosted);
  return full === undefined ? { seed } : { wait: { reason: ClusterReasons.SeedFull, message: full } };
}

/**
 * Among the region's seeds with room: the default Seed if it is one of them
 * (clusters go where the platform's operators want them when they can);
 * else the one hosting the fewest clusters, then by name.
 */
function chooseInRegion(region: string, seeds: readonly Seed[], count: (seed: Seed) => number): PlacementDecision {
  const inRegion = seeds.filter((s) => s.spec.region === region).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  if (inRegion.length === 0) {
    const regions = [...new Set(seeds.map((s) => s.spec.region).filter((r): r is string => r !== undefined))].sort();
    const known = regions.length === 0 ? "no Seed has a spec.region" : `regions with seeds: ${regions.join(", ")}`;
    return { invalid: { reason: "NoSeedInRegion", message: `no Seed has spec.region ${region} (${known}); create a Seed in region ${region}, or create this Cluster with another spec.seedSelector.region` } };
  }
  const open = inRegion.filter((s) => !isDeleting(s) && seedFullMessage(s, count(s)) === undefined);
  const preferred = open.find((s) => s.spec.default) ?? [...open].sort((a, b) => count(a) - count(b) || nameOf(a).localeCompare(nameOf(b)))[0];
  if (preferred) return { seed: preferred };
  const why = inRegion.map((s) => (isDeleting(s) ? `${nameOf(s)} is being deleted` : `${nameOf(s)} hosts ${count(s)} of ${s.spec.capacity?.maxClusters ?? "?"}`));
  return {
    wait: {
      reason: ClusterReasons.SeedFull,
      message: `no Seed of region ${region} has room (${why.join(", ")}): this cluster waits until there is room; raise spec.capacity.maxClusters of one of them, add a Seed with spec.region ${region}, or delete a cluster there`,
    },
  };
}
