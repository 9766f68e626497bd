// 1,000 Clusters on the kubernetes hosting driver against a kwok seed on
// this machine: time until all are Running, the operator's peak RSS and CPU
// seconds, its kube-apiserver requests per cluster (from the audit log), and
// its requests during one idle minute afterwards.
// Usage: npm run bench -- scale [--clusters 1000] [--nodes 20] [--idle-seconds 60] [--node-options "…"]
// The operator runs with the chart's NODE_OPTIONS unless --node-options says otherwise.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { startKubeAPI } from "@seedbed/testing";
import { parse } from "yaml";
import { auditEvents, cpuSeconds, peakRssMiB, requestsByKind, seedCpuSeconds } from "./measure.ts";
import { auditPolicy, pool, prepareSeed } from "./seed-setup.ts";

const chartValues = parse(readFileSync(new URL("../../deploy/helm/seedbed/values.yaml", import.meta.url), "utf8")) as { nodeOptions: string };

const { values } = parseArgs({ options: { clusters: { type: "string", default: "1000" }, nodes: { type: "string", default: "20" }, "idle-seconds": { type: "string", default: "60" }, "node-options": { type: "string", default: chartValues.nodeOptions } } });
const clusters = Number(values.clusters);
const nodes = Number(values.nodes);
const idleSeconds = Number(values["idle-seconds"]);
const log = (message: string): boolean => process.stderr.write(`[scale] ${message}\n`);
const namespace = "project-bench";
const cli = new URL("../../packages/cli/src/bin/seedbed.ts", import.meta.url).pathname;

const auditDir = `/tmp/seedbed-scale-${process.pid}`;
mkdirSync(auditDir, { recursive: true });
writeFileSync(join(auditDir, "policy.yaml"), auditPolicy);
const auditLog = join(auditDir, "audit.log");
// A seed for 1,000 control planes: the controllers and the scheduler get the client rate a real seed's would.
const api = await startKubeAPI({
  controllers: true,
  kwok: true,
  apiServerExtraFlags: { "audit-policy-file": join(auditDir, "policy.yaml"), "audit-log-path": auditLog, "audit-log-maxsize": 1024, "max-requests-inflight": 1000, "max-mutating-requests-inflight": 500, profiling: true },
  controllerManagerExtraFlags: { "kube-api-qps": 500, "kube-api-burst": 1000, "concurrent-deployment-syncs": 20, "concurrent-replicaset-syncs": 20, "concurrent-statefulset-syncs": 20 },
  schedulerExtraFlags: { "kube-api-qps": 500, "kube-api-burst": 1000 },
});
// Ctrl-C must leave neither a seed nor an operator behind.
let operator: ChildProcess | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    operator?.kill("SIGKILL");
    void api.stop().finally(() => process.exit(130));
  });
}
try {
  const kc = api.kubeConfig();
  const operatorKubeconfig = await prepareSeed(api, kc, { clusters, nodes, namespace });
  log(`seed ready: ${nodes} kwok nodes, ${clusters} volumes`);
  const child = spawn(process.execPath, [cli, "operator", "--driver=kubernetes", `--kubeconfig=${operatorKubeconfig}`, "--metrics-port=0", "--log-level=warn"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_OPTIONS: values["node-options"] } });
  operator = child;
  await sleep(2000);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const began = performance.now();
  await pool(clusters, 20, (i) => objects.createNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace, body: { apiVersion, kind: "Cluster", metadata: { name: `c${i}`, namespace }, spec: {} } }));
  log(`created ${clusters} Clusters in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  let running = 0;
  for (;;) {
    const list = (await objects.listNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace })) as { items: Cluster[] };
    running = list.items.filter((c) => c.status?.phase === "Running").length;
    if (running === clusters) break;
    if (child.exitCode !== null) throw new Error(`the operator exited with ${child.exitCode}`);
    log(`${running}/${clusters} Running after ${((performance.now() - began) / 1000).toFixed(0)} s`);
    await sleep(5000);
  }
  const allRunningSeconds = (performance.now() - began) / 1000;
  const toReady = auditEvents(auditLog);
  const seedCpu = seedCpuSeconds(api.pids());
  log(`all ${clusters} Running after ${allRunningSeconds.toFixed(1)} s; idling ${idleSeconds} s`);
  await sleep(idleSeconds * 1000);
  const idle = auditEvents(auditLog).slice(toReady.length);
  const operatorPid = child.pid ?? 0;
  const operatorPeakRssMiB = peakRssMiB(operatorPid);
  const operatorCpuSeconds = cpuSeconds(operatorPid);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  console.log(
    JSON.stringify({
      benchmark: "scale",
      clusters,
      seedNodes: nodes,
      allRunningSeconds: Number(allRunningSeconds.toFixed(1)),
      operatorPeakRssMiB: Number(operatorPeakRssMiB.toFixed(1)),
      operatorCpuSeconds,
      operatorNodeOptions: values["node-options"],
      operatorRequestsPerCluster: Number((toReady.length / clusters).toFixed(1)),
      operatorRequestsPerClusterByKind: requestsByKind(toReady, clusters),
      operatorRequestsIdle: idle.length,
      operatorRequestsIdleByKind: requestsByKind(idle, 1),
      idleSeconds,
      seedCpuSecondsToRunning: seedCpu,
      targets: { allRunningSeconds: 300, operatorPeakRssMiB: 300 },
    }),
  );
} finally {
  await api.stop();
  rmSync(auditDir, { recursive: true, force: true });
}
