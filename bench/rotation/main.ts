// CA rotations at scale and what a client sees of them, in one run:
// 1. For each count of --clusters 1,100 (one round after another, on the
//    same platform): Clusters on the kubernetes hosting driver against a
//    kwok seed (as bench/scale), created with caRotation.completeAfter 0s;
//    once all run, the rotate-ca annotation is set on all at once and the
//    round waits until every one reports its rotation Completed. Measures
//    the wall time, the median and largest rotation per cluster (status
//    startedTime to completionTime), the operator's CPU seconds and peak
//    RSS during the rotation, and its requests to the management API
//    (audit log, by verb and resource, per cluster). Clusters of earlier
//    rounds stay, idle.
// 2. --sample (on by default; --no-sample skips it): kwok control planes
//    answer no request, so one cluster on the local driver (the Seed
//    "local", processes on this machine) with leafValidity 1m and
//    renewBefore 40s carries a token client loop (a new TCP connection per
//    GET, the CA bundle refreshed from status.certificateAuthority, the
//    token requested afresh every --token-refresh-seconds): through
//    --leaf-seconds 120 of leaf renewals, then through a whole CA rotation.
//    Failed requests are split into connection failures (the local driver
//    runs one kube-apiserver, restarted at three rotation steps) and trust
//    failures (certificate errors, 401, 403: target 0).
// The operator runs in its own process with both waits of a rotation
// shortened and says so in the output: --secret-propagation-ms (kwok pods
// mount no Secret, so there is nothing to wait for) and --token-lifetime-ms
// (how long the old service-account key keeps verifying; the loop's token
// is never older than --token-refresh-seconds, which must be shorter).
// --sample-replicas N runs the local sample with N API servers behind the
// platform's balancer (one by default, which restarts at three steps).
// Usage: npm run bench -- rotation [--clusters 1,100] [--no-sample] [--leaf-seconds 120] [--sample-replicas 1] [--nodes 5]
//   [--secret-propagation-ms 0] [--token-lifetime-ms 10000] [--token-refresh-seconds 3] [--timeout-minutes 30] [--node-options "…"]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { startKubeAPI } from "@seedbed/testing";
import { parse } from "yaml";
import { resetPeakRss, rssMiB } from "../upgrade/process.ts";
import { auditEvents, cpuSeconds, peakRssMiB, requestsByKind } from "../scale/measure.ts";
import { auditPolicy, prepareSeed } from "../scale/seed-setup.ts";
import { parseClusterCounts, parseWholeNumber, roundClusterName, rotationSeconds } from "./figures.ts";
import { annotateRound, createRound, waitRotated, waitRunning, type Round } from "./fleet.ts";
import { localSeedName, runSample, type SampleFigures } from "./sample.ts";
import { stopChild } from "../lib/stop-child.ts";

const chartValues = parse(readFileSync(new URL("../../deploy/helm/seedbed/values.yaml", import.meta.url), "utf8")) as { nodeOptions: string };
const { values } = parseArgs({
  allowNegative: true,
  options: {
    clusters: { type: "string", default: "1,100" },
    sample: { type: "boolean", default: true },
    "leaf-seconds": { type: "string", default: "120" },
    "sample-replicas": { type: "string", default: "1" },
    nodes: { type: "string", default: "5" },
    "secret-propagation-ms": { type: "string", default: "0" },
    "token-lifetime-ms": { type: "string", default: "10000" },
    "token-refresh-seconds": { type: "string", default: "3" },
    "timeout-minutes": { type: "string", default: "30" },
    "node-options": { type: "string", default: chartValues.nodeOptions },
  },
});
const counts = parseClusterCounts(values.clusters);
const leafSeconds = parseWholeNumber("leaf-seconds", values["leaf-seconds"], 1);
const nodes = parseWholeNumber("nodes", values.nodes, 1);
const sampleReplicas = parseWholeNumber("sample-replicas", values["sample-replicas"], 1);
if (sampleReplicas > 5) throw new Error(`--sample-replicas must be 1 to 5 (spec.controlPlane.replicas), got ${String(sampleReplicas)}`);
const secretPropagationMs = parseWholeNumber("secret-propagation-ms", values["secret-propagation-ms"], 0);
const tokenLifetimeMs = parseWholeNumber("token-lifetime-ms", values["token-lifetime-ms"], 1);
const tokenRefreshMs = parseWholeNumber("token-refresh-seconds", values["token-refresh-seconds"], 1) * 1000;
const timeoutMs = parseWholeNumber("timeout-minutes", values["timeout-minutes"], 1) * 60_000;
// The loop would hold a token the old key signed past the moment the operator believes none is left.
if (values.sample && tokenRefreshMs >= tokenLifetimeMs) throw new Error(`--token-refresh-seconds (${String(tokenRefreshMs / 1000)}) must be shorter than --token-lifetime-ms (${String(tokenLifetimeMs)} ms): the operator retires the old key once tokens it signed are that old`);
const log = (message: string): boolean => process.stderr.write(`[rotation] ${message}\n`);
const namespace = "project-bench";

const workDir = `/tmp/seedbed-rotation-${String(process.pid)}`;
const stateDir = join(workDir, "state");
mkdirSync(stateDir, { recursive: true });
writeFileSync(join(workDir, "policy.yaml"), auditPolicy);
const auditLog = join(workDir, "audit.log");
const operatorLog = join(workDir, "operator.log");
const api = await startKubeAPI({
  controllers: true,
  kwok: true,
  apiServerExtraFlags: { "audit-policy-file": join(workDir, "policy.yaml"), "audit-log-path": auditLog, "audit-log-maxsize": 1024, "max-requests-inflight": 800, "max-mutating-requests-inflight": 400 },
  controllerManagerExtraFlags: { "kube-api-qps": 200, "kube-api-burst": 400, "concurrent-deployment-syncs": 10, "concurrent-replicaset-syncs": 10, "concurrent-statefulset-syncs": 10 },
  schedulerExtraFlags: { "kube-api-qps": 200, "kube-api-burst": 400 },
});
let operator: ChildProcess | undefined;
let cleaned: Promise<void> | undefined;
/** Stops the operator (which stops the local control planes), kills any they left, and stops the seed; once. */
const cleanUp = (): Promise<void> => (cleaned ??= stopAll());
async function stopAll(): Promise<void> {
  // An operator that does not stop within 20 s is killed.
  await stopChild(operator);
  for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
  await api.stop();
  rmSync(workDir, { recursive: true, force: true });
}
// Ctrl-C must leave neither a seed, an operator nor a local control plane behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** The operator's last log lines (warnings and errors), shortened to who said what, for a failed run's output. */
function operatorLogTail(): string {
  let text: string;
  try {
    text = readFileSync(operatorLog, "utf8");
  } catch {
    return "(no operator log)";
  }
  return text.trimEnd().split("\n").slice(-15).map((line) => {
    try {
      const entry = JSON.parse(line) as { controller?: string; object?: string; msg?: string; error?: string };
      return `${entry.controller ?? ""} ${entry.object ?? ""}: ${entry.msg ?? ""} ${entry.error ?? ""}`;
    } catch {
      return line;
    }
  }).join("\n");
}

try {
  const kc = api.kubeConfig();
  const total = counts.reduce((a, b) => a + b, 0);
  const operatorKubeconfig = await prepareSeed(api, kc, { clusters: total, nodes, namespace });
  const objects = kc.makeApiClient(CustomObjectsApi);
  // The local Seed beside the kwok one (which stays the default): only the sample names it.
  await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: localSeedName }, spec: { driver: "local" } } });
  log(`kwok seed ready: ${String(nodes)} kwok nodes, ${String(total)} volumes; operator with secretPropagationMs ${String(secretPropagationMs)}, tokenLifetimeMs ${String(tokenLifetimeMs)}`);
  const out = openSync(operatorLog, "a");
  const child = spawn(process.execPath, [new URL("./operator.ts", import.meta.url).pathname], {
    stdio: ["ignore", out, out],
    env: { ...process.env, NODE_OPTIONS: values["node-options"], ROTATION_KUBECONFIG: operatorKubeconfig, ROTATION_STATE_DIR: stateDir, ROTATION_TOKEN_LIFETIME_MS: String(tokenLifetimeMs), ROTATION_SECRET_PROPAGATION_MS: String(secretPropagationMs) },
  });
  operator = child;
  const pid = child.pid ?? 0;
  const alive = (): void => {
    if (child.exitCode !== null) throw new Error(`the operator exited with ${String(child.exitCode)}:\n${operatorLogTail()}`);
  };

  const rounds = [];
  for (const count of counts) {
    const round: Round = { namespace, round: String(count), names: Array.from({ length: count }, (_, i) => roundClusterName(i, count)) };
    const created = performance.now();
    await createRound(objects, round);
    await waitRunning(objects, round, { timeoutMs, alive, log: (m) => log(`round ${String(count)}: ${m}`) });
    const allRunningSeconds = (performance.now() - created) / 1000;
    log(`round ${String(count)}: all Running after ${allRunningSeconds.toFixed(1)} s; rotating all CAs`);

    // From here on everything counts for the rotation.
    const auditBefore = auditEvents(auditLog).length;
    const cpuBefore = cpuSeconds(pid);
    const peakIsRotations = resetPeakRss(pid);
    let sampledPeakMiB = rssMiB(pid);
    const requested = new Date().toISOString();
    const began = performance.now();
    await annotateRound(objects, round, requested);
    const annotatedSeconds = (performance.now() - began) / 1000;
    const clusters = await waitRotated(objects, round, requested, { timeoutMs, alive, log: (m) => log(`round ${String(count)}: ${m}`), each: () => void (sampledPeakMiB = Math.max(sampledPeakMiB, rssMiB(pid))) });
    const seenSeconds = (performance.now() - began) / 1000;
    const operatorCpuSeconds = Math.round((cpuSeconds(pid) - cpuBefore) * 100) / 100;
    const operatorPeakRssMiB = Math.max(peakRssMiB(pid), sampledPeakMiB);
    const during = auditEvents(auditLog).slice(auditBefore);
    // The last completion the operator recorded, from the moment before the first annotation.
    const lastCompletion = Math.max(...clusters.map((c) => Date.parse(c.status?.certificates?.rotation?.completionTime ?? "")));
    const figures = {
      clusters: count,
      allRunningSeconds: Number(allRunningSeconds.toFixed(1)),
      annotateSeconds: Number(annotatedSeconds.toFixed(1)),
      allCompletedSeconds: Number(((lastCompletion - Date.parse(requested)) / 1000).toFixed(1)),
      allCompletedSeenSeconds: Number(seenSeconds.toFixed(1)),
      clusterRotationSeconds: rotationSeconds(clusters),
      operatorCpuSeconds,
      operatorCpuSecondsPerCluster: Number((operatorCpuSeconds / count).toFixed(3)),
      operatorPeakRssMiB: Number(operatorPeakRssMiB.toFixed(1)),
      operatorPeakRssCovers: peakIsRotations ? "the rotation" : "the operator's life (the kernel refused to reset VmHWM)",
      operatorRequests: during.length,
      operatorRequestsPerCluster: Number((during.length / count).toFixed(1)),
      operatorRequestsPerClusterByKind: requestsByKind(during, count),
    };
    log(`round ${String(count)}: ${JSON.stringify(figures)}`);
    rounds.push(figures);
  }

  let sample: SampleFigures | undefined;
  if (values.sample) {
    sample = await runSample({ management: kc, namespace, name: "sample", stateDir, leafSeconds, leafValidity: "1m", renewBefore: "40s", apiServerReplicas: sampleReplicas, tokenRefreshMs, timeoutMs, alive, log: (m) => log(`sample: ${m}`) });
    log(`sample rotation: ${JSON.stringify(sample.rotation)}`);
  }
  console.log(
    JSON.stringify({
      benchmark: "rotation",
      settings: {
        completeAfter: "0s",
        secretPropagationMs,
        secretPropagationNote: "kwok seed pods mount no Secret: nothing to wait for (the default on a real kubernetes seed is 150000)",
        tokenLifetimeMs,
        tokenLifetimeNote: `the old service-account key retires this long after the new one signs (default 24 h); the sample's loop requests a new token every ${String(tokenRefreshMs / 1000)} s`,
        operatorNodeOptions: values["node-options"],
        seedNodes: nodes,
        sampleAPIServers: sampleReplicas,
      },
      rounds,
      sample: sample ?? null,
      targets: { leafFailedRequests: 0, rotationTrustFailures: 0 },
    }),
  );
  const incomplete = sample !== undefined && !sample.rotation.completed;
  if (incomplete) process.exitCode = 1;
} catch (error) {
  if (cleaned === undefined) log(`operator log (last lines):\n${operatorLogTail()}`);
  throw error;
} finally {
  await cleanUp();
}
