// The pure side of the add-ons benchmark: the memory a round needs, the
// latency figures from each cluster's first sightings, and the steady-state
// figures from two readings of the operator's /metrics.
import { nearestRank } from "../lib/nearest-rank.ts";

/** What one tenant on the local driver with a shared datastore takes, MiB (kube-apiserver, controller-manager, scheduler, kwok, its share of the shared etcd), rounded up. */
export const memoryPerClusterMiB = 230;
/** What the management API, the operator and the machine itself keep, MiB. */
export const memoryReserveMiB = 1024;

/** Why `clusters` tenants do not fit into `availableMiB` (MemAvailable), naming --clusters; undefined when they fit. */
export function memoryShortfall(availableMiB: number, clusters: number): string | undefined {
  const needed = clusters * memoryPerClusterMiB + memoryReserveMiB;
  if (availableMiB >= needed) return undefined;
  const fits = Math.max(0, Math.floor((availableMiB - memoryReserveMiB) / memoryPerClusterMiB));
  return `--clusters ${String(clusters)} needs about ${String(needed)} MiB (${String(memoryPerClusterMiB)} MiB per cluster + ${String(memoryReserveMiB)} MiB), but MemAvailable is ${String(Math.floor(availableMiB))} MiB: at most ${String(fits)} cluster(s) fit; lower --clusters`;
}

/** The p50, p90 and largest of some durations in seconds (nearest rank: always a value that was measured), to a tenth; null for none. */
export interface Latencies {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

const tenth = (x: number): number => Math.round(x * 10) / 10;

/** p50, p90 and max of durations in seconds. */
export function latencies(seconds: readonly number[]): Latencies {
  const sorted = [...seconds].sort((a, b) => a - b);
  const at = (q: number): number | null => {
    const value = nearestRank(sorted, q);
    return value === undefined ? null : tenth(value);
  };
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: at(1) };
}

/** When the benchmark first saw a cluster in each state (performance.now() milliseconds). */
export interface Sightings {
  readonly createdAtMs: number;
  readonly runningAtMs?: number;
  /** AddonsReady first seen at all (True or False): the add-on controller's first pass has applied the objects. */
  readonly addonsReportedAtMs?: number;
  readonly addonsReadyAtMs?: number;
}

/** The figures of the wait for add-ons of one round. */
export interface ReadyFigures {
  /** From first seen Running to first seen AddonsReady=True, per cluster. */
  readonly runningToAddonsReadySeconds: Latencies;
  /** From first seen Running to AddonsReady first seen at all: how much of the above is the first pass, the rest is the workloads starting. */
  readonly runningToAddonsReportedSeconds: Latencies;
  /** From the create request to first seen Running, per cluster (context: the control plane's start). */
  readonly createdToRunningSeconds: Latencies;
  /** From the first create request to the last cluster seen AddonsReady. */
  readonly allAddonsReadySeconds: number | null;
  /** From the last cluster seen Running to the last seen AddonsReady: what add-ons add to the round. */
  readonly allAddonsReadyAfterAllRunningSeconds: number | null;
}

/** The figures of one round's sightings; clusters not seen in a state are left out of that state's figures. */
export function readyFigures(sightings: readonly Sightings[]): ReadyFigures {
  const seconds = (from: number | undefined, to: number | undefined): number[] => (from === undefined || to === undefined ? [] : [(to - from) / 1000]);
  const firstCreated = Math.min(...sightings.map((s) => s.createdAtMs));
  const lastOf = (pick: (s: Sightings) => number | undefined): number | undefined => {
    const times = sightings.map(pick);
    return times.some((t) => t === undefined) || times.length === 0 ? undefined : Math.max(...(times as number[]));
  };
  const lastRunning = lastOf((s) => s.runningAtMs);
  const lastReady = lastOf((s) => s.addonsReadyAtMs);
  return {
    runningToAddonsReadySeconds: latencies(sightings.flatMap((s) => seconds(s.runningAtMs, s.addonsReadyAtMs))),
    runningToAddonsReportedSeconds: latencies(sightings.flatMap((s) => seconds(s.runningAtMs, s.addonsReportedAtMs))),
    createdToRunningSeconds: latencies(sightings.flatMap((s) => seconds(s.createdAtMs, s.runningAtMs))),
    allAddonsReadySeconds: lastReady === undefined ? null : tenth((lastReady - firstCreated) / 1000),
    allAddonsReadyAfterAllRunningSeconds: lastReady === undefined || lastRunning === undefined ? null : tenth((lastReady - lastRunning) / 1000),
  };
}

/** One sample of the Prometheus text format. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const sampleLine = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPair = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a /metrics page (text format 0.0.4); comments and lines it cannot read are left out. */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    const match = sampleLine.exec(line.trim());
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(labelPair)) labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] ?? "", labels, value });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `match`, by the value of `by` (all under "" without `by`). */
export function metricBy(samples: readonly MetricSample[], name: string, match: Readonly<Record<string, string>> = {}, by?: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || Object.entries(match).some(([k, v]) => s.labels[k] !== v)) continue;
    const key = by === undefined ? "" : (s.labels[by] ?? "");
    sums[key] = (sums[key] ?? 0) + s.value;
  }
  return sums;
}

/** How each counter grew from `before` to `after` (keys of either), leaving out those that did not. */
export function growth(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0);
    if (delta !== 0) grown[key] = delta;
  }
  return grown;
}

const sum = (values: Readonly<Record<string, number>>): number => Object.values(values).reduce((a, b) => a + b, 0);
const hundredth = (x: number): number => Math.round(x * 100) / 100;

/** The add-on controller's metric names this benchmark reads. */
export const addonMetrics = { requests: "seedbed_addon_tenant_requests_total", watches: "seedbed_addon_watches", reconciles: "seedbed_reconcile_total" } as const;

/** What the add-on controller did in a quiet window, from /metrics read at its start and end. */
export interface SteadyFigures {
  readonly windowSeconds: number;
  /** Requests the add-on controller sent to tenants in the window (target 0), by action. */
  readonly tenantRequests: number;
  readonly tenantRequestsByAction: Record<string, number>;
  readonly tenantRequestsPerClusterPerMinute: number;
  /** Watches open on tenants at the end of the window. */
  readonly watches: number;
  readonly watchesPerCluster: number;
  /** Passes of the add-on controller in the window, by result. */
  readonly addonReconciles: number;
  readonly addonReconcilesByResult: Record<string, number>;
  readonly addonReconcilesPerClusterPerMinute: number;
}

/** The steady-state figures of `clusters` clusters over a window of `windowSeconds` between two /metrics readings. */
export function steadyFigures(before: readonly MetricSample[], after: readonly MetricSample[], clusters: number, windowSeconds: number): SteadyFigures {
  const requests = growth(metricBy(before, addonMetrics.requests, {}, "action"), metricBy(after, addonMetrics.requests, {}, "action"));
  const reconciles = growth(metricBy(before, addonMetrics.reconciles, { controller: "addons" }, "result"), metricBy(after, addonMetrics.reconciles, { controller: "addons" }, "result"));
  const watches = sum(metricBy(after, addonMetrics.watches));
  const perClusterPerMinute = (n: number): number => (clusters === 0 || windowSeconds === 0 ? 0 : hundredth(n / clusters / (windowSeconds / 60)));
  return {
    windowSeconds: tenth(windowSeconds),
    tenantRequests: sum(requests),
    tenantRequestsByAction: requests,
    tenantRequestsPerClusterPerMinute: perClusterPerMinute(sum(requests)),
    watches,
    watchesPerCluster: clusters === 0 ? 0 : hundredth(watches / clusters),
    addonReconciles: sum(reconciles),
    addonReconcilesByResult: reconciles,
    addonReconcilesPerClusterPerMinute: perClusterPerMinute(sum(reconciles)),
  };
}

/** One change of a Cluster's AddonsReady as the benchmark saw it (performance.now() milliseconds). */
export interface AddonsReadyChange {
  readonly status: string;
  readonly atMs: number;
  readonly message?: string;
}

/** What a cluster's AddonsReady did after `sinceMs` (a drift): whether it went False, and the seconds until it was True again after that; null when it never went False or is not True again. */
export function addonsReadyAfter(changes: readonly AddonsReadyChange[], sinceMs: number): { wentFalse: boolean; trueAgainSeconds: number | null } {
  const after = changes.filter((c) => c.atMs >= sinceMs);
  const firstFalse = after.findIndex((c) => c.status !== "True");
  if (firstFalse < 0) return { wentFalse: false, trueAgainSeconds: null };
  const again = after.slice(firstFalse).find((c) => c.status === "True");
  return { wentFalse: true, trueAgainSeconds: again === undefined ? null : tenth((again.atMs - sinceMs) / 1000) };
}

/** Fields every update moves, left out of changedPaths. */
const bookkeeping = new Set(["metadata.resourceVersion", "metadata.managedFields"]);

/**
 * The paths of the fields that differ between two versions of an object,
 * e.g. "status.controlPlane.datastore.bytes". Lists of objects with a
 * `type` or `name` (conditions, members) are compared element by element
 * under that key ("status.controlPlane.members[etcd-0].dbSizeBytes",
 * "status.conditions[Ready]" for one added or removed); other lists whole.
 * Pure.
 */
export function changedPaths(before: unknown, after: unknown, path = ""): string[] {
  if (bookkeeping.has(path)) return [];
  if (Array.isArray(before) || Array.isArray(after)) return changedListPaths(before, after, path);
  if (!isRecord(before) || !isRecord(after)) return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((key) => changedPaths(before[key], after[key], path === "" ? key : `${path}.${key}`));
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A list's elements by their `type` or `name`, or undefined when not every element has one. */
function keyed(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries = list.map((e): [string, unknown] | undefined => {
    const key = isRecord(e) ? (e.type ?? e.name) : undefined;
    return typeof key === "string" ? [key, e] : undefined;
  });
  return entries.every((e) => e !== undefined) ? new Map(entries) : undefined;
}

function changedListPaths(before: unknown, after: unknown, path: string): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const [a, b] = [keyed(before), keyed(after)];
  if (a === undefined || b === undefined) return [path];
  return [...new Set([...a.keys(), ...b.keys()])].sort().flatMap((key) => {
    const [x, y] = [a.get(key), b.get(key)];
    return x === undefined || y === undefined ? [`${path}[${key}]`] : changedPaths(x, y, `${path}[${key}]`);
  });
}

/** How often each path changed, most frequent first. */
export function countPaths(changes: readonly (readonly string[])[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const paths of changes) for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
}
