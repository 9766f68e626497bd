// Idle tenant control planes alive at once: memory per tenant as PSS (the
// shared binaries counted once) and RSS, summed over the tenant's
// processes, and CPU while idle as percent of one core per tenant.
//   platform (default): `seedbed up` in a temporary $SEEDBED_HOME, --clusters
//     N clusters created with the CLI; with --find-max, more are added one at
//     a time until one is not Ready within --ready-timeout, an earlier one
//     stops being Ready, or less than --reserve-mib of memory is left.
//   --compare a,b,…: N plain tenants (bench/lib/plain-plane.ts) per variant
//     of settings (bench/density/variants.ts), all alive at once, so each
//     setting is measured side by side on the same machine.
//   --datastore shared: on the platform, N clusters on the local Seed's
//     shared etcd (--shared-members 3) beside N with an etcd of their own,
//     created in pairs: per tenant memory and idle CPU of each group and how
//     many fit in the machine's memory (datastore.ts).
// Run through main.ts (this file when --seed is absent).
// Usage: npm run bench -- density [--clusters 10] [--idle-seconds 60] [--settle-seconds 30] [--find-max] [--compare seedbed,untuned] [--datastore shared [--shared-members 3]]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { findProcessesByMarker, logTail, probeTLS, reservePorts } from "@seedbed/controlplane";
import { seedbed, seedbedAsync, startPlatform, stopPlatform, type RunningPlatform } from "../../test/e2e/platform.ts";
import { pollUntilOK, preparePlainPlane, type PreparedPlane } from "../lib/plain-plane.ts";
import { tenantProcesses } from "../lib/tenant-processes.ts";
import { datastoreMode } from "./datastore.ts";
import { parseDatastore } from "./datastore-figures.ts";
import { availableMiB, cpuPercentOver, pssMiB, rssMiB, summary } from "./measure.ts";
import { adjustSpec, variants } from "./variants.ts";

const { values } = parseArgs({
  options: {
    clusters: { type: "string", default: "10" },
    "idle-seconds": { type: "string", default: "60" },
    "settle-seconds": { type: "string", default: "30" },
    "find-max": { type: "boolean", default: false },
    "max-clusters": { type: "string", default: "200" },
    "ready-timeout": { type: "string", default: "180" },
    "reserve-mib": { type: "string", default: "1024" },
    compare: { type: "string" },
    datastore: { type: "string" },
    "shared-members": { type: "string", default: "3" },
  },
});
const number = (flag: string, min: number): number => {
  const value = Number(values[flag as keyof typeof values]);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} must be a number of at least ${min}, got ${String(values[flag as keyof typeof values])}`);
  return value;
};
const clusters = number("clusters", 1);
const idleSeconds = number("idle-seconds", 1);
const settleSeconds = number("settle-seconds", 0);
const readyTimeoutMs = number("ready-timeout", 10) * 1000;
const log = (message: string): boolean => process.stderr.write(`[density] ${message}\n`);
const round = (x: number): number => Math.round(x * 10) / 10;

/** Per-tenant memory of groups of processes: PSS and RSS of each group. */
function memoryOf(groups: ReadonlyMap<string, readonly number[]>): { pss: number[]; rss: number[] } {
  return { pss: [...groups.values()].map((pids) => pssMiB(pids)), rss: [...groups.values()].map((pids) => rssMiB(pids)) };
}

/** The platform as a user runs it; clusters created with the CLI. */
async function platformMode(): Promise<object> {
  const home = mkdtempSync(join(tmpdir(), "seedbed-bench-density-"));
  const port = await reservePorts(1);
  const env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]), SEEDBED_KUBECONFIG: join(home, "management.kubeconfig") };
  let platform: RunningPlatform | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopPlatform(platform, home, port).finally(() => process.exit(130)));
  const readyClusters = (): Set<string> => {
    const listed = JSON.parse(seedbed(env, "cluster", "list", "-o", "json").stdout || "{}") as { items?: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
    return new Set((listed.items ?? []).filter((c) => c.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).map((c) => c.metadata.name));
  };
  const waitReady = async (names: readonly string[]): Promise<boolean> => {
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      const ready = readyClusters();
      if (names.every((n) => ready.has(n))) return true;
      await sleep(2000);
    }
    return false;
  };
  const create = async (name: string): Promise<void> => {
    const created = await seedbedAsync(env, "cluster", "create", name);
    if (created.status !== 0) throw new Error(`seedbed cluster create ${name} failed (${created.status}): ${created.stderr}`);
  };
  try {
    platform = await startPlatform(env);
    const names = Array.from({ length: clusters }, (_, i) => `d${i}`);
    const began = performance.now();
    // Two at a time: as a user scripting it would, without flooding a busy machine.
    for (let i = 0; i < names.length; i += 2) await Promise.all(names.slice(i, i + 2).map(create));
    if (!(await waitReady(names))) throw new Error(`not every one of ${clusters} clusters was Ready within ${readyTimeoutMs / 1000} s`);
    log(`${clusters} clusters Ready after ${((performance.now() - began) / 1000).toFixed(0)} s; settling ${settleSeconds} s`);
    await sleep(settleSeconds * 1000);
    const tenants = new Map([...tenantProcesses(home)].map(([id, procs]) => [id, procs.map((p) => p.pid)]));
    const platformPids = [platform.child.pid ?? 0, ...findProcessesByMarker(`seedbed:${home}/management`, { prefix: true })];
    log(`measuring idle CPU over ${idleSeconds} s`);
    const cpu = await cpuPercentOver(new Map([...tenants, ["platform", platformPids]]), idleSeconds);
    // Memory after the idle window: what an idle tenant keeps once start-up garbage is collected and returned.
    const memory = memoryOf(tenants);
    const byComponent = new Map<string, number[]>();
    for (const procs of tenantProcesses(home).values()) for (const p of procs) byComponent.set(p.component, [...(byComponent.get(p.component) ?? []), pssMiB([p.pid])]);
    const tenantCpu = [...tenants.keys()].map((id) => cpu.get(id) ?? 0);
    const result = {
      benchmark: "density",
      mode: "platform",
      clusters,
      processesPerTenant: summary([...tenants.values()].map((p) => p.length)).mean,
      pssMiBPerTenant: summary(memory.pss),
      rssMiBPerTenant: summary(memory.rss),
      pssMiBByComponent: Object.fromEntries([...byComponent].map(([c, xs]) => [c, summary(xs).mean])),
      idleSeconds,
      idleCpuPercentPerTenant: summary(tenantCpu),
      idleCpuPercentAllTenants: round(tenantCpu.reduce((a, b) => a + b, 0)),
      idleCpuPercentPlatform: round(cpu.get("platform") ?? 0),
      maxClustersReady: values["find-max"] ? await findMax(names, create, waitReady) : undefined,
      targets: { pssMiBPerTenant: 200, idleCpuPercentPerTenant: 2, maxClustersReady: 40 },
    };
    return result;
  } finally {
    await stopPlatform(platform, home, port);
  }
}

/** Adds clusters one at a time until the machine holds no more with all of them Ready; returns the largest count that was. */
async function findMax(names: string[], create: (name: string) => Promise<void>, waitReady: (names: readonly string[]) => Promise<boolean>): Promise<number> {
  const reserve = number("reserve-mib", 0);
  const max = number("max-clusters", 1);
  let held = names.length;
  while (held < max) {
    if (availableMiB() < reserve) {
      log(`stopping at ${held}: ${availableMiB().toFixed(0)} MiB available, below the ${reserve} MiB reserve`);
      break;
    }
    const name = `d${held}`;
    await create(name);
    names.push(name);
    if (!(await waitReady(names))) {
      log(`stopping at ${held}: cluster ${name} (or an earlier one) was not Ready within ${readyTimeoutMs / 1000} s`);
      break;
    }
    held++;
    log(`${held} clusters Ready; ${availableMiB().toFixed(0)} MiB available`);
  }
  return held;
}

/** Starts one plain tenant of a variant and waits until every component is healthy; on failure, says which variant and shows its logs. */
async function startPlane(name: string, dir: string, started: (plane: PreparedPlane) => void): Promise<void> {
  const variant = variants[name];
  if (!variant) throw new Error(`unknown variant ${name}`);
  const plane = await preparePlainPlane({ dir, controllers: true, render: variant.render, adjust: (spec) => adjustSpec(variant, spec) });
  started(plane);
  try {
    await plane.start();
    for (const c of plane.components) await pollUntilOK(c.health.url, probeTLS(c.health, plane.adminTLS), { intervalMs: 200, timeoutMs: readyTimeoutMs });
  } catch (error) {
    const logs = plane.components.map((c) => `===== ${c.spec.name}\n${logTail(join(dir, "logs", `${c.spec.name}.log`), 10)}`).join("\n");
    throw new Error(`variant ${name}: ${String(error)}\n${logs}`, { cause: error });
  }
}

/** Plain tenants per variant, all alive at once. */
async function compareMode(names: readonly string[]): Promise<object> {
  for (const name of names) if (!(name in variants)) throw new Error(`--compare: unknown variant "${name}"; known: ${Object.keys(variants).join(", ")}`);
  const planes = new Map<string, PreparedPlane[]>(names.map((n) => [n, []]));
  const dirs: string[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all([...planes.values()].flat().map((p) => p.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  try {
    // Interleaved (a, b, a, b, …), so no variant gets the quieter machine.
    for (let i = 0; i < clusters; i++) {
      for (const name of names) {
        const dir = mkdtempSync(join(tmpdir(), `seedbed-bench-density-${name}-`));
        dirs.push(dir);
        await startPlane(name, dir, (plane) => planes.get(name)?.push(plane));
      }
      log(`${i + 1} tenant(s) of each variant ready`);
    }
    log(`settling ${settleSeconds} s`);
    await sleep(settleSeconds * 1000);
    const groups = new Map<string, number[]>();
    for (const [name, list] of planes) list.forEach((p, i) => groups.set(`${name}#${i}`, [...p.pids().values()]));
    const byComponent = (name: string): Record<string, number> => {
      const sums = new Map<string, number>();
      for (const plane of planes.get(name) ?? []) for (const [component, pid] of plane.pids()) sums.set(component, (sums.get(component) ?? 0) + pssMiB([pid]));
      return Object.fromEntries([...sums].map(([c, total]) => [c, round(total / clusters)]));
    };
    log(`measuring idle CPU over ${idleSeconds} s`);
    // Per component too, to see where idle work goes.
    const componentGroups = new Map<string, number[]>();
    for (const [name, list] of planes) {
      for (const [component, pid] of list.flatMap((plane) => [...plane.pids()])) componentGroups.set(`${name}/${component}`, [...(componentGroups.get(`${name}/${component}`) ?? []), pid]);
    }
    const cpu = await cpuPercentOver(new Map([...groups, ...componentGroups]), idleSeconds);
    const cpuByComponent = (name: string): Record<string, number> =>
      Object.fromEntries([...componentGroups.keys()].filter((k) => k.startsWith(`${name}/`)).map((k) => [k.slice(name.length + 1), round((cpu.get(k) ?? 0) / clusters)]));
    // Memory after the idle window: what an idle tenant keeps once start-up garbage is collected and returned.
    const memory = new Map([...groups].map(([key, pids]) => [key, { pss: pssMiB(pids), rss: rssMiB(pids) }]));
    const of = <T>(name: string, pick: (key: string) => T): T[] => [...groups.keys()].filter((k) => k.startsWith(`${name}#`)).map(pick);
    return {
      benchmark: "density",
      mode: "compare",
      tenantsPerVariant: clusters,
      idleSeconds,
      variants: Object.fromEntries(
        names.map((name) => [
          name,
          {
            description: variants[name]?.description,
            pssMiBPerTenant: summary(of(name, (k) => memory.get(k)?.pss ?? 0)),
            rssMiBPerTenant: summary(of(name, (k) => memory.get(k)?.rss ?? 0)),
            pssMiBByComponent: byComponent(name),
            idleCpuPercentPerTenant: summary(of(name, (k) => cpu.get(k) ?? 0)),
            idleCpuPercentByComponent: cpuByComponent(name),
          },
        ]),
      ),
    };
  } finally {
    await stopAll();
  }
}

/** --datastore shared: Shared clusters beside Dedicated ones on one platform. */
function sharedDatastoreMode(): Promise<object> {
  if (values.compare !== undefined || values["find-max"]) throw new Error("--datastore shared measures N clusters of each kind on the platform; it takes neither --compare nor --find-max (its tenantsPerMachineByMemory estimates the fit from memory)");
  const sharedMembers = number("shared-members", 1);
  if (![1, 3, 5].includes(sharedMembers)) throw new Error(`--shared-members must be 1, 3 or 5 (the shared etcd's members), got ${values["shared-members"]}`);
  return datastoreMode({ clusters, idleSeconds, settleSeconds, readyTimeoutMs, reserveMiB: number("reserve-mib", 0), sharedMembers, log });
}

const result =
  parseDatastore(values.datastore) === "shared" ? await sharedDatastoreMode() : values.compare === undefined ? await platformMode() : await compareMode(values.compare.split(",").map((s) => s.trim()).filter(Boolean));
console.log(JSON.stringify(result));
