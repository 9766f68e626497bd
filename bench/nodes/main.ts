// A node pool from 0 to N machines: time until N Nodes are Ready in the
// tenant cluster, and from N back to 0 (each machine cordoned and drained,
// then removed) until none is left.
//   --provider kwok (default, --nodes 100): simulated Nodes.
//   --provider local (--nodes 5, needs root): real machines of the local
//     provider — each an agent with its own containerd, kubelet and
//     kube-proxy in a network namespace — joining from their cloud-init
//     user data; also each machine's join time and memory (PSS), and back
//     at 0 no Node, no machine directory and no machine process left.
// Usage: npm run bench -- nodes [--provider kwok|local] [--nodes N] [--settle-seconds 10]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, installCRDs, kubeconfigSecretKey } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { LocalMachineProvider, machineAddress, processesMentioning } from "@seedbed/node";
import { startOperator } from "@seedbed/operator";
import { eventually, startKubeAPI } from "@seedbed/testing";
import { pssMiB, rssMiB, summary } from "../density/measure.ts";
import { localMachines, machineProcesses, processName } from "./machines.ts";

const providers = ["kwok", "local"] as const;
const { values } = parseArgs({ options: { provider: { type: "string", default: "kwok" }, nodes: { type: "string" }, "settle-seconds": { type: "string", default: "10" } } });
const provider = providers.find((p) => p === values.provider);
if (provider === undefined) throw new Error(`--provider must be one of ${providers.join(", ")}, got ${JSON.stringify(values.provider)}`);
const local = provider === "local";
if (local && process.getuid?.() !== 0) throw new Error("--provider local needs root: its machines make network namespaces and run containerd (run it with sudo)");
const nodes = Number(values.nodes ?? (local ? "5" : "100"));
if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a whole number of at least 1, got ${JSON.stringify(values.nodes)}`);
const log = (message: string): boolean => process.stderr.write(`[nodes] ${message}\n`);
const namespace = "project-bench";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

const api = await startKubeAPI({ controllers: true });
const stateDir = mkdtempSync(join(tmpdir(), "seedbed-bench-nodes-"));
const machinesDir = join(stateDir, "machines");
const kc = api.kubeConfig();
await installCRDs(kc);
// Local machines join at this machine's address: tenants listen there too, as under `seedbed up` as root.
const operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true, ...(local ? { nodeAddress: machineAddress() } : {}) });
const cleanUp = async (): Promise<void> => {
  await operator.stop();
  // Local machines outlive the operator, as cloud machines do: these go with the benchmark.
  await new LocalMachineProvider(machinesDir).deleteAll();
  for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
  rmSync(stateDir, { recursive: true, force: true });
  await api.stop();
};
// Ctrl-C must leave no tenant process, machine or seed behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
try {
  const objects = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "local" }, spec: { driver: "local", default: true } } });
  // A pod range of its own: machines of clusters on one machine need disjoint ones, and tests use 10.244 and 10.44.
  await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "b", namespace }, spec: local ? { network: { podCIDR: "10.46.0.0/16" } } : {} } });
  await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "pool", namespace }, spec: { clusterName: "b", replicas: 0, provider: { type: provider } } } });
  const cluster = await eventually(() => objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name: "b" }) as Promise<{ status?: { phase?: string; clusterID?: string } }>, (c) => c.status?.phase === "Running", { timeoutMs: 120_000 });
  const clusterId = cluster.status?.clusterID ?? "";
  const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret("b") });
  const tenantConfig = new KubeConfig();
  tenantConfig.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString());
  const tenant = tenantConfig.makeApiClient(CoreV1Api);
  const isReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
  const allNodes = async (): Promise<number> => (await tenant.listNode()).items.length;
  const scale = (replicas: number): Promise<unknown> => objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "pool", body: { spec: { replicas } } }, mergePatch);
  const timeoutMs = local ? 120_000 + nodes * 60_000 : 600_000;
  log(`cluster running; scaling 0 → ${nodes} ${provider} machines`);

  // When each Node was first seen Ready (polled every 100 ms): the end of its machine's join.
  const firstReady = new Map<string, number>();
  let began = performance.now();
  await scale(nodes);
  await eventually(
    async () => {
      for (const node of (await tenant.listNode()).items) if (isReady(node) && !firstReady.has(node.metadata?.name ?? "")) firstReady.set(node.metadata?.name ?? "", Date.now());
      return firstReady.size;
    },
    (n) => n === nodes,
    { timeoutMs, intervalMs: 100, description: `${nodes} Nodes Ready` },
  );
  const upSeconds = (performance.now() - began) / 1000;
  log(`${nodes} Nodes Ready after ${upSeconds.toFixed(1)} s`);
  const machineFigures = local ? await measureMachines(clusterId, firstReady) : {};

  log(`scaling ${nodes} → 0`);
  const nodeDirs = localMachines(machinesDir, clusterId).flatMap((m) => (m.nodeDir === undefined ? [] : [m.nodeDir]));
  began = performance.now();
  await scale(0);
  await eventually(async () => (await allNodes()) + localMachines(machinesDir, clusterId).length, (n) => n === 0, { timeoutMs, intervalMs: 100, description: "no Node and no machine left" });
  const downSeconds = (performance.now() - began) / 1000;
  const leftProcesses = nodeDirs.flatMap((dir) => processesMentioning(dir));
  for (const p of leftProcesses) log(`left behind: ${p.pid} ${p.commandLine}`);
  log(`no Node${local ? " and no machine" : ""} left after ${downSeconds.toFixed(1)} s`);
  console.log(
    JSON.stringify({
      benchmark: "nodes",
      provider,
      nodes,
      upToAllReadySeconds: round(upSeconds),
      downToNoneSeconds: round(downSeconds),
      nodesPerSecondUp: round(nodes / upSeconds, 1),
      nodesPerSecondDown: round(nodes / downSeconds, 1),
      ...(local ? { upSecondsPerMachine: round(upSeconds / nodes), downSecondsPerMachine: round(downSeconds / nodes), ...machineFigures, leftProcesses: leftProcesses.length } : {}),
    }),
  );
} finally {
  await cleanUp();
}

/**
 * Join time of each machine (its Node first seen Ready minus the creation
 * of its machine directory) and, after --settle-seconds, the memory of each
 * machine: PSS (shared pages split among the processes that map them, so
 * one kubelet binary mapped by N machines counts once) and RSS, summed over
 * its processes, in MiB, and the mean per machine of each kind of process.
 */
async function measureMachines(clusterId: string, firstReady: ReadonlyMap<string, number>): Promise<Record<string, unknown>> {
  const joined = localMachines(machinesDir, clusterId);
  const joinSeconds = joined.map((m) => ((firstReady.get(m.name) ?? Number.NaN) - m.createdAtMs) / 1000);
  const settleSeconds = Number(values["settle-seconds"]);
  log(`join seconds per machine: ${joinSeconds.map((s) => s.toFixed(1)).join(", ")}; measuring memory after ${settleSeconds} s`);
  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
  const machines = localMachines(machinesDir, clusterId).map((m) => ({ machine: m, name: m.name, pids: machineProcesses(m) }));
  const byProcess = new Map<string, number>();
  for (const { machine, pids } of machines) for (const pid of pids) byProcess.set(processName(machine, pid), (byProcess.get(processName(machine, pid)) ?? 0) + pssMiB([pid]));
  for (const { name, pids } of machines) log(`${name}: ${pids.length} processes, ${pssMiB(pids).toFixed(1)} MiB PSS, ${rssMiB(pids).toFixed(1)} MiB RSS`);
  return {
    joinSeconds: summary(joinSeconds),
    processesPerMachine: summary(machines.map((m) => m.pids.length)),
    pssMiBPerMachine: summary(machines.map((m) => pssMiB(m.pids))),
    rssMiBPerMachine: summary(machines.map((m) => rssMiB(m.pids))),
    pssMiBPerMachineByProcess: Object.fromEntries([...byProcess].sort(([, a], [, b]) => b - a).map(([name, mib]) => [name, round(mib / machines.length, 1)])),
  };
}
