// The benchmark's eyes on the Clusters: a watch on the project's Clusters
// that records, for each, when it was first seen Running, first seen with
// AddonsReady at all, first seen AddonsReady=True, and every change of
// AddonsReady, at the moment the event arrives. A watch that ends is
// opened again (its first events then replay the current state, which
// only fills what was not seen yet).
import { setTimeout as sleep } from "node:timers/promises";
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { ClusterConditions, type Cluster } from "@seedbed/api";
import { changedPaths, countPaths, type AddonsReadyChange, type Sightings } from "./figures.ts";

interface Seen {
  createdAtMs: number;
  runningAtMs?: number;
  addonsReportedAtMs?: number;
  addonsReadyAtMs?: number;
  changes: AddonsReadyChange[];
  latest?: Cluster;
}

/** Where AddonsReady stands on a Cluster (undefined without the condition). */
export function addonsReady(cluster: Cluster | undefined): { status: string; message?: string } | undefined {
  const condition = cluster?.status?.conditions?.find((c) => c.type === ClusterConditions.AddonsReady);
  return condition === undefined ? undefined : { status: condition.status, message: condition.message };
}

/** Follows the Clusters of one namespace. */
export class ClusterFollower {
  readonly #kc: KubeConfig;
  readonly #path: string;
  readonly #seen = new Map<string, Seen>();
  #abort: AbortController | undefined;
  #stopped = false;
  #restarts = 0;

  constructor(kc: KubeConfig, namespace: string) {
    this.#kc = kc;
    this.#path = `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/clusters`;
  }

  /** Opens the watch; resolves once it is open. */
  async start(): Promise<void> {
    this.#abort = await new Watch(this.#kc).watch(this.#path, {}, (_phase: string, object: Cluster) => this.#record(object), () => void this.#reopen());
  }

  /** Notes that `name` was just asked for: the start of its create-to-Running time. */
  created(name: string): void {
    this.#seen.set(name, { createdAtMs: performance.now(), changes: [] });
  }

  /** What was seen of `name` so far. */
  sightings(name: string): Sightings {
    const seen = this.#seen.get(name);
    return { createdAtMs: seen?.createdAtMs ?? Number.NaN, runningAtMs: seen?.runningAtMs, addonsReportedAtMs: seen?.addonsReportedAtMs, addonsReadyAtMs: seen?.addonsReadyAtMs };
  }

  /** The changes of AddonsReady seen on `name` at or after `sinceMs`. */
  changesSince(name: string, sinceMs: number): AddonsReadyChange[] {
    return (this.#seen.get(name)?.changes ?? []).filter((c) => c.atMs >= sinceMs);
  }

  /** The last state of `name` the watch delivered. */
  latest(name: string): Cluster | undefined {
    return this.#seen.get(name)?.latest;
  }

  /** How often the watch had to be opened again. */
  get restarts(): number {
    return this.#restarts;
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  #record(cluster: Cluster): void {
    const name = cluster.metadata.name ?? "";
    const seen = this.#seen.get(name);
    // Only clusters this round created count.
    if (seen === undefined) return;
    const now = performance.now();
    seen.latest = cluster;
    if (cluster.status?.phase === "Running") seen.runningAtMs ??= now;
    const ready = addonsReady(cluster);
    if (ready === undefined) return;
    seen.addonsReportedAtMs ??= now;
    if (ready.status === "True") seen.addonsReadyAtMs ??= now;
    if (ready.status !== seen.changes.at(-1)?.status) seen.changes.push({ ...ready, atMs: now });
  }

  async #reopen(): Promise<void> {
    for (;;) {
      await sleep(500);
      if (this.#stopped) return;
      try {
        this.#restarts++;
        await this.start();
        return;
      } catch {
        // The management API is not what is measured; try again.
      }
    }
  }
}

/** A running count of the MODIFIED events of one collection. */
export interface UpdateCount {
  /** Updates seen so far. */
  count(): number;
  /** How often each field changed in them (see changedPaths), most frequent first. */
  fieldsChanged(): Record<string, number>;
  stop(): void;
}

type Versioned = { metadata?: { name?: string; resourceVersion?: string } };

/**
 * Counts the updates of a collection of the management API (`path`, e.g.
 * the project's Clusters), from now, and which fields each changed: what
 * brings the add-on controller's passes back when no tenant object moves.
 * A watch that ends is opened again from the last version seen, so no
 * update is counted twice.
 */
export async function countUpdates(kc: KubeConfig, path: string): Promise<UpdateCount> {
  const state = { stopped: false, resourceVersion: undefined as string | undefined, abort: undefined as AbortController | undefined };
  const last = new Map<string, Versioned>();
  const changes: string[][] = [];
  const open = async (): Promise<void> => {
    state.abort = await new Watch(kc).watch(
      path,
      state.resourceVersion === undefined ? {} : { resourceVersion: state.resourceVersion },
      (phase: string, object: Versioned) => {
        state.resourceVersion = object.metadata?.resourceVersion ?? state.resourceVersion;
        const name = object.metadata?.name ?? "";
        if (phase === "MODIFIED") changes.push(changedPaths(last.get(name), object));
        last.set(name, object);
      },
      () => void reopen(),
    );
  };
  const reopen = async (): Promise<void> => {
    for (;;) {
      await sleep(500);
      if (state.stopped) return;
      try {
        await open();
        return;
      } catch {
        // The management API is not what is measured; try again.
      }
    }
  };
  await open();
  return {
    count: () => changes.length,
    fieldsChanged: () => countPaths(changes),
    stop: () => {
      state.stopped = true;
      state.abort?.abort();
    },
  };
}
