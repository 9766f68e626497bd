// One run of the policy benchmark, phase by phase (see main.ts for what is
// measured): the platform, the fleet and its agents, the initial sync, the
// changes, the quiet window, then what is stored and held.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterSyncPolicyRef } from "@seedbed/api";
import { cpuSeconds } from "../scale/measure.ts";
import { startHub, Worker } from "./children.ts";
import { clusterFootprints, policyStatusSizes } from "./footprint.ts";
import { clusterNames, footprintFigures, idleFigures, latencies, memoryFigures, perClusterPerMinute, phaseSplit, policyNames, roundRobin, secondsSince, selectedCount, sumCounts, type AgentCounts, type Latencies, type PhaseSplit } from "./figures.ts";
import { Hub, waitAllInSync, type WaitOptions } from "./fleet.ts";
import { makeIdentities } from "./identities.ts";
import { SyncObserver } from "./observe.ts";
import type { Platform } from "./platform.ts";
import type { AgentSpec } from "./protocol.ts";

/** What a run is given. */
export interface RunOptions {
  readonly policies: number;
  readonly clusters: number;
  readonly selectedFraction: number;
  readonly tenantServers: number;
  readonly agentProcesses: number;
  readonly changes: number;
  readonly quietSeconds: number;
  readonly settleSeconds: number;
  readonly timeoutMs: number;
  readonly logLevel: string;
  readonly debounceMs?: number;
  readonly log: (message: string) => void;
}

/** The project namespace of every benchmark object. */
export const namespace = "project-bench";

const safeCpu = (pid: number | undefined): number => {
  try {
    return pid === undefined ? 0 : cpuSeconds(pid);
  } catch {
    return 0;
  }
};
const rss = (pid: number | undefined): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid ?? 0)}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};
const tenth = (x: number): number => Math.round(x * 10) / 10;

/** The latest of some sightings, or undefined when one is missing. */
function lastOf(times: readonly (number | undefined)[]): number | undefined {
  return times.some((t) => t === undefined) ? undefined : Math.max(...(times as number[]));
}

/** The hub/agent split of pooled samples, each against the start of its own change. */
function pooledSplit(starts: readonly number[], listed: readonly (number | undefined)[], inSync: readonly (number | undefined)[]): PhaseSplit {
  const hub = listed.flatMap((l, i) => (l === undefined ? [] : [(l - (starts[i] ?? l)) / 1000]));
  const agent = phaseSplit(0, listed, inSync).agentSeconds;
  return { hubSeconds: latencies(hub), agentSeconds: agent };
}

/** Starts the workers (and the empty one), hands out the agents round-robin, and starts them; returns the empty worker. */
async function startAgents(platform: Platform, o: RunOptions, specs: readonly AgentSpec[]): Promise<Worker> {
  const empty = await Worker.start("the empty worker", join(platform.workDir, "worker-empty.log"), o.logLevel);
  platform.workers.push(empty);
  for (let k = 0; k < o.agentProcesses; k += 1) platform.workers.push(await Worker.start(`worker ${String(k)}`, join(platform.workDir, `worker-${String(k)}.log`), o.logLevel));
  const shares = roundRobin(specs.length, o.agentProcesses);
  const began = performance.now();
  const results = await Promise.all(platform.workers.slice(1).map((w, k) => w.startAgents(namespace, (shares[k] ?? []).map((i) => specs[i] as AgentSpec), o.timeoutMs, o.debounceMs)));
  const failed = results.reduce((s, r) => s + r.failed, 0);
  if (failed > 0) throw new Error(`${String(failed)} agent(s) did not start, e.g. ${results.flatMap((r) => r.failures).slice(0, 3).join("; ")}`);
  o.log(`${String(specs.length)} agents started in ${String(o.agentProcesses)} worker(s) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return empty;
}

/** Every worker's stats (the empty one first). */
async function readStats(platform: Platform): Promise<Awaited<ReturnType<Worker["stats"]>>[]> {
  return Promise.all(platform.workers.map((w) => w.stats()));
}

const agentCounts = (stats: Awaited<ReturnType<typeof readStats>>): AgentCounts[] => stats.slice(1).flatMap((s) => s.agents);

/** Runs the benchmark on a started platform; returns its figures. */
export async function runBenchmark(platform: Platform, o: RunOptions): Promise<Record<string, unknown>> {
  await platform.startAPIs(namespace, o.tenantServers, o.log);
  const management = platform.management;
  if (management === undefined) throw new Error("no management API");
  const admin = management.kubeConfig();
  const hub = new Hub(admin, namespace);
  platform.onStop(() => hub.close());
  const wait: WaitOptions = { timeoutMs: o.timeoutMs, alive: () => platform.alive(), log: o.log };

  // The fleet: C Clusters, the first of which the policies select; an agent identity for each selected one.
  const names = clusterNames(o.clusters);
  const selected = selectedCount(o.clusters, o.selectedFraction);
  const clusters = await hub.createClusters(names, selected);
  const selectedNames = names.slice(0, selected);
  const policies = policyNames(o.policies);
  o.log(`${String(o.clusters)} Clusters created, ${String(selected)} selected by the policies`);
  const refs: ClusterSyncPolicyRef[] = policies.map((name) => ({ namespace, name, uid: "", generation: 0 }));
  const files = await makeIdentities({ admin, clusters: clusters.slice(0, selected), policies: refs, dir: join(platform.workDir, "agents"), log: o.log });

  platform.hub = await startHub(management.kubeconfigPath, join(platform.workDir, "hub.log"), o.logLevel);
  o.log(`hub started (pid ${String(platform.hub.pid ?? 0)})`);
  const observer = new SyncObserver(admin, namespace);
  await observer.start();
  platform.onStop(() => observer.stop());

  const specs: AgentSpec[] = selectedNames.map((cluster, i) => ({ cluster, managementKubeConfigFile: files.get(cluster) ?? "", tenantKubeConfigFile: platform.tenants[i % platform.tenants.length]?.kubeconfigPath ?? "" }));
  o.log(`shared tenants: ${String(specs.length)} agents on ${String(o.tenantServers)} tenant API server(s), about ${String(Math.ceil(specs.length / o.tenantServers))} per server (benchmark only)`);
  await startAgents(platform, o, specs);
  const workerPids = platform.workers.slice(1).map((w) => w.child.pid);
  const cpu = (): { hub: number; workers: number } => ({ hub: safeCpu(platform.hub?.pid), workers: workerPids.reduce((s: number, pid) => s + safeCpu(pid), 0) });

  // 1. Initial sync: from the first create request to every selected ClusterSync showing every policy InSync at generation 1.
  const cpuBeforeSync = cpu();
  const created = performance.now();
  const made = await hub.createPolicies(policies);
  const wanted = new Map(made.map((p) => [p.metadata.name ?? "", p.metadata.generation ?? 1]));
  await waitAllInSync(observer, selectedNames, wanted, `InSync with all ${String(o.policies)} policies`, wait);
  const perCluster = selectedNames.map((c) => lastOf([...wanted].map(([p, g]) => observer.inSyncAt(c, p, g))));
  const listedPerCluster = selectedNames.map((c) => lastOf([...wanted].map(([p, g]) => observer.listedAt(c, p, g))));
  const initial = secondsSince(created, perCluster);
  const initialSplit = phaseSplit(created, listedPerCluster, perCluster);
  const initialSeconds = latencies(initial.seconds);
  const cpuAfterSync = cpu();
  o.log(`initial sync: all ${String(selected)} clusters InSync with ${String(o.policies)} policies after ${String(initialSeconds.max)} s (p50 ${String(initialSeconds.p50)} s)`);

  // 2. Changes: one policy at a time; per cluster, from the patch request to its ClusterSync showing it InSync at the new generation.
  const samples: number[] = [];
  const perChange: ({ policy: string; generation: number; seconds: Latencies } & PhaseSplit)[] = [];
  // Each change's hub and agent sightings, pooled: the split is taken per sample, against its own change's start.
  const listedSamples: (number | undefined)[] = [];
  const inSyncSamples: (number | undefined)[] = [];
  const startSamples: number[] = [];
  for (let k = 1; k <= o.changes; k += 1) {
    await sleep(o.settleSeconds * 1000);
    const policy = policies[(k - 1) % policies.length] ?? "";
    const t0 = performance.now();
    const generation = await hub.changePolicy(policy, k);
    await waitAllInSync(observer, selectedNames, new Map([[policy, generation]]), `InSync with ${policy} at generation ${String(generation)}`, wait);
    const inSync = selectedNames.map((c) => observer.inSyncAt(c, policy, generation));
    const listed = selectedNames.map((c) => observer.listedAt(c, policy, generation));
    const change = secondsSince(t0, inSync);
    samples.push(...change.seconds);
    listedSamples.push(...listed);
    inSyncSamples.push(...inSync);
    startSamples.push(...listed.map(() => t0));
    const seconds = latencies(change.seconds);
    const split = phaseSplit(t0, listed, inSync);
    perChange.push({ policy, generation, seconds, ...split });
    o.log(`change ${String(k)} (${policy} → generation ${String(generation)}): p50 ${String(seconds.p50)} s, p99 ${String(seconds.p99)} s, max ${String(seconds.max)} s (hub listed it by p99 ${String(split.hubSeconds.p99)} s)`);
  }

  // 3. Quiet window: nothing is done; what the agents and the ClusterSyncs show of it.
  await sleep(o.settleSeconds * 1000);
  const before = await readStats(platform);
  const cpuBeforeQuiet = cpu();
  const quietFrom = performance.now();
  o.log(`quiet window of ${String(o.quietSeconds)} s`);
  await sleep(o.quietSeconds * 1000);
  const after = await readStats(platform);
  const quietTo = performance.now();
  const cpuAfterQuiet = cpu();
  const windowSeconds = (quietTo - quietFrom) / 1000;
  const idle = idleFigures(agentCounts(before), agentCounts(after), windowSeconds);
  const syncWrites = observer.writesBetween(quietFrom, quietTo);
  o.log(`idle: ${String(idle.requestsPerAgentPerMinute)} requests per agent per minute, ${String(syncWrites)} ClusterSync writes in the window`);

  // 4. Memory and 5. what is stored.
  const memory = memoryFigures(after.slice(1), after[0]?.rssMiB ?? 0, selected);
  const footprints = await clusterFootprints(admin, namespace, selectedNames);
  const statuses = await policyStatusSizes(admin, namespace, policies);
  const totals = sumCounts(agentCounts(after));
  const managementPids = management.pids();
  return {
    initialSync: { ...initialSeconds, allSeconds: initialSeconds.max, notSeen: initial.missing, ...initialSplit, note: "per cluster: from the first ClusterPolicy create request to its ClusterSync status showing every policy InSync at generation 1 (a watch on the ClusterSyncs); hubSeconds: to its spec listing all of them at generation 1; agentSeconds: from that listing to InSync" },
    changePropagation: { seconds: latencies(samples), ...pooledSplit(startSamples, listedSamples, inSyncSamples), changes: perChange, note: "per cluster and change: from the patch request (a label added to the policy's namespace entry) to its ClusterSync status showing that policy InSync at the new generation; samples of all changes pooled" },
    managementFootprint: {
      withManagedFields: footprintFigures(footprints.map((f) => f.withManagedFields)),
      withoutManagedFields: footprintFigures(footprints.map((f) => f.withoutManagedFields)),
      note: "per selected cluster: its ClusterSync and its agent's ServiceAccount, Role and RoleBinding, read back with GET; bytes are the UTF-8 length of JSON.stringify of the object as served, managedFields included (as etcd stores them) and again without; tokens come from the TokenRequest API and are stored nowhere",
    },
    clusterPolicyStatus: {
      maxStatusBytes: Math.max(...statuses.map((s) => s.statusBytes)),
      maxObjectBytes: Math.max(...statuses.map((s) => s.objectBytes)),
      maxOffenders: Math.max(...statuses.map((s) => s.offenders)),
      selectedClusters: statuses[0]?.selectedClusters ?? null,
      inSyncClusters: Math.min(...statuses.map((s) => s.inSyncClusters ?? 0)),
      note: "counts and at most 10 offenders: its size does not depend on the number of clusters",
    },
    agentMemory: { ...memory, totalMiB: memory.agentsMiB },
    idle: { ...idle, clusterSyncWrites: syncWrites, clusterSyncWritesPerClusterPerMinute: perClusterPerMinute(syncWrites, selected, windowSeconds), workersCpuSeconds: tenth(cpuAfterQuiet.workers - cpuBeforeQuiet.workers), hubCpuSeconds: tenth(cpuAfterQuiet.hub - cpuBeforeQuiet.hub), note: "requests are counted by each agent (stats()), watches not counted; ClusterSync writes are new resourceVersions seen by the benchmark's watch" },
    agentTotals: { ...totals, tenantWritesPerAgent: tenth(totals.tenantWrites / Math.max(1, selected)), managementRequestsPerAgent: tenth(totals.managementRequests / Math.max(1, selected)) },
    hub: { rssMiB: tenth(rss(platform.hub.pid)), cpuSecondsInitialSync: tenth(cpuAfterSync.hub - cpuBeforeSync.hub), cpuSecondsTotal: tenth(cpuAfterQuiet.hub) },
    workers: { cpuSecondsInitialSync: tenth(cpuAfterSync.workers - cpuBeforeSync.workers) },
    managementAPI: { rssMiB: Object.fromEntries([...managementPids].map(([component, pid]) => [component, tenth(rss(pid))])), cpuSeconds: Object.fromEntries([...managementPids].map(([component, pid]) => [component, tenth(safeCpu(pid))])) },
  };
}
