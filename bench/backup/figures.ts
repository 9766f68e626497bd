// The pure side of the backup benchmark: its flags, how many objects a
// fill step still needs, and medians and ratios of the measured times.

/** One byte count of the benchmark's sizes: decimal megabytes, so "1000" is 1 GB. */
export const bytesPerMB = 1_000_000;

/**
 * The --sizes flag: decimal MB the tenant etcd is filled to, one after the
 * other on the same etcd, so each must be larger than the one before.
 */
export function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((part) => part.trim());
  const numbers = sizes.map(Number);
  const bad = sizes.find((part, i) => part === "" || !Number.isFinite(numbers[i]) || (numbers[i] ?? 0) <= 0);
  if (bad !== undefined) throw new Error(`--sizes must be MB counts above 0 separated by commas, e.g. 10,100,1000; got ${JSON.stringify(bad)} in ${JSON.stringify(text)}`);
  const smaller = numbers.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] ?? 0));
  if (smaller !== -1) throw new Error(`--sizes must grow (the etcd is only ever filled further): ${numbers[smaller]} follows ${numbers[smaller - 1]} in ${JSON.stringify(text)}`);
  return numbers;
}

/** A whole-number flag of at least `min`, or an error naming the flag. */
export function parseWholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * How many more objects of `valueBytes` to write to take an etcd of
 * `currentBytes` to `targetBytes`: none once it is there, else at least one
 * (the database grows in pages, so a first guess may fall a little short and
 * the caller asks again).
 */
export function objectsToAdd(currentBytes: number, targetBytes: number, valueBytes: number): number {
  if (currentBytes >= targetBytes) return 0;
  return Math.max(1, Math.ceil((targetBytes - currentBytes) / valueBytes));
}

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** One timed run of a path: its total and, for Seedbed's, the time of each step. */
export interface Timing {
  readonly totalMs: number;
  readonly phasesMs?: Readonly<Record<string, number>>;
}

/** Seedbed's path beside the one run by hand, over several runs. */
export interface Comparison {
  /** Medians, whole milliseconds. */
  readonly seedbedMs: number;
  readonly byHandMs: number;
  /** seedbedMs / byHandMs, two decimals: the target is at most 1.2. */
  readonly ratio: number;
  /** The median of each step of Seedbed's path. */
  readonly seedbedPhasesMs: Record<string, number>;
  readonly seedbedRunsMs: number[];
  readonly byHandRunsMs: number[];
}

/** The medians and their ratio of runs of Seedbed's path and of the one by hand. */
export function compare(seedbed: readonly Timing[], byHand: readonly Timing[]): Comparison {
  const seedbedMs = median(seedbed.map((t) => t.totalMs));
  const byHandMs = median(byHand.map((t) => t.totalMs));
  const phases = [...new Set(seedbed.flatMap((t) => Object.keys(t.phasesMs ?? {})))];
  return {
    seedbedMs: Math.round(seedbedMs),
    byHandMs: Math.round(byHandMs),
    ratio: Math.round((seedbedMs / byHandMs) * 100) / 100,
    seedbedPhasesMs: Object.fromEntries(phases.map((phase) => [phase, Math.round(median(seedbed.map((t) => t.phasesMs?.[phase] ?? 0)))])),
    seedbedRunsMs: seedbed.map((t) => Math.round(t.totalMs)),
    byHandRunsMs: byHand.map((t) => Math.round(t.totalMs)),
  };
}
