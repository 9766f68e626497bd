// The pure side of the policy benchmark: names and specs of the fleet and
// its policies, the memory a run needs, and every figure computed from what
// the run recorded (sightings, agent stats, worker RSS, object sizes).
import type { ClusterPolicy, ClusterSync } from "@seedbed/api";
import { nearestRank } from "../lib/nearest-rank.ts";

/** The label every benchmark Cluster carries; policies select the value "in". */
export const selectionLabel = "bench.seedbed.dev/policy";
/** The label a change adds to a policy's namespace entry; its value counts the changes. */
export const changeLabel = "bench.seedbed.dev/change";

/** Names sorted as numbers: `prefix-000` … with the width of the largest index. */
function paddedNames(prefix: string, count: number): string[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, "0")}`);
}

/** The names of the benchmark's Clusters. */
export const clusterNames = (count: number): string[] => paddedNames("c", count);
/** The names of the benchmark's ClusterPolicies. */
export const policyNames = (count: number): string[] => paddedNames("p", count);

/** How many of `clusters` the policies select: a fraction in (0, 1], at least one. */
export function selectedCount(clusters: number, fraction: number): number {
  return Math.min(clusters, Math.max(1, Math.ceil(clusters * fraction)));
}

/** The labels of cluster `index`: the first `selected` are in, the rest out. */
export function clusterLabels(index: number, selected: number): Record<string, string> {
  return { [selectionLabel]: index < selected ? "in" : "out", env: "bench" };
}

/**
 * What policy `name` keeps on every cluster it selects: a namespace of its
 * own (labelled), a Role in it and a RoleBinding of that Role; `change`
 * (0 at creation) is the value of a label on the namespace entry, so each
 * change is a new generation that the agents must apply.
 */
export function policySpec(name: string, change = 0): ClusterPolicy["spec"] {
  const namespace = `bench-${name}`;
  const labels: Record<string, string> = { "team.example.com/name": name, ...(change === 0 ? {} : { [changeLabel]: String(change) }) };
  return {
    clusterSelector: { matchLabels: { [selectionLabel]: "in" } },
    namespaces: [{ name: namespace, labels }],
    roles: [{ name: "reader", namespace, rules: [{ apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "watch"] }] }],
    bindings: [{ name: "readers", namespace, roleRef: { kind: "Role", name: "reader" }, subjects: [{ kind: "Group", name: `${name}-readers` }] }],
    prune: true,
  };
}

/** Round-robin: the indices of `items` that go to each of `buckets` buckets. */
export function roundRobin(items: number, buckets: number): number[][] {
  const out: number[][] = Array.from({ length: Math.max(1, buckets) }, () => []);
  for (let i = 0; i < items; i += 1) out[i % out.length]?.push(i);
  return out;
}

/** The generation each policy the ClusterSync's status reports InSync is in sync at, by policy name. */
export function inSyncGenerations(sync: Pick<ClusterSync, "status">): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of sync.status?.policies ?? []) if (entry.state === "InSync") found.set(entry.name, entry.observedGeneration);
  return found;
}

/** Whether every policy in `wanted` (name → generation) is InSync at that generation or later. */
export function allInSync(inSync: ReadonlyMap<string, number>, wanted: ReadonlyMap<string, number>): boolean {
  for (const [name, generation] of wanted) if ((inSync.get(name) ?? -1) < generation) return false;
  return true;
}

/** What one API server takes, MiB (measured: etcd ~55 and kube-apiserver ~370 when nearly empty); the management one holds more objects. */
export const apiServerMiB = 450;
/** The management API with the fleet's objects, MiB. */
export const managementMiB = 600;
/** A worker process before any agent, MiB (measured: ~170 with the agent code loaded). */
export const workerBaseMiB = 180;
/** One agent, MiB (measured ~5 at 10 agents; twice that, for headroom). */
export const agentMiB = 10;
/** The hub process, MiB. */
export const hubMiB = 250;
/** The machine itself and this process, MiB. */
export const reserveMiB = 1024;

/** The shape of a run, as far as memory goes. */
export interface RunShape {
  readonly clusters: number;
  readonly tenantServers: number;
  readonly agentProcesses: number;
}

/** MiB a run of this shape needs. */
export function memoryNeededMiB(shape: RunShape): number {
  return managementMiB + shape.tenantServers * apiServerMiB + (shape.agentProcesses + 1) * workerBaseMiB + shape.clusters * agentMiB + hubMiB + reserveMiB;
}

/** Why a run of this shape does not fit into `availableMiB` (MemAvailable), naming the flags to lower; undefined when it fits. */
export function memoryShortfall(availableMiB: number, shape: RunShape): string | undefined {
  const needed = memoryNeededMiB(shape);
  if (availableMiB >= needed) return undefined;
  return `--clusters ${String(shape.clusters)} with --tenant-servers ${String(shape.tenantServers)} and --agent-processes ${String(shape.agentProcesses)} needs about ${String(needed)} MiB (${String(agentMiB)} MiB per agent, ${String(apiServerMiB)} MiB per tenant API server, ${String(managementMiB)} MiB for the management API, ${String(reserveMiB)} MiB reserve), but MemAvailable is ${String(Math.floor(availableMiB))} MiB: lower --clusters or --tenant-servers`;
}

/** p50, p99 and largest of durations in seconds (nearest rank: always a value that was measured), to the millisecond; null for none. */
export interface Latencies {
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

const milli = (x: number): number => Math.round(x * 1000) / 1000;
const hundredth = (x: number): number => Math.round(x * 100) / 100;

/** p50, p99 and max of durations in seconds. */
export function latencies(seconds: readonly number[]): Latencies {
  const sorted = [...seconds].sort((a, b) => a - b);
  const at = (q: number): number | null => {
    const value = nearestRank(sorted, q);
    return value === undefined ? null : milli(value);
  };
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** Seconds from `startMs` to each sighting (performance.now() milliseconds); clusters not seen are counted apart. */
export function secondsSince(startMs: number, sightings: readonly (number | undefined)[]): { seconds: number[]; missing: number } {
  const seen = sightings.filter((t): t is number => t !== undefined);
  return { seconds: seen.map((t) => (t - startMs) / 1000), missing: sightings.length - seen.length };
}

/** Where the time of a sync went, per cluster: the hub listing the policy in the ClusterSync, then the agent reporting it InSync. */
export interface PhaseSplit {
  /** From the start to the ClusterSync's spec listing the policies at their generation (the hub). */
  readonly hubSeconds: Latencies;
  /** From that listing to the status showing them InSync (the agent: read, apply, status write). */
  readonly agentSeconds: Latencies;
}

/** The split of each cluster's sync between the hub and its agent (sightings in performance.now() milliseconds, by cluster). */
export function phaseSplit(startMs: number, listed: readonly (number | undefined)[], inSync: readonly (number | undefined)[]): PhaseSplit {
  const agent = listed.flatMap((l, i) => {
    const s = inSync[i];
    return l === undefined || s === undefined ? [] : [(s - l) / 1000];
  });
  return { hubSeconds: latencies(secondsSince(startMs, listed).seconds), agentSeconds: latencies(agent) };
}

/** What an agent counts (PolicyAgent.stats()). */
export interface AgentCounts {
  readonly managementRequests: number;
  readonly tenantRequests: number;
  readonly writes: number;
  readonly tenantWrites: number;
  readonly passes: number;
}

const zero: AgentCounts = { managementRequests: 0, tenantRequests: 0, writes: 0, tenantWrites: 0, passes: 0 };

/** The sum of several agents' counts. */
export function sumCounts(all: readonly AgentCounts[]): AgentCounts {
  return all.reduce<AgentCounts>((s, c) => ({
    managementRequests: s.managementRequests + c.managementRequests,
    tenantRequests: s.tenantRequests + c.tenantRequests,
    writes: s.writes + c.writes,
    tenantWrites: s.tenantWrites + c.tenantWrites,
    passes: s.passes + c.passes,
  }), zero);
}

/** `after − before`, field by field. */
export function countsDelta(before: AgentCounts, after: AgentCounts): AgentCounts {
  return {
    managementRequests: after.managementRequests - before.managementRequests,
    tenantRequests: after.tenantRequests - before.tenantRequests,
    writes: after.writes - before.writes,
    tenantWrites: after.tenantWrites - before.tenantWrites,
    passes: after.passes - before.passes,
  };
}

/** What the agents did in a quiet window. */
export interface IdleFigures {
  readonly windowSeconds: number;
  /** Everything the agents did in the window (watches not counted). */
  readonly total: AgentCounts;
  /** Management plus tenant requests per agent per minute (target 0). */
  readonly requestsPerAgentPerMinute: number;
  /** Agents that made any request in the window. */
  readonly agentsWithRequests: number;
}

/** The idle figures of `agents` agents from their counts at the start and the end of a window. */
export function idleFigures(before: readonly AgentCounts[], after: readonly AgentCounts[], windowSeconds: number): IdleFigures {
  const deltas = after.map((a, i) => countsDelta(before[i] ?? zero, a));
  const total = sumCounts(deltas);
  const requests = total.managementRequests + total.tenantRequests;
  const agents = after.length;
  return {
    windowSeconds: hundredth(windowSeconds),
    total,
    requestsPerAgentPerMinute: agents === 0 || windowSeconds === 0 ? 0 : hundredth(requests / agents / (windowSeconds / 60)),
    agentsWithRequests: deltas.filter((d) => d.managementRequests + d.tenantRequests > 0).length,
  };
}

/** The agents' memory from their workers' RSS. */
export interface MemoryFigures {
  readonly workersRssMiB: number[];
  /** RSS of a worker that loaded the same code and runs no agent. */
  readonly emptyWorkerRssMiB: number;
  /** Σ worker RSS − workers × empty worker RSS: what the agents themselves take. */
  readonly agentsMiB: number;
  readonly perAgentMiB: number;
  readonly workersHeapUsedMiB: number[];
}

/** Memory per agent: (Σ worker RSS − K × RSS of an empty worker) / agents. */
export function memoryFigures(workers: readonly { rssMiB: number; heapUsedMiB: number }[], emptyRssMiB: number, agents: number): MemoryFigures {
  const total = workers.reduce((s, w) => s + w.rssMiB, 0);
  const agentsMiB = Math.max(0, total - workers.length * emptyRssMiB);
  return {
    workersRssMiB: workers.map((w) => hundredth(w.rssMiB)),
    emptyWorkerRssMiB: hundredth(emptyRssMiB),
    agentsMiB: hundredth(agentsMiB),
    perAgentMiB: agents === 0 ? 0 : hundredth(agentsMiB / agents),
    workersHeapUsedMiB: workers.map((w) => hundredth(w.heapUsedMiB)),
  };
}

/** The objects of one kind the management API holds for one cluster, and their bytes. */
export interface KindFootprint {
  readonly objects: number;
  readonly bytes: number;
}

/** Per-kind object counts and bytes, averaged over clusters, and the largest per-cluster total. */
export interface FootprintFigures {
  readonly perCluster: Record<string, { objects: number; bytes: number }>;
  readonly perClusterTotal: { objects: number; bytes: number; maxBytes: number };
}

/** The per-cluster footprint from each cluster's objects by kind. */
export function footprintFigures(clusters: readonly Readonly<Record<string, KindFootprint>>[]): FootprintFigures {
  const kinds = [...new Set(clusters.flatMap((c) => Object.keys(c)))].sort();
  const n = Math.max(1, clusters.length);
  const perCluster: Record<string, { objects: number; bytes: number }> = {};
  for (const kind of kinds) {
    const objects = clusters.reduce((s, c) => s + (c[kind]?.objects ?? 0), 0);
    const bytes = clusters.reduce((s, c) => s + (c[kind]?.bytes ?? 0), 0);
    perCluster[kind] = { objects: hundredth(objects / n), bytes: Math.round(bytes / n) };
  }
  const totals = clusters.map((c) => Object.values(c).reduce((s, k) => ({ objects: s.objects + k.objects, bytes: s.bytes + k.bytes }), { objects: 0, bytes: 0 }));
  return {
    perCluster,
    perClusterTotal: {
      objects: hundredth(totals.reduce((s, t) => s + t.objects, 0) / n),
      bytes: Math.round(totals.reduce((s, t) => s + t.bytes, 0) / n),
      maxBytes: Math.max(0, ...totals.map((t) => t.bytes)),
    },
  };
}

/** A count of changes seen in a window, per cluster per minute. */
export function perClusterPerMinute(count: number, clusters: number, windowSeconds: number): number {
  return clusters === 0 || windowSeconds === 0 ? 0 : hundredth(count / clusters / (windowSeconds / 60));
}
