// density on the production path: tenant control planes as real pods of a
// one-node real seed (bench/lib/real-seed-platform.ts). Per tenant, from
// the node's pod cgroups (<cgroupRoot>/kubepods/…/pod<uid>): PSS and RSS
// summed over the processes of its pods (pause included), the cgroups'
// working set, and idle CPU (cpuacct) over a window. The seed's own cost —
// its control plane, containerd, kubelet, kube-proxy, the containerd shims
// and CoreDNS — and the platform's (management API, operator) apart. With
// --find-max, clusters are added one at a time until one is not Ready
// within --ready-timeout; the reason is read from the seed (unschedulable
// pods and why, node pressure, failing containers).
// Usage: npm run bench -- density --seed kubernetes [--clusters 2] [--idle-seconds 60] [--settle-seconds 30] [--find-max] [--max-clusters 20] [--ready-timeout 240] [--reserve-mib 1024]
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { processesMentioning } from "@seedbed/node";
import { cgroupCpuSeconds, cgroupPids, cgroupWorkingSetMiB, podCgroup } from "../lib/pod-cgroups.ts";
import { clusterReady, startRealSeedPlatform, type RealSeedPlatform } from "../lib/real-seed-platform.ts";
import { requestedResources, whyNotReady } from "../lib/seed-fit.ts";
import { availableMiB, cpuSeconds, pssMiB, rssMiB, summary } from "./measure.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    clusters: { type: "string", default: "2" },
    "idle-seconds": { type: "string", default: "60" },
    "settle-seconds": { type: "string", default: "30" },
    "find-max": { type: "boolean", default: false },
    "max-clusters": { type: "string", default: "20" },
    "ready-timeout": { type: "string", default: "240" },
    "reserve-mib": { type: "string", default: "1024" },
  },
});
type NumberFlag = "clusters" | "idle-seconds" | "settle-seconds" | "max-clusters" | "ready-timeout" | "reserve-mib";
const number = (flag: NumberFlag, min: number): number => {
  const value = Number(values[flag]);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} must be a number of at least ${min}, got ${values[flag]}`);
  return value;
};
const clusters = number("clusters", 1);
const idleSeconds = number("idle-seconds", 1);
const settleSeconds = number("settle-seconds", 0);
const readyTimeoutMs = number("ready-timeout", 10) * 1000;
const log = (message: string): boolean => process.stderr.write(`[density --seed kubernetes] ${message}\n`);
const round = (x: number): number => Math.round(x * 10) / 10;

/** A group of what is measured: processes (by pid) and pod cgroups. */
interface Group {
  readonly pids: number[];
  readonly memoryCgroups: string[];
  readonly cpuCgroups: string[];
}
const emptyGroup = (): Group => ({ pids: [], memoryCgroups: [], cpuCgroups: [] });
/** The group under a key, made empty the first time. */
function groupIn(map: Map<string, Group>, key: string): Group {
  const found = map.get(key);
  if (found) return found;
  const made = emptyGroup();
  map.set(key, made);
  return made;
}

/** CPU seconds a group has used so far: its pod cgroups' and its loose processes'. */
const groupCpuSeconds = (g: Group): number => g.cpuCgroups.reduce((s, d) => s + cgroupCpuSeconds(d), 0) + g.pids.reduce((s, p) => s + cpuSeconds(p), 0);
/** Every process of a group: its loose ones and those in its pod cgroups. */
const groupPids = (g: Group): number[] => [...g.pids, ...g.memoryCgroups.flatMap(cgroupPids)];

/** Adds a pod's cgroups to a group. */
function addPod(group: Group, cgroupRoot: string, pod: V1Pod): void {
  const uid = pod.metadata?.uid ?? "";
  const memory = podCgroup("memory", cgroupRoot, uid);
  const cpu = podCgroup("cpuacct", cgroupRoot, uid);
  if (memory !== undefined) group.memoryCgroups.push(memory);
  if (cpu !== undefined) group.cpuCgroups.push(cpu);
}

/** The executable's name of a process ("containerd-shim-runc-v2", "kubelet-v1.37.1"), without its version. */
function programOf(pid: number): string {
  try {
    const first = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return basename(first).replace(/-v\d+\.\d+\.\d+$/, "");
  } catch {
    return "gone";
  }
}

/** A seed pod's name for the figures: namespace/app ("kube-system/kube-dns"). */
const podName = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ""}/${pod.metadata?.labels?.["k8s-app"] ?? pod.metadata?.name ?? ""}`;

/** The tenants by cluster id, and the seed's own cost by part, as they are now. */
async function groupsOf(platform: RealSeedPlatform): Promise<{ tenants: Map<string, Group>; byComponent: Map<string, Group[]>; seed: Map<string, Group>; platform: Group }> {
  const core = platform.seedKubeConfig.makeApiClient(CoreV1Api);
  const node = platform.seed.nodes[0];
  if (!node) throw new Error("the seed has no node");
  const tenants = new Map<string, Group>();
  const byComponent = new Map<string, Group[]>();
  const seed = new Map<string, Group>();
  const part = (name: string): Group => groupIn(seed, name);
  for (const pod of (await core.listPodForAllNamespaces()).items) {
    const id = pod.metadata?.labels?.["seedbed.dev/cluster-id"];
    if (id === undefined) {
      addPod(part(`pod:${podName(pod)}`), node.cgroupRoot, pod);
      continue;
    }
    addPod(groupIn(tenants, id), node.cgroupRoot, pod);
    const component = pod.metadata?.labels?.["seedbed.dev/component"] ?? "?";
    const one = emptyGroup();
    addPod(one, node.cgroupRoot, pod);
    byComponent.set(component, [...(byComponent.get(component) ?? []), one]);
  }
  for (const p of processesMentioning(platform.seedDir)) part("control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)").pids.push(p.pid);
  for (const p of processesMentioning(node.dir)) part(programOf(p.pid)).pids.push(p.pid);
  const management = { ...emptyGroup(), pids: [...platform.management.pids().values(), process.pid] };
  return { tenants, byComponent, seed, platform: management };
}

/** Waits until every named cluster is Ready; false after the deadline. */
async function waitReady(platform: RealSeedPlatform, names: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await Promise.all(names.map(async (n) => clusterReady(await platform.readCluster(n))));
    if (ready.every(Boolean)) return true;
    await sleep(1000);
  }
  return false;
}

/** Adds clusters one at a time until one is not Ready in time (or memory runs short); returns how many were all Ready, and why it stopped. */
async function findMax(platform: RealSeedPlatform, names: string[]): Promise<{ maxClustersReady: number; stoppedBecause: string[] }> {
  const reserve = number("reserve-mib", 0);
  const max = number("max-clusters", 1);
  while (names.length < max) {
    if (availableMiB() < reserve) return { maxClustersReady: names.length, stoppedBecause: [`${availableMiB().toFixed(0)} MiB available, below the ${reserve} MiB reserve`] };
    const name = `d${names.length}`;
    const id = await platform.createCluster(name);
    if (!(await waitReady(platform, [...names, name], readyTimeoutMs))) {
      const reasons = await whyNotReady(platform.seedKubeConfig, id);
      log(`stopping at ${names.length}: cluster ${name} (or an earlier one) was not Ready within ${readyTimeoutMs / 1000} s: ${reasons.join("; ")}`);
      return { maxClustersReady: names.length, stoppedBecause: reasons };
    }
    names.push(name);
    log(`${names.length} clusters Ready; ${availableMiB().toFixed(0)} MiB available`);
  }
  return { maxClustersReady: names.length, stoppedBecause: [`--max-clusters ${max} reached`] };
}

let platform: RealSeedPlatform | undefined;
try {
  platform = await startRealSeedPlatform(log);
  const started = platform;
  const names = Array.from({ length: clusters }, (_, i) => `d${i}`);
  const began = performance.now();
  // Two at a time, as a user scripting it would.
  for (let i = 0; i < names.length; i += 2) await Promise.all(names.slice(i, i + 2).map((n) => started.createCluster(n)));
  if (!(await waitReady(platform, names, readyTimeoutMs))) {
    const reasons = (await Promise.all(names.map((n) => whyNotReady(started.seedKubeConfig, `bench--${n}`)))).flat();
    throw new Error(`not every one of ${clusters} clusters was Ready within ${readyTimeoutMs / 1000} s: ${reasons.join("; ")}`);
  }
  log(`${clusters} clusters Ready after ${((performance.now() - began) / 1000).toFixed(0)} s; settling ${settleSeconds} s`);
  await sleep(settleSeconds * 1000);
  const groups = await groupsOf(platform);
  const all = new Map<string, Group>([...[...groups.tenants].map(([id, g]): [string, Group] => [`tenant:${id}`, g]), ...[...groups.seed].map(([k, g]): [string, Group] => [`seed:${k}`, g]), ["platform", groups.platform]]);
  log(`measuring idle CPU over ${idleSeconds} s: ${groups.tenants.size} tenants, seed parts ${[...groups.seed.keys()].join(", ")}`);
  const before = new Map([...all].map(([k, g]) => [k, groupCpuSeconds(g)]));
  const windowBegan = performance.now();
  await sleep(idleSeconds * 1000);
  const elapsed = (performance.now() - windowBegan) / 1000;
  const cpu = new Map([...all].map(([k, g]) => [k, ((groupCpuSeconds(g) - (before.get(k) ?? 0)) / elapsed) * 100]));
  // Memory after the idle window: what an idle tenant keeps.
  const tenantIds = [...groups.tenants.keys()];
  const tenantGroup = (id: string): Group => groups.tenants.get(id) ?? emptyGroup();
  const pss = tenantIds.map((id) => pssMiB(groupPids(tenantGroup(id))));
  const rss = tenantIds.map((id) => rssMiB(groupPids(tenantGroup(id))));
  const workingSet = tenantIds.map((id) => tenantGroup(id).memoryCgroups.reduce((s, d) => s + cgroupWorkingSetMiB(d), 0));
  const tenantCpu = tenantIds.map((id) => cpu.get(`tenant:${id}`) ?? 0);
  const seedParts = Object.fromEntries(
    [...groups.seed].map(([k, g]) => [k, { processes: groupPids(g).length, pssMiB: round(pssMiB(groupPids(g))), rssMiB: round(rssMiB(groupPids(g))), idleCpuPercent: round(cpu.get(`seed:${k}`) ?? 0) }]),
  );
  const seedPss = [...groups.seed.values()].reduce((s, g) => s + pssMiB(groupPids(g)), 0);
  const seedCpu = [...groups.seed.keys()].reduce((s, k) => s + (cpu.get(`seed:${k}`) ?? 0), 0);
  const fit = await requestedResources(platform.seedKubeConfig);
  const result = {
    benchmark: "density",
    mode: "seed-kubernetes",
    clusters,
    processesPerTenant: summary(tenantIds.map((id) => groupPids(tenantGroup(id)).length)).mean,
    pssMiBPerTenant: summary(pss),
    rssMiBPerTenant: summary(rss),
    workingSetMiBPerTenant: summary(workingSet),
    pssMiBByComponent: Object.fromEntries([...groups.byComponent].map(([c, list]) => [c, summary(list.map((g) => pssMiB(groupPids(g)))).mean])),
    idleSeconds,
    idleCpuPercentPerTenant: summary(tenantCpu),
    idleCpuPercentAllTenants: round(tenantCpu.reduce((a, b) => a + b, 0)),
    seedOverhead: { pssMiB: round(seedPss), idleCpuPercent: round(seedCpu), parts: seedParts },
    platform: { pssMiB: round(pssMiB(groups.platform.pids)), idleCpuPercent: round(cpu.get("platform") ?? 0), note: "management etcd and kube-apiserver, and this process (the operator runs in it)" },
    node: fit,
    ...(values["find-max"] ? await findMax(platform, names) : {}),
  };
  console.log(JSON.stringify(result));
} finally {
  await platform?.stop();
}
