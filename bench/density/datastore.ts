// `density --datastore shared`: on one platform started like `make up`, the
// local Seed gets a shared etcd (spec.sharedDatastore) and --clusters N
// Dedicated clusters (an etcd of their own) and N Shared ones (a prefix in
// the shared etcd, no etcd process of their own) are created in pairs, so
// both groups idle on the same machine at the same time. Memory (PSS, RSS)
// and idle CPU per tenant of each group, the shared etcd's own, and how many
// tenants of each kind the machine's memory holds (datastore-figures.ts).
// Run from local.ts.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type Seed } from "@seedbed/api";
import { findProcessesByMarker, reservePorts } from "@seedbed/controlplane";
import { processesMentioning } from "@seedbed/testing";
import { startPlatform, stopPlatform, type RunningPlatform } from "../../test/e2e/platform.ts";
import { commandLineOf, tenantProcesses, type TenantProcess } from "../lib/tenant-processes.ts";
import { datastoreFigures, flagsDiffer, type DatastoreFigures, type GroupSample } from "./datastore-figures.ts";
import { availableMiB, cpuPercentOver, pssMiB, rssMiB } from "./measure.ts";

/** What local.ts passes on from its flags. */
export interface DatastoreModeOptions {
  readonly clusters: number;
  readonly idleSeconds: number;
  readonly settleSeconds: number;
  readonly readyTimeoutMs: number;
  readonly reserveMiB: number;
  /** Members of the shared etcd: 1, 3 or 5. */
  readonly sharedMembers: number;
  readonly log: (message: string) => void;
}

const group = { group: "seedbed.dev", version: "v1alpha1" };
const namespace = "project-default";
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const ready = (c: Cluster | undefined): boolean => c?.status?.phase === "Running" && c.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true;

/** Kills every process a platform's state directory marks (tenants, the shared etcd, the management plane); returns how many there were. */
function killMarked(home: string): number {
  const pids = findProcessesByMarker(`seedbed:${home}`, { prefix: true });
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  return pids.length;
}

/** What measure() returns: the figures and the Seed's own report of its shared etcd. */
type Measured = DatastoreFigures & { readonly seedStatus: { readonly tenants?: number; readonly dbSizeBytes?: number }; readonly apiServerFlagsDiffer: readonly string[] };

/** Runs the comparison and prints nothing: returns the figures, and what was left after cleaning up (must be nothing). */
export async function datastoreMode(o: DatastoreModeOptions): Promise<object> {
  const home = mkdtempSync(join(tmpdir(), "seedbed-bench-density-datastore-"));
  const port = await reservePorts(1);
  const env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]), SEEDBED_KUBECONFIG: join(home, "management.kubeconfig") };
  let platform: RunningPlatform | undefined;
  // `seedbed up` first (so its supervisors restart nothing), then anything still marked, then the directory.
  const stop = async (): Promise<void> => {
    platform?.child.kill("SIGTERM");
    await platform?.exited;
    killMarked(home);
    await stopPlatform(platform, home, port);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  let figures: Measured;
  try {
    platform = await startPlatform(env);
    figures = await measure(o, home, env.SEEDBED_KUBECONFIG);
  } finally {
    await stop();
  }
  const left = findProcessesByMarker(`seedbed:${home}`, { prefix: true }).length + processesMentioning(home).length;
  if (left > 0) o.log(`${left} process(es) of ${home} still running after clean-up`);
  return { benchmark: "density", mode: "datastore", idleSeconds: o.idleSeconds, ...figures, leftProcesses: left, leftStateDir: existsSync(home) };
}

/** The management API as this benchmark uses it. */
interface Management {
  readonly objects: CustomObjectsApi;
  readSeed(): Promise<Seed>;
  listClusters(): Promise<Cluster[]>;
  /** Polls every 2 s until `check` holds; throws naming `what` after --ready-timeout. */
  waitUntil(what: string, check: () => Promise<boolean>): Promise<void>;
}

function connect(o: DatastoreModeOptions, home: string, kubeconfig: string): Management {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const objects = kc.makeApiClient(CustomObjectsApi);
  return {
    objects,
    readSeed: async () => (await objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" })) as Seed,
    listClusters: async () => ((await objects.listNamespacedCustomObject({ ...group, namespace, plural: "clusters" })) as { items: Cluster[] }).items,
    async waitUntil(what, check) {
      const deadline = Date.now() + o.readyTimeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${o.readyTimeoutMs / 1000} s (logs in ${join(home, "logs")})`);
        await sleep(2000);
      }
    },
  };
}

/** Creates the clusters in pairs, one of each, each pair Ready before the next: neither group gets the quieter machine. */
async function createPairs(m: Management, o: DatastoreModeOptions): Promise<{ dedicated: string[]; shared: string[] }> {
  const began = performance.now();
  const names = { dedicated: [] as string[], shared: [] as string[] };
  for (let i = 0; i < o.clusters; i++) {
    const pair = [`dedicated-${i}`, `shared-${i}`];
    for (const name of pair) {
      const spec = name.startsWith("shared") ? { controlPlane: { datastore: { type: "Shared" } } } : {};
      await m.objects.createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec } });
    }
    names.dedicated.push(`dedicated-${i}`);
    names.shared.push(`shared-${i}`);
    await m.waitUntil(`clusters ${pair.join(" and ")} Ready`, async () => {
      const listed = await m.listClusters();
      return pair.every((n) => ready(listed.find((c) => c.metadata.name === n)));
    });
    o.log(`${i + 1} of ${o.clusters} pair(s) Ready after ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  return names;
}

/** Refuses to measure tenants that are not what their datastore says: a Dedicated one with its etcd, a Shared one without. */
function checkTenants(names: { dedicated: readonly string[]; shared: readonly string[] }, of: (name: string) => TenantProcess[]): void {
  for (const name of [...names.dedicated, ...names.shared]) {
    const components = of(name).map((p) => p.component);
    const wantsEtcd = names.dedicated.includes(name);
    if (components.length === 0 || components.includes("etcd") !== wantsEtcd) throw new Error(`cluster ${name} runs ${components.join(", ") || "no process"}: a ${wantsEtcd ? "Dedicated" : "Shared"} tenant should ${wantsEtcd ? "" : "not "}run an etcd of its own`);
  }
}

/** Everything between the platform's start and its stop. */
async function measure(o: DatastoreModeOptions, home: string, kubeconfig: string): Promise<Measured> {
  const m = connect(o, home, kubeconfig);
  // Before the shared etcd and any tenant: the memory the tenants may have.
  const memAvailableMiBAtStart = availableMiB();
  const sharedEtcdPids = (): number[] => findProcessesByMarker(`seedbed:${join(home, "shared-etcd")}`, { prefix: true });
  await m.objects.patchClusterCustomObject({ ...group, plural: "seeds", name: "local", body: { spec: { sharedDatastore: { members: o.sharedMembers } } } }, mergePatch);
  await m.waitUntil("the local Seed's shared etcd ready", async () => (await m.readSeed()).status?.sharedDatastore?.ready === true);
  // Settled like the tenants will be, so its start-up is not counted as growth from tenants.
  await sleep(o.settleSeconds * 1000);
  const pssBeforeTenants = pssMiB(sharedEtcdPids());
  o.log(`shared etcd ready (${sharedEtcdPids().length} members, ${pssBeforeTenants.toFixed(0)} MiB PSS)`);

  const names = await createPairs(m, o);
  o.log(`settling ${o.settleSeconds} s`);
  await sleep(o.settleSeconds * 1000);
  const ids = new Map((await m.listClusters()).map((c) => [c.metadata.name, c.status?.clusterID ?? ""]));
  const processes = tenantProcesses(home);
  const of = (name: string): TenantProcess[] => processes.get(ids.get(name) ?? "") ?? [];
  checkTenants(names, of);
  // Where a Shared tenant's kube-apiserver is run differently from a Dedicated one's, besides its etcd flags: to explain a difference in its memory.
  const apiServerArgs = (name: string): string[] => commandLineOf(of(name).find((p) => p.component === "kube-apiserver")?.pid ?? 0).slice(1);
  const apiServerFlagsDiffer = flagsDiffer(apiServerArgs(names.shared[0] ?? ""), apiServerArgs(names.dedicated[0] ?? ""));

  const etcdPids = sharedEtcdPids();
  o.log(`measuring idle CPU over ${o.idleSeconds} s`);
  const cpu = await cpuPercentOver(new Map([...[...names.dedicated, ...names.shared].map((n): [string, number[]] => [n, of(n).map((p) => p.pid)]), ["shared-etcd", etcdPids]]), o.idleSeconds);
  // Memory after the idle window, as the platform mode: what an idle tenant keeps.
  const sample = (list: readonly string[]): GroupSample => {
    const byComponent = new Map<string, number>();
    for (const p of list.flatMap(of)) byComponent.set(p.component, (byComponent.get(p.component) ?? 0) + pssMiB([p.pid]));
    return {
      pss: list.map((n) => pssMiB(of(n).map((p) => p.pid))),
      rss: list.map((n) => rssMiB(of(n).map((p) => p.pid))),
      cpu: list.map((n) => cpu.get(n) ?? 0),
      pssByComponent: Object.fromEntries([...byComponent].map(([c, total]) => [c, Math.round((total / list.length) * 10) / 10])),
    };
  };
  const figures = datastoreFigures({
    memAvailableMiBAtStart,
    reserveMiB: o.reserveMiB,
    dedicated: sample(names.dedicated),
    shared: sample(names.shared),
    sharedEtcd: { members: etcdPids.length, pssBeforeTenants, pss: pssMiB(etcdPids), rss: rssMiB(etcdPids), cpu: cpu.get("shared-etcd") ?? 0 },
  });
  const seed = (await m.readSeed()).status?.sharedDatastore;
  o.log(`the Seed reports ${seed?.tenants ?? "?"} tenant(s) in the shared etcd, ${((seed?.dbSizeBytes ?? 0) / 1024 ** 2).toFixed(1)} MiB database`);
  return { ...figures, seedStatus: { tenants: seed?.tenants, dbSizeBytes: seed?.dbSizeBytes }, apiServerFlagsDiffer };
}
