import { isDeepStrictEqual } from "node:util";
import type { Cluster, Seed } from "@seedbed/api";
import { applyStatus, isConflict, isNotFound, setCondition, systemClock, type Clock, type ObjectClient, type ReconcileResult, type Reconciler, type ReconcileRequest } from "@seedbed/runtime";
import { computeSeedStatus, type SeedReachability } from "./status.ts";

/** What the Seed reconciler reads and reaches. */
export interface SeedReconcilerOptions {
  readonly client: ObjectClient;
  readonly seed: (name: string) => Seed | undefined;
  /** Every Cluster, from the cache: those whose status names a seed are hosted there. */
  readonly clusters: () => readonly Cluster[];
  /** Whether the operator can host control planes on a seed (see SeedDrivers.reachability). */
  readonly reachability: (seed: Seed) => Promise<SeedReachability>;
  readonly clock?: Clock;
  /** How often a seed is looked at again, and how long a reachability answer is kept (default 60 s). */
  readonly recheckMs?: number;
}

/**
 * Writes each Seed's status: how many clusters it hosts, whether the
 * operator can reach it, whether it is full, and which of its fields are
 * accepted but not carried out (SpecSupported). It changes nothing on the
 * seed itself; the Cluster controller places and runs control planes.
 */
export class SeedReconciler implements Reconciler {
  readonly #o: SeedReconcilerOptions;
  readonly #clock: Clock;
  /** Per seed (name and generation): the last answer and when it was asked, so that cluster events cost no request to the seed. */
  readonly #probed = new Map<string, { key: string; at: number; answer: SeedReachability }>();

  constructor(options: SeedReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest): Promise<ReconcileResult | undefined> {
    const seed = this.#o.seed(request.name);
    if (!seed || seed.metadata.deletionTimestamp !== undefined) {
      this.#probed.delete(request.name);
      return undefined;
    }
    const name = seed.metadata.name ?? "";
    const hosted = this.#o.clusters().filter((c) => c.status?.seed === name).length;
    const computed = computeSeedStatus(seed, { hosted, reachability: await this.#reachability(seed) });
    const now = this.#clock.now();
    const { conditions: inputs, ...fields } = computed;
    let conditions = seed.status?.conditions ?? [];
    for (const input of inputs) conditions = setCondition(conditions, { ...input, observedGeneration: seed.metadata.generation }, now);
    const status = { ...seed.status, ...fields, conditions, observedGeneration: seed.metadata.generation };
    if (!isDeepStrictEqual(status, seed.status)) {
      try {
        await applyStatus(this.#o.client, { apiVersion: seed.apiVersion, kind: seed.kind, metadata: { name }, status });
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
    return { requeueAfter: this.#o.recheckMs ?? 60_000 };
  }

  async #reachability(seed: Seed): Promise<SeedReachability> {
    const name = seed.metadata.name ?? "";
    // The generation, not the resourceVersion: our own status writes must not cost a probe each.
    const key = String(seed.metadata.generation ?? "");
    const known = this.#probed.get(name);
    const now = this.#clock.now();
    if (known?.key === key && now - known.at < (this.#o.recheckMs ?? 60_000)) return known.answer;
    const answer = await this.#o.reachability(seed);
    this.#probed.set(name, { key, at: now, answer });
    return answer;
  }
}
