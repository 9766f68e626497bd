import type { Machine } from "@seedbed/providers";

/** What a pool's listing must still show: machines made, and machines removed. */
interface Expected {
  readonly made: Set<string>;
  readonly removed: Set<string>;
  until: number;
}

/**
 * The machines a pass made or removed, which the provider's listing must
 * show before the next pass plans — the ReplicaSet controller's
 * "expectations". kwok lists machines from the tenant's Node cache, which
 * lags its own writes: a pass planning on a cache without the surge machine
 * it just made would make a second one (more than replicas + maxSurge), and
 * one still showing a machine it just removed would count it Ready and
 * retire another (fewer than replicas - maxUnavailable). Kept in memory: a
 * restarted operator starts from a fresh listing. Expectations lapse after
 * `ttlMs`, so a change the listing never shows cannot stall a pool.
 */
export class MachineExpectations {
  readonly #byPool = new Map<string, Expected>();
  readonly #ttlMs: number;

  constructor(ttlMs = 30_000) {
    this.#ttlMs = ttlMs;
  }

  /** Records a machine made for `pool` (namespace/name). */
  made(pool: string, machine: string, now: number): void {
    this.#entry(pool, now).made.add(machine);
  }

  /** Records a machine removed from `pool`. */
  removed(pool: string, machine: string, now: number): void {
    const entry = this.#entry(pool, now);
    entry.made.delete(machine);
    entry.removed.add(machine);
  }

  /** Whether `listed` shows every change recorded for `pool`; what it shows is forgotten, and everything once lapsed. */
  satisfied(pool: string, listed: readonly Machine[], now: number): boolean {
    const entry = this.#byPool.get(pool);
    if (entry === undefined) return true;
    if (now >= entry.until) {
      this.#byPool.delete(pool);
      return true;
    }
    const live = new Set(listed.filter((m) => m.phase !== "Deleting").map((m) => m.name));
    const all = new Set(listed.map((m) => m.name));
    for (const name of entry.made) if (all.has(name)) entry.made.delete(name);
    for (const name of entry.removed) if (!live.has(name)) entry.removed.delete(name);
    if (entry.made.size > 0 || entry.removed.size > 0) return false;
    this.#byPool.delete(pool);
    return true;
  }

  /** Drops what was recorded for a pool (deleted). */
  forget(pool: string): void {
    this.#byPool.delete(pool);
  }

  #entry(pool: string, now: number): Expected {
    const entry = this.#byPool.get(pool) ?? { made: new Set<string>(), removed: new Set<string>(), until: 0 };
    entry.until = now + this.#ttlMs;
    this.#byPool.set(pool, entry);
    return entry;
  }
}
