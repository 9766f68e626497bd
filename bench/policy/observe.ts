// What the benchmark sees of the ClusterSyncs: one watch (the admin's) on
// every ClusterSync of the project namespace, recording for each cluster,
// policy and generation when the spec first listed it (the hub's part) and
// when the status first showed it InSync (the agent's part), and every
// write (a new resourceVersion) with its time, so that a quiet window can
// count them.
import type { KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type ClusterSync } from "@seedbed/api";
import { Informer } from "@seedbed/runtime";
import { inSyncGenerations } from "./figures.ts";

const clusterSyncKind = { apiVersion, kind: "ClusterSync", plural: "clustersyncs", namespaced: true } as const;

/** Sightings of the ClusterSyncs of one namespace. */
export class SyncObserver {
  readonly #informer: Informer<ClusterSync>;
  /** `cluster|policy` → generation → performance.now() of the first sighting InSync at that generation or later. */
  readonly #inSync = new Map<string, Map<number, number>>();
  /** The same for the spec's refs: when the hub first listed the policy at that generation. */
  readonly #listed = new Map<string, Map<number, number>>();
  /** The latest InSync generations, by cluster. */
  readonly #latest = new Map<string, Map<string, number>>();
  readonly #writes: { atMs: number; cluster: string }[] = [];
  readonly #versions = new Map<string, string>();

  constructor(kubeConfig: KubeConfig, namespace: string) {
    this.#informer = new Informer<ClusterSync>({ kubeConfig, kind: clusterSyncKind, namespace });
    const seen = (sync: ClusterSync): void => this.#seen(sync);
    this.#informer.addHandlers({ add: seen, update: seen });
  }

  /** Starts the watch and waits until it has listed. */
  async start(): Promise<void> {
    this.#informer.start();
    if (!(await this.#informer.waitForSync(AbortSignal.timeout(30_000)))) throw new Error("the ClusterSync watch did not list");
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  /** When `cluster`'s status first showed `policy` InSync at `generation` (or a later one); undefined when not yet. */
  inSyncAt(cluster: string, policy: string, generation: number): number | undefined {
    return firstAtOrAfter(this.#inSync.get(`${cluster}|${policy}`), generation);
  }

  /** When `cluster`'s spec first listed `policy` at `generation` (or a later one): the hub's write; undefined when not yet. */
  listedAt(cluster: string, policy: string, generation: number): number | undefined {
    return firstAtOrAfter(this.#listed.get(`${cluster}|${policy}`), generation);
  }

  /** The InSync generations `cluster`'s status shows now, by policy. */
  latest(cluster: string): ReadonlyMap<string, number> {
    return this.#latest.get(cluster) ?? new Map();
  }

  /** The ClusterSync as last seen. */
  sync(namespace: string, cluster: string): ClusterSync | undefined {
    return this.#informer.get(namespace, cluster);
  }

  /** ClusterSync writes (any new resourceVersion: spec by the hub, status by an agent) seen between two performance.now() times. */
  writesBetween(fromMs: number, toMs: number): number {
    return this.#writes.filter((w) => w.atMs >= fromMs && w.atMs < toMs).length;
  }

  #seen(sync: ClusterSync): void {
    const now = performance.now();
    const cluster = sync.metadata.name ?? "";
    const version = sync.metadata.resourceVersion ?? "";
    if (this.#versions.get(cluster) === version) return;
    this.#versions.set(cluster, version);
    this.#writes.push({ atMs: now, cluster });
    const generations = inSyncGenerations(sync);
    this.#latest.set(cluster, generations);
    for (const [policy, generation] of generations) record(this.#inSync, `${cluster}|${policy}`, generation, now);
    for (const ref of sync.spec.policies ?? []) record(this.#listed, `${cluster}|${ref.name}`, ref.generation, now);
  }
}

/** Notes the first sighting of `key` at `generation`. */
function record(sightings: Map<string, Map<number, number>>, key: string, generation: number, now: number): void {
  const byGeneration = sightings.get(key) ?? new Map<number, number>();
  if (!byGeneration.has(generation)) byGeneration.set(generation, now);
  sightings.set(key, byGeneration);
}

/** The earliest sighting at `generation` or a later one. */
function firstAtOrAfter(byGeneration: ReadonlyMap<number, number> | undefined, generation: number): number | undefined {
  let first: number | undefined;
  for (const [g, at] of byGeneration ?? []) if (g >= generation && (first === undefined || at < first)) first = at;
  return first;
}
