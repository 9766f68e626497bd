// The pure side of the dashboard benchmark: the fleet's names, labels and
// statuses, the plan of phase changes, and the figures made of the samples
// and of the built bundle's files.
import { nearestRank } from "../lib/nearest-rank.ts";

/** The label that splits the fleet in two, and the selector typed into the Labels filter (it matches the even-numbered half). */
export const halfLabel = "bench-half";
export const halfSelector = `${halfLabel}=even`;

/** Cluster `i`'s name: bench-000, bench-001, … (sorted as created). */
export function clusterName(i: number): string {
  return `bench-${String(i).padStart(3, "0")}`;
}

/** Cluster `i`'s labels: every other one is in the half the filter selects. */
export function clusterLabels(i: number): Record<string, string> {
  return { [halfLabel]: i % 2 === 0 ? "even" : "odd" };
}

/** How many of `clusters` the half selector matches (the even-numbered ones, 0 included). */
export function halfCount(clusters: number): number {
  return Math.ceil(clusters / 2);
}

/** The phases the live-update changes move a cluster between. */
export type BenchPhase = "Running" | "Degraded";

/**
 * A running cluster's status as the operator would report it, written by
 * the benchmark through the status subresource (the clusters are paused: no
 * control plane, nothing else writes it): a phase, the version, three ready
 * nodes, a backup an hour old, Ready True.
 */
export function clusterStatus(o: { phase: BenchPhase; version: string; now: Date }): Record<string, unknown> {
  const at = o.now.toISOString();
  return {
    phase: o.phase,
    version: o.version,
    nodes: { ready: 3, total: 3 },
    lastBackupTime: new Date(o.now.getTime() - 3_600_000).toISOString(),
    conditions: [{ type: "Ready", status: "True", reason: "ControlPlaneReady", message: "benchmark", lastTransitionTime: at }],
  };
}

/** One planned phase change: which cluster, to what. */
export interface PhaseChange {
  readonly cluster: string;
  readonly phase: BenchPhase;
}

/**
 * `changes` phase changes over `clusters` clusters that all start Running:
 * round-robin over the clusters, each change flipping its cluster's phase
 * (Running → Degraded → Running …), so that every change is visible.
 */
export function planPhaseChanges(changes: number, clusters: number): PhaseChange[] {
  const current = new Map<number, BenchPhase>();
  return Array.from({ length: changes }, (_, k) => {
    const i = k % clusters;
    const phase: BenchPhase = (current.get(i) ?? "Running") === "Running" ? "Degraded" : "Running";
    current.set(i, phase);
    return { cluster: clusterName(i), phase };
  });
}

/** Milliseconds to a tenth. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Samples of a latency in ms: how many, p50, p99 (nearest rank: with 20 samples, the largest), min and max; the samples as taken. */
export interface Latencies {
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly samples: readonly number[];
}

/** The latency figures of `samples` (ms). */
export function latencies(samples: readonly number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number | null => {
    const value = nearestRank(sorted, q);
    return value === undefined ? null : roundMs(value);
  };
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), min: sorted.length === 0 ? null : roundMs(sorted[0] ?? 0), max: at(1), samples: samples.map(roundMs) };
}

/** One file of the built bundle. */
export interface BundleFile {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bytes of one kind of asset: raw and gzipped. */
export interface BundleTotals {
  readonly files: number;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** The bundle's figures: totals for JavaScript, CSS and both; source maps and other files are left out. */
export function bundleFigures(files: readonly BundleFile[]): { js: BundleTotals; css: BundleTotals; total: BundleTotals; files: BundleFile[] } {
  const sum = (list: readonly BundleFile[]): BundleTotals => ({
    files: list.length,
    bytes: list.reduce((s, f) => s + f.bytes, 0),
    gzipBytes: list.reduce((s, f) => s + f.gzipBytes, 0),
  });
  const js = files.filter((f) => f.name.endsWith(".js"));
  const css = files.filter((f) => f.name.endsWith(".css"));
  const counted = [...js, ...css].sort((a, b) => a.name.localeCompare(b.name));
  return { js: sum(js), css: sum(css), total: sum(counted), files: counted };
}

/** Bytes as MiB to a hundredth. */
export function mebibytes(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 100) / 100;
}
