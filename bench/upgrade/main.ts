// A fleet upgraded one minor by an UpgradePlan: --clusters 100 Clusters on
// the kubernetes hosting driver against a kwok seed (as bench/scale), plus
// --sample 2 Clusters with two API servers each on a one-node real seed
// (root and containerd; kwok control planes answer no request) with a
// client loop against each while the plan runs. Measures the seconds from
// the plan's creation to phase Completed, each wave's duration, the
// operator's peak RSS and CPU seconds during the plan, its requests to the
// management API during the plan (audit log), and the client loops'
// failed requests (target 0) out of all they made.
// Usage: npm run bench -- upgrade [--clusters 100] [--sample 2] [--node-pools] [--canary 1] [--batch-size 25%] [--soak 0s] [--max-failures 1] [--nodes 5] [--timeout-minutes 60] [--stall-minutes 10] [--node-options "…"]
// --node-pools gives each sample cluster a kwok NodePool of one machine (its
// upgrade then waits for the machine to be replaced); kwok-seed clusters get
// none: their simulated API servers cannot host kwok's Nodes.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { localRegistry } from "@seedbed/node";
import { startKubeAPI } from "@seedbed/testing";
import { parse } from "yaml";
import { auditEvents, cpuSeconds, peakRssMiB, requestsByKind } from "../scale/measure.ts";
import { auditPolicy, prepareSeed } from "../scale/seed-setup.ts";
import { clusterUpgradeSeconds, kwokClusterName, loopFigures, parseWholeNumber, sampleClusterNames, waveFigures } from "./figures.ts";
import { createFleet, createPlan, followPlan, listClusters, ofMinor, waitRunning, type FleetSpec } from "./fleet.ts";
import { resetPeakRss, rssMiB } from "./process.ts";
import { sampleUnavailable, startClientLoops, startSampleSeed, type SampleSeed } from "./sample.ts";
import { stopChild } from "../lib/stop-child.ts";

const chartValues = parse(readFileSync(new URL("../../deploy/helm/seedbed/values.yaml", import.meta.url), "utf8")) as { nodeOptions: string };
const { values } = parseArgs({
  options: {
    clusters: { type: "string", default: "100" },
    sample: { type: "string", default: "2" },
    "node-pools": { type: "boolean", default: false },
    canary: { type: "string", default: "1" },
    "batch-size": { type: "string", default: "25%" },
    soak: { type: "string", default: "0s" },
    "max-failures": { type: "string", default: "1" },
    nodes: { type: "string", default: "5" },
    "timeout-minutes": { type: "string", default: "60" },
    "stall-minutes": { type: "string", default: "10" },
    "node-options": { type: "string", default: chartValues.nodeOptions },
  },
});
const clusters = parseWholeNumber("clusters", values.clusters, 1);
const canary = parseWholeNumber("canary", values.canary, 0);
const maxFailures = parseWholeNumber("max-failures", values["max-failures"], 1);
const nodes = parseWholeNumber("nodes", values.nodes, 1);
const timeoutMs = parseWholeNumber("timeout-minutes", values["timeout-minutes"], 1) * 60_000;
const stallMs = parseWholeNumber("stall-minutes", values["stall-minutes"], 1) * 60_000;
const log = (message: string): boolean => process.stderr.write(`[upgrade] ${message}\n`);
const from = "1.36";
const to = "1.37";
const namespace = "project-bench";
const label = { key: "bench", value: "upgrade" } as const;
const cli = new URL("../../packages/cli/src/bin/seedbed.ts", import.meta.url).pathname;

const askedSample = parseWholeNumber("sample", values.sample, 0);
const sampleSkipped = askedSample === 0 ? "--sample 0" : sampleUnavailable();
if (sampleSkipped !== undefined && askedSample > 0) log(`no client-loop sample: ${sampleSkipped}; failedRequests will be null`);
const fleet: FleetSpec = {
  namespace,
  label,
  from,
  kwok: Array.from({ length: clusters }, (_, i) => kwokClusterName(i, clusters)),
  sample: sampleSkipped === undefined ? sampleClusterNames(askedSample, clusters) : [],
  nodePools: values["node-pools"] && sampleSkipped === undefined,
};
log(`node pools: ${fleet.nodePools ? "one kwok machine per sample cluster" : "none (--node-pools adds one kwok machine to each sample cluster)"}`);

const auditDir = `/tmp/seedbed-upgrade-${String(process.pid)}`;
mkdirSync(auditDir, { recursive: true });
writeFileSync(join(auditDir, "policy.yaml"), auditPolicy);
const auditLog = join(auditDir, "audit.log");
const api = await startKubeAPI({
  controllers: true,
  kwok: true,
  apiServerExtraFlags: { "audit-policy-file": join(auditDir, "policy.yaml"), "audit-log-path": auditLog, "audit-log-maxsize": 1024, "max-requests-inflight": 800, "max-mutating-requests-inflight": 400 },
  controllerManagerExtraFlags: { "kube-api-qps": 200, "kube-api-burst": 400, "concurrent-deployment-syncs": 10, "concurrent-replicaset-syncs": 10 },
  schedulerExtraFlags: { "kube-api-qps": 200, "kube-api-burst": 400 },
});
let operator: ChildProcess | undefined;
let sampleSeed: SampleSeed | undefined;
let cleaned: Promise<void> | undefined;
/** Stops the operator, the real seed and the kwok seed; once, whoever asks first (a signal or the end). */
const cleanUp = (): Promise<void> => (cleaned ??= stopAll());
async function stopAll(): Promise<void> {
  // An operator that does not stop within 20 s is killed.
  await stopChild(operator);
  await sampleSeed?.stop().catch((error: unknown) => log(`stopping the real seed: ${String(error)}`));
  await api.stop();
  rmSync(auditDir, { recursive: true, force: true });
}
// Ctrl-C must leave neither a seed nor an operator behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

try {
  const kc = api.kubeConfig();
  const operatorKubeconfig = await prepareSeed(api, kc, { clusters, nodes, namespace });
  log(`kwok seed ready: ${String(nodes)} kwok nodes, ${String(clusters)} volumes`);
  if (fleet.sample.length > 0) {
    const began = performance.now();
    sampleSeed = await startSampleSeed(kc);
    log(`real seed for ${String(fleet.sample.length)} sample clusters up in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  // The images the real seed imported are named under the local registry; kwok pods pull nothing either way.
  const child = spawn(process.execPath, [cli, "operator", "--driver=kubernetes", `--kubeconfig=${operatorKubeconfig}`, "--metrics-port=0", "--log-level=warn", `--image-registry=${localRegistry}`], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_OPTIONS: values["node-options"] } });
  operator = child;
  const pid = child.pid ?? 0;
  const alive = (): void => {
    if (child.exitCode !== null) throw new Error(`the operator exited with ${String(child.exitCode)}`);
  };
  const objects = kc.makeApiClient(CustomObjectsApi);
  const created = performance.now();
  await createFleet(objects, fleet);
  await waitRunning(objects, fleet, { timeoutMs: 20 * 60_000, alive, log: (m) => log(m) });
  const allRunningSeconds = (performance.now() - created) / 1000;
  log(`all ${String(clusters + fleet.sample.length)} clusters Running at ${from} after ${allRunningSeconds.toFixed(1)} s`);

  // From here on everything counts for the plan.
  const loops = fleet.sample.length > 0 ? await startClientLoops(kc, namespace, fleet.sample) : undefined;
  const auditBefore = auditEvents(auditLog).length;
  const cpuBefore = cpuSeconds(pid);
  const peakIsPlans = resetPeakRss(pid);
  let sampledPeakMiB = rssMiB(pid);
  const planBegan = performance.now();
  await createPlan(objects, { name: "bench", to, label, canary, batchSize: values["batch-size"], soak: values.soak, maxFailures });
  let lastReport = 0;
  const plan = await followPlan(objects, "bench", {
    timeoutMs,
    stallMs,
    each: (p) => {
      alive();
      sampledPeakMiB = Math.max(sampledPeakMiB, rssMiB(pid));
      if (performance.now() - lastReport < 10_000) return;
      lastReport = performance.now();
      log(`${((performance.now() - planBegan) / 1000).toFixed(0)} s: ${p.status?.phase ?? "Pending"}, wave ${String(p.status?.currentWave ?? 0)}/${String(p.status?.waves ?? "?")}, ${JSON.stringify(p.status?.counts ?? {})}`);
    },
  });
  const allUpgradedSeconds = (performance.now() - planBegan) / 1000;
  const operatorCpuSeconds = Math.round((cpuSeconds(pid) - cpuBefore) * 100) / 100;
  const operatorPeakRssMiB = Math.max(peakRssMiB(pid), sampledPeakMiB);
  const during = auditEvents(auditLog).slice(auditBefore);
  const loopResults = (await loops?.stop()) ?? [];
  for (const [i, result] of loopResults.entries()) for (const failure of result.failures.slice(0, 20)) log(`client loop on ${fleet.sample[i] ?? "?"}: ${failure}`);
  const entries = plan.status?.clusters ?? [];
  for (const failed of entries.filter((e) => e.state !== "Upgraded")) log(`${failed.name}: ${failed.state} ${failed.message ?? ""}`);
  const atTarget = (await listClusters(objects, namespace)).filter((c) => ofMinor(c.status?.version, to) && c.status?.upgrade?.phase === "Completed").length;
  const total = clusters + fleet.sample.length;
  log(`plan ${plan.status?.phase ?? "?"} after ${allUpgradedSeconds.toFixed(1)} s; ${String(atTarget)}/${String(total)} clusters at ${to}`);
  console.log(
    JSON.stringify({
      benchmark: "upgrade",
      clusters,
      sample: fleet.sample.length,
      ...(sampleSkipped === undefined ? {} : { sampleSkipped }),
      nodePools: fleet.nodePools ? "one kwok machine per sample cluster" : "none",
      from,
      to,
      canary,
      batchSize: values["batch-size"],
      soak: values.soak,
      waves: plan.status?.waves ?? null,
      planPhase: plan.status?.phase ?? null,
      upgradedClusters: atTarget,
      allRunningSeconds: Number(allRunningSeconds.toFixed(1)),
      allUpgradedSeconds: Number(allUpgradedSeconds.toFixed(1)),
      waveSeconds: waveFigures(entries),
      clusterUpgradeSeconds: clusterUpgradeSeconds(entries),
      ...loopFigures(loopResults),
      operatorPeakRssMiB: Number(operatorPeakRssMiB.toFixed(1)),
      operatorPeakRssCovers: peakIsPlans ? "the plan" : "the operator's life (the kernel refused to reset VmHWM)",
      operatorCpuSeconds,
      operatorNodeOptions: values["node-options"],
      operatorRequests: during.length,
      operatorRequestsPerCluster: Number((during.length / total).toFixed(1)),
      operatorRequestsPerClusterByKind: requestsByKind(during, total),
      targets: { failedRequests: 0 },
    }),
  );
  if (plan.status?.phase !== "Completed" || atTarget !== total) process.exitCode = 1;
} catch (error) {
  // After a signal the seed is already gone, and so are its logs.
  if (sampleSeed !== undefined && cleaned === undefined) log(`real seed logs:\n${sampleSeed.logTails()}`);
  throw error;
} finally {
  await cleanUp();
}
