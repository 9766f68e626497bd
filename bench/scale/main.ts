// 1,000 Clusters on the kubernetes hosting driver against a kwok seed on
// this machine: time until all are Running, the operator's peak RSS and CPU
// seconds, its kube-apiserver requests per cluster (from the audit log), and
// its requests during one idle minute afterwards.
// Usage: npm run bench -- scale [--clusters 1000] [--nodes 20] [--idle-seconds 60] [--node-options "--max-semi-space-size=4"]
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { startKubeAPI } from "@seedbed/testing";
import { auditPolicy, pool, prepareSeed } from "./seed-setup.ts";

const { values } = parseArgs({ options: { clusters: { type: "string", default: "1000" }, nodes: { type: "string", default: "20" }, "idle-seconds": { type: "string", default: "60" }, "node-options": { type: "string", default: "" } } });
const clusters = Number(values.clusters);
const nodes = Number(values.nodes);
const idleSeconds = Number(values["idle-seconds"]);
const log = (message: string): boolean => process.stderr.write(`[scale] ${message}\n`);
const namespace = "project-bench";
const cli = new URL("../../packages/cli/src/bin/seedbed.ts", import.meta.url).pathname;

const auditDir = `/tmp/seedbed-scale-${process.pid}`;
await import("node:fs").then((fs) => fs.mkdirSync(auditDir, { recursive: true }));
writeFileSync(join(auditDir, "policy.yaml"), auditPolicy);
const auditLog = join(auditDir, "audit.log");
// A seed for 1,000 control planes: the controllers and the scheduler get the client rate a real seed's would.
const api = await startKubeAPI({
  controllers: true,
  kwok: true,
  apiServerExtraFlags: { "audit-policy-file": join(auditDir, "policy.yaml"), "audit-log-path": auditLog, "audit-log-maxsize": 1024, "max-requests-inflight": 1000, "max-mutating-requests-inflight": 500 },
  controllerManagerExtraFlags: { "kube-api-qps": 500, "kube-api-burst": 1000, "concurrent-deployment-syncs": 20, "concurrent-replicaset-syncs": 20, "concurrent-statefulset-syncs": 20 },
  schedulerExtraFlags: { "kube-api-qps": 500, "kube-api-burst": 1000 },
});
// Ctrl-C must not leave a seed behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void api.stop().finally(() => process.exit(130));
  });
}
const auditLines = (): number => (existsSync(auditLog) ? readFileSync(auditLog, "utf8").split("\n").filter((l) => l.length > 0).length : 0);
try {
  const kc = api.kubeConfig();
  const operatorKubeconfig = await prepareSeed(api, kc, { clusters, nodes, namespace });
  log(`seed ready: ${nodes} kwok nodes, ${clusters} volumes`);
  const operator = spawn(process.execPath, [cli, "operator", "--driver=kubernetes", `--kubeconfig=${operatorKubeconfig}`, "--metrics-port=0", "--log-level=warn"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_OPTIONS: values["node-options"] } });
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
    if (operator.exitCode !== null) throw new Error(`the operator exited with ${operator.exitCode}`);
    log(`${running}/${clusters} Running after ${((performance.now() - began) / 1000).toFixed(0)} s`);
    await sleep(5000);
  }
  const allRunningSeconds = (performance.now() - began) / 1000;
  const requestsToReady = auditLines();
  log(`all ${clusters} Running after ${allRunningSeconds.toFixed(1)} s; idling ${idleSeconds} s`);
  await sleep(idleSeconds * 1000);
  const idleRequests = auditLines() - requestsToReady;
  const status = readFileSync(`/proc/${operator.pid ?? 0}/status`, "utf8");
  const peakRssMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  const stat = readFileSync(`/proc/${operator.pid ?? 0}/stat`, "utf8").slice(readFileSync(`/proc/${operator.pid ?? 0}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
  operator.kill("SIGTERM");
  await new Promise((resolve) => operator.once("exit", resolve));
  console.log(
    JSON.stringify({
      benchmark: "scale",
      clusters,
      seedNodes: nodes,
      allRunningSeconds: Number(allRunningSeconds.toFixed(1)),
      operatorPeakRssMiB: Number(peakRssMiB.toFixed(1)),
      operatorCpuSeconds: cpuSeconds,
      operatorRequestsPerCluster: Number((requestsToReady / clusters).toFixed(1)),
      operatorRequestsIdle: idleRequests,
      idleSeconds,
      targets: { allRunningSeconds: 300, operatorPeakRssMiB: 300 },
    }),
  );
} finally {
  await api.stop();
  await import("node:fs").then((fs) => fs.rmSync(auditDir, { recursive: true, force: true }));
}
