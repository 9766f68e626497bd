// The operator SIGKILLed at random points while clusters are created,
// scaled and deleted: `seedbed operator --driver=local` runs as a child
// process on one state directory against a real management plane (etcd,
// kube-apiserver, kube-controller-manager); each step of a seeded schedule
// (bench/chaos/schedule.ts) acts, waits its kill delay, kills the operator's
// process group and starts it again, which must adopt the tenant processes
// by their markers. After each restart the benchmark waits until everything
// has converged (see converge.ts) and times it; at every converged point and
// at the end it counts leaks: processes, ports, directories and objects
// nothing owns any more, and second copies of a component.
// Prints kills, the convergence time after a restart (p50, p99, max: in
// seconds), restarts that did not converge within --converge-timeout, and
// leaks (each on stderr), as the last line; exits 1 when a restart did not
// converge or anything leaked.
// Usage: npm run bench -- chaos [--kills 50] [--seed 1] [--clusters 3] [--max-replicas 3] [--max-kill-delay 10]
//   [--converge-timeout 180] [--unsettled-share 0.2] [--operator-log-level warn] [--keep-operator-log]
// --clusters: alive at once, at most; --max-kill-delay: seconds from an action to the kill, at most;
// --unsettled-share: share of restarts after which the next step starts at once (kills during adoption).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, clusterOwnerReference, installCRDs, type Cluster } from "@seedbed/api";
import { findProcessesByMarker, reservePorts, type PortReservation } from "@seedbed/controlplane";
import { startKubeAPI, type KubeAPI } from "@seedbed/testing";
import { idOf, leaks, pending, poolOf, type Expected } from "./converge.ts";
import { listenersOn, operatorProcesses, processMarker } from "./host.ts";
import { Observer } from "./observe.ts";
import { OperatorProcess } from "./operator-process.ts";
import { chaosSchedule, quantile, type ChaosAction } from "./schedule.ts";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "50" },
    seed: { type: "string", default: "1" },
    clusters: { type: "string", default: "3" },
    "max-replicas": { type: "string", default: "3" },
    "max-kill-delay": { type: "string", default: "10" },
    "converge-timeout": { type: "string", default: "180" },
    "unsettled-share": { type: "string", default: "0.2" },
    "operator-log-level": { type: "string", default: "warn" },
    "keep-operator-log": { type: "boolean", default: false },
  },
});
const number = (flag: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const value = Number(values[flag]);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} must be a number from ${min} to ${max}, got ${values[flag]}`);
  return value;
};
const options = {
  seed: Math.trunc(number("seed", 0, 2 ** 32 - 1)),
  kills: Math.trunc(number("kills", 1)),
  clusters: Math.trunc(number("clusters", 1, 20)),
  maxReplicas: Math.trunc(number("max-replicas", 0, 50)),
  maxKillDelayMs: number("max-kill-delay", 0) * 1000,
  unsettledShare: number("unsettled-share", 0, 0.9),
};
const convergeTimeoutMs = number("converge-timeout", 10) * 1000;
const log = (message: string): boolean => process.stderr.write(`[chaos] ${message}\n`);
const describe = (a: ChaosAction): string => (a.type === "none" ? "nothing" : a.type === "delete" ? `delete ${a.cluster}` : `${a.type} ${a.cluster} (${a.replicas} nodes)`);
const steps = chaosSchedule(options);
const count = (type: ChaosAction["type"]): number => steps.filter((s) => s.action.type === type).length;
log(`seed ${options.seed}: ${steps.length} kills after ${count("create")} creates, ${count("scale")} scalings, ${count("delete")} deletions, ${count("none")} idle steps`);

const namespace = "project-chaos";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const work = mkdtempSync(join(tmpdir(), "seedbed-bench-chaos-"));
const stateDir = join(work, "state");
const operatorLog = join(tmpdir(), `seedbed-bench-chaos-${process.pid}-operator.log`);
const crashes: string[] = [];
let stopping = false;
/** What cleanUp must stop, as soon as it exists. */
const started: { api?: KubeAPI; metrics?: PortReservation; operator?: OperatorProcess } = {};
let cleaned: Promise<void> | undefined;
let interrupted = false;
const cleanUp = (): Promise<void> =>
  (cleaned ??= (async () => {
    stopping = true;
    await started.operator?.kill();
    // Each tenant process leads its own process group: the group goes with it.
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    rmSync(work, { recursive: true, force: true });
    if (interrupted && !values["keep-operator-log"]) rmSync(operatorLog, { force: true });
    started.metrics?.release();
    await started.api?.stop();
  })());
// Ctrl-C must leave no operator, tenant process, state directory or management plane behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}
const api = (started.api = await startKubeAPI({ controllers: true }));
const metrics = (started.metrics = await reservePorts(1));
const operator = (started.operator = new OperatorProcess({
  kubeconfigPath: api.kubeconfigPath,
  stateDir,
  logFile: operatorLog,
  metricsPort: metrics.ports[0] ?? 0,
  logLevel: values["operator-log-level"],
  onUnexpectedExit: (code, signal) => {
    if (stopping) return;
    crashes.push(`exit ${String(code)} signal ${String(signal)}`);
    log(`the operator exited by itself (code ${String(code)}, signal ${String(signal)}); starting it again (log: ${operatorLog})`);
    setTimeout(() => {
      if (!stopping && operator.pid === undefined) operator.start();
    }, 1000).unref();
  },
}));

const kc = api.kubeConfig();
const objects = kc.makeApiClient(CustomObjectsApi);
const observer = new Observer(kc, stateDir);
const expected: Expected & { alive: Map<string, number>; deleted: Set<string> } = { namespace, alive: new Map(), deleted: new Set() };
const seenLeaks = new Map<string, string>(); // leak → when first seen

async function act(action: ChaosAction): Promise<void> {
  if (action.type === "create") {
    const cluster = (await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: action.cluster, namespace }, spec: {} } })) as Cluster;
    // Owned by its Cluster, as `seedbed cluster create --nodes` makes it: it goes with the Cluster even one the operator never saw.
    const metadata = { name: poolOf(action.cluster), namespace, ownerReferences: [clusterOwnerReference(cluster)] };
    await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata, spec: { clusterName: action.cluster, replicas: action.replicas, provider: { type: "kwok" } } } });
    expected.alive.set(action.cluster, action.replicas);
  } else if (action.type === "scale") {
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: poolOf(action.cluster), body: { spec: { replicas: action.replicas } } }, mergePatch);
    expected.alive.set(action.cluster, action.replicas);
  } else if (action.type === "delete") {
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: action.cluster });
    expected.alive.delete(action.cluster);
    expected.deleted.add(action.cluster);
    observer.forget(action.cluster);
  }
}

/**
 * What a restart did not converge on within the timeout: reported once (and
 * counted as a leak if it stays), then left out of later waits, so one stuck
 * object does not make every later step wait out its timeout too.
 */
const givenUp = new Set<string>();

/** Waits until nothing is pending; returns the seconds it took, or what was still pending at the deadline. */
async function converge(since: number): Promise<{ seconds: number } | { pending: string[] }> {
  let left: string[] = [];
  let reportAt = since + 20_000;
  while (performance.now() - since < convergeTimeoutMs) {
    left = pending(expected, await observer.snapshot(expected)).filter((p) => !givenUp.has(p));
    // The restarted operator must be up as well: a kill while nothing changes converges when it serves again.
    if (!(await operator.ready())) left.push("the operator does not answer /readyz with 200 yet");
    if (left.length === 0) return { seconds: (performance.now() - since) / 1000 };
    if (performance.now() > reportAt) {
      log(`  still waiting after ${((performance.now() - since) / 1000).toFixed(0)} s for: ${left.slice(0, 4).join("; ")}${left.length > 4 ? `; and ${left.length - 4} more` : ""}`);
      reportAt += 20_000;
    }
    await sleep(500);
  }
  for (const p of left) givenUp.add(p);
  return { pending: left };
}

/** Notes every leak not seen before, with when it was first seen; returns how many are there now. */
async function checkLeaks(when: string): Promise<number> {
  const seen = await observer.snapshot(expected);
  const livePorts = new Set([...seen.dirs].flatMap((id) => observer.portsById.get(id) ?? []));
  const deletedPorts = new Set([...expected.deleted].flatMap((c) => observer.portsById.get(idOf(namespace, c)) ?? []).filter((p) => !livePorts.has(p)));
  const portLeaks: string[] = [];
  for (const [port, pids] of listenersOn(deletedPorts)) {
    const ours = pids.filter((pid) => processMarker(pid)?.startsWith(`seedbed:${stateDir}/`) === true || pid === operator.pid);
    // Another process on this busy machine may have taken a freed port: not ours, not a leak.
    if (pids.length > 0 && ours.length === 0) log(`port ${port} of a deleted cluster is taken by pids ${pids.join(", ")}, not of this platform`);
    else portLeaks.push(`port ${port} of a deleted cluster is listened on (pids ${pids.join(", ") || "unknown"})`);
  }
  const operators = operatorProcesses(stateDir);
  // Exactly the one we started: a killed operator that lingered would reconcile beside the new one.
  const extra = operators.length === 1 && operators[0] === operator.pid ? [] : [`operator processes ${operators.join(", ") || "none"}, want only ${String(operator.pid)}`];
  const now = leaks(expected, seen, [...portLeaks, ...extra]);
  for (const leak of now) if (!seenLeaks.has(leak)) seenLeaks.set(leak, when);
  return now.length;
}

const convergence: number[] = [];
const unconverged: string[] = [];
const began = performance.now();
try {
  await installCRDs(kc);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "local" }, spec: { driver: "local", default: true } } });
  log(`management plane at ${api.server}; state in ${stateDir}; operator log ${operatorLog}`);
  operator.start();
  for (const [i, step] of steps.entries()) {
    const label = `step ${i + 1}/${steps.length}`;
    await act(step.action);
    // The kill delay, noting ports as clusters record them (a cluster may be created and deleted between two settled steps).
    const killAt = performance.now() + step.killDelayMs;
    while (performance.now() < killAt) {
      observer.recordPorts();
      await sleep(Math.min(250, Math.max(0, killAt - performance.now())));
    }
    await operator.kill();
    operator.start();
    const restartedAt = performance.now();
    if (!step.settle) {
      log(`${label}: ${describe(step.action)}, killed after ${(step.killDelayMs / 1000).toFixed(1)} s; next step at once`);
      continue;
    }
    const result = await converge(restartedAt);
    if ("seconds" in result) convergence.push(result.seconds);
    else unconverged.push(`${label}: ${result.pending.join("; ")}`);
    const leaking = await checkLeaks(label);
    log(`${label}: ${describe(step.action)}, killed after ${(step.killDelayMs / 1000).toFixed(1)} s; ${"seconds" in result ? `converged ${result.seconds.toFixed(1)} s after the restart` : `NOT converged after ${convergeTimeoutMs / 1000} s: ${result.pending.join("; ")}`}${leaking > 0 ? `; ${leaking} leaks` : ""} (${expected.alive.size} clusters alive)`);
  }
  await checkLeaks("end");
  for (const [leak, when] of seenLeaks) log(`LEAK (first seen at ${when}): ${leak}`);
  for (const line of unconverged) log(`NOT CONVERGED ${line}`);
  const round = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 10) / 10);
  console.log(
    JSON.stringify({
      benchmark: "chaos",
      seed: options.seed,
      kills: steps.length,
      maxClustersAlive: options.clusters,
      actions: { create: count("create"), scale: count("scale"), delete: count("delete"), none: count("none") },
      convergedRestarts: convergence.length,
      p50: round(quantile(convergence, 0.5)),
      p99: round(quantile(convergence, 0.99)),
      maxSeconds: round(quantile(convergence, 1)),
      unconverged: unconverged.length,
      leaks: seenLeaks.size,
      operatorCrashes: crashes.length,
      totalSeconds: round((performance.now() - began) / 1000),
    }),
  );
  if (seenLeaks.size === 0 && unconverged.length === 0 && crashes.length === 0 && !values["keep-operator-log"]) rmSync(operatorLog, { force: true });
  else log(`operator log kept: ${operatorLog}`);
  // A leak or a restart that never converged fails the run (the figures are printed all the same).
  if (seenLeaks.size > 0 || unconverged.length > 0) process.exitCode = 1;
} finally {
  await cleanUp();
}
