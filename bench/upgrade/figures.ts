// The pure side of the upgrade benchmark: its flags, the names that spread
// the real sample clusters over the plan's waves, and the figures read from
// the plan's status and the client loops.
import type { UpgradePlanStatus } from "@seedbed/api";

/** One cluster's entry in an UpgradePlan's status. */
export type PlanEntry = NonNullable<UpgradePlanStatus["clusters"]>[number];

/** A whole-number flag of at least `min`, or an error naming the flag. */
export function parseWholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${String(min)}, got ${JSON.stringify(text)}`);
  return n;
}

/** The name of kwok-seed cluster `i` of `count`: zero-padded so that names sort as numbers. */
export function kwokClusterName(i: number, count: number): string {
  return `k-${String(i).padStart(String(Math.max(count - 1, 0)).length, "0")}`;
}

/**
 * The names of the real sample clusters: each sorts right after the kwok
 * cluster at an even step through the fleet (the plan orders clusters by
 * name before it cuts waves), so that the samples fall into different
 * waves and no two roll their API servers at once on the one-node seed,
 * whose 2 CPUs hold the requests of only one surge pod beside two
 * two-replica control planes. Pure.
 */
export function sampleClusterNames(sample: number, clusters: number): string[] {
  return Array.from({ length: sample }, (_, i) => `${kwokClusterName(Math.floor((i * clusters) / sample), clusters)}-real`);
}

/** Seconds between two ISO times, to a tenth; undefined when either is missing or unreadable. */
function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  const a = Date.parse(from ?? "");
  const b = Date.parse(to ?? "");
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.round((b - a) / 100) / 10;
}

/** One wave as the benchmark reports it. */
export interface WaveFigure {
  readonly wave: number;
  readonly clusters: number;
  /** From the wave's first start to its last upgrade's completion; null while one of its clusters has none. */
  readonly seconds: number | null;
}

/**
 * Per wave: how many clusters the plan started in it and how long it took,
 * from the first startedTime to the last upgradedTime of its entries.
 * Entries the plan never started (already at the version) are left out.
 * Pure.
 */
export function waveFigures(entries: readonly PlanEntry[]): WaveFigure[] {
  const started = entries.filter((e) => e.startedTime !== undefined);
  const waves = [...new Set(started.map((e) => e.wave))].sort((a, b) => a - b);
  return waves.map((wave) => {
    const of = started.filter((e) => e.wave === wave);
    const first = of.map((e) => e.startedTime ?? "").sort()[0];
    const ends = of.map((e) => e.upgradedTime);
    const last = ends.every((t) => t !== undefined) ? ends.sort().at(-1) : undefined;
    return { wave, clusters: of.length, seconds: secondsBetween(first, last) ?? null };
  });
}

/** The median and the largest of one cluster's upgrade times (startedTime to upgradedTime), in seconds; null for none. */
export function clusterUpgradeSeconds(entries: readonly PlanEntry[]): { p50: number | null; max: number | null } {
  const times = entries.map((e) => secondsBetween(e.startedTime, e.upgradedTime)).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
  if (times.length === 0) return { p50: null, max: null };
  const middle = Math.floor(times.length / 2);
  const p50 = times.length % 2 === 1 ? (times[middle] ?? 0) : ((times[middle - 1] ?? 0) + (times[middle] ?? 0)) / 2;
  return { p50: Math.round(p50 * 10) / 10, max: times.at(-1) ?? null };
}

/** What the client loops of the sample saw, summed; nulls when no sample ran (never 0: nothing was measured). */
export function loopFigures(results: readonly { readonly ok: number; readonly failures: readonly string[] }[]): { sampleRequests: number | null; failedRequests: number | null } {
  if (results.length === 0) return { sampleRequests: null, failedRequests: null };
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  return { sampleRequests: results.reduce((n, r) => n + r.ok, 0) + failed, failedRequests: failed };
}
