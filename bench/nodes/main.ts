// A node pool from 0 to 100 machines on the kwok provider: time until 100
// Nodes are Ready in the tenant cluster, and from 100 back to 0 (each
// machine cordoned and drained, then removed) until none is left.
// Usage: npm run bench -- nodes [--nodes 100]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, installCRDs, kubeconfigSecretKey } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { startOperator } from "@seedbed/operator";
import { eventually, startKubeAPI } from "@seedbed/testing";

const { values } = parseArgs({ options: { nodes: { type: "string", default: "100" } } });
const nodes = Number(values.nodes);
const log = (message: string): boolean => process.stderr.write(`[nodes] ${message}\n`);
const namespace = "project-bench";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

const api = await startKubeAPI({ controllers: true });
const stateDir = mkdtempSync(join(tmpdir(), "seedbed-bench-nodes-"));
const kc = api.kubeConfig();
await installCRDs(kc);
const operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true });
const cleanUp = async (): Promise<void> => {
  await operator.stop();
  for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
  rmSync(stateDir, { recursive: true, force: true });
  await api.stop();
};
// Ctrl-C must leave no tenant process or seed behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
try {
  const objects = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "local" }, spec: { driver: "local", default: true } } });
  await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "b", namespace }, spec: {} } });
  await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "pool", namespace }, spec: { clusterName: "b", replicas: 0 } } });
  await eventually(() => objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name: "b" }) as Promise<{ status?: { phase?: string } }>, (c) => c.status?.phase === "Running", { timeoutMs: 120_000 });
  const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret("b") });
  const tenantConfig = new KubeConfig();
  tenantConfig.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString());
  const tenant = tenantConfig.makeApiClient(CoreV1Api);
  const readyNodes = async (): Promise<number> => (await tenant.listNode()).items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
  const allNodes = async (): Promise<number> => (await tenant.listNode()).items.length;
  const scale = (replicas: number): Promise<unknown> => objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "pool", body: { spec: { replicas } } }, mergePatch);
  log(`cluster running; scaling 0 → ${nodes}`);

  let began = performance.now();
  await scale(nodes);
  await eventually(readyNodes, (n) => n === nodes, { timeoutMs: 600_000, intervalMs: 100 });
  const upSeconds = (performance.now() - began) / 1000;
  log(`${nodes} Nodes Ready after ${upSeconds.toFixed(1)} s; scaling ${nodes} → 0`);

  began = performance.now();
  await scale(0);
  await eventually(allNodes, (n) => n === 0, { timeoutMs: 600_000, intervalMs: 100 });
  const downSeconds = (performance.now() - began) / 1000;
  log(`no Node left after ${downSeconds.toFixed(1)} s`);
  console.log(JSON.stringify({ benchmark: "nodes", nodes, upToAllReadySeconds: Number(upSeconds.toFixed(2)), downToNoneSeconds: Number(downSeconds.toFixed(2)), nodesPerSecondUp: Number((nodes / upSeconds).toFixed(1)), nodesPerSecondDown: Number((nodes / downSeconds).toFixed(1)) }));
} finally {
  await cleanUp();
}
