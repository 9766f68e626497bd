// The sample on the local driver: kwok control planes answer no request, so
// one cluster whose control plane runs as local processes (the Seed
// "local") carries a token client loop, first through leaf renewals of
// one-minute leaves, then through a whole CA rotation.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, rotateCAAnnotation, type Cluster } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { classifyFailure, countFailures, failingSeconds, failureRuns, phaseSeconds, restarts } from "./figures.ts";
import { tokenLoop, type LoopFailure, type Stoppable } from "@seedbed/testing";
import { tokenSource } from "./token-loop.ts";

/** The Seed the sample cluster names in spec.seed. */
export const localSeedName = "local";
const group = { group: "seedbed.dev", version: "v1alpha1" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What the sample is run with. */
export interface SampleOptions {
  readonly management: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** The operator's state directory: where the local driver marks the cluster's processes. */
  readonly stateDir: string;
  readonly leafSeconds: number;
  readonly leafValidity: string;
  readonly renewBefore: string;
  /** spec.controlPlane.replicas of the sample cluster. */
  readonly apiServerReplicas: number;
  /** How often the loop's token is requested afresh. */
  readonly tokenRefreshMs: number;
  readonly timeoutMs: number;
  /** Throws when the operator is gone. */
  readonly alive: () => void;
  readonly log: (message: string) => void;
}

/** What a stretch of the loop saw, as the benchmark reports it. */
export interface LoopFigures extends ReturnType<typeof countFailures> {
  readonly seconds: number;
  readonly requests: number;
  /** Seconds from first to last of each run of connection failures, summed: how long kube-apiserver was out of reach. */
  readonly unreachableSeconds: number;
  /** Serving certificates met beyond the first. */
  readonly servingCertificatesChanged: number;
  readonly kubeApiserverRestarts: number;
  readonly etcdRestarts: number;
  readonly tokenRefreshes: number;
  readonly tokenRefreshFailures: ReturnType<typeof countFailures>;
}

/** The whole sample's figures. */
export interface SampleFigures {
  /** `renewals`: leaf renewals the operator made (each moved status.certificates.renewalTime). */
  readonly leaves: LoopFigures & { readonly leafValidity: string; readonly renewBefore: string; readonly renewals: number };
  readonly rotation: LoopFigures & { readonly completed: boolean; readonly phaseSeconds: Record<string, number> };
}

/** Polls the Cluster every 200 ms: the CA bundle a refreshing client trusts, the rotation phases seen, and each new renewalTime (a leaf renewal moves it). */
function follow(objects: CustomObjectsApi, namespace: string, name: string, first: Cluster): Stoppable<void> & { cluster(): Cluster; phases: { phase: string; atMs: number }[]; renewalTimes: string[] } {
  let latest = first;
  const phases: { phase: string; atMs: number }[] = [];
  const renewalTimes: string[] = [];
  const state = { running: true };
  const done = (async () => {
    while (state.running) {
      try {
        latest = (await objects.getNamespacedCustomObject({ ...group, namespace, plural: "clusters", name })) as Cluster;
        const phase = latest.status?.certificates?.rotation?.phase;
        if (phase !== undefined && phase !== phases.at(-1)?.phase) phases.push({ phase, atMs: performance.now() });
        const renewal = latest.status?.certificates?.renewalTime;
        if (renewal !== undefined && renewal !== renewalTimes.at(-1)) renewalTimes.push(renewal);
      } catch {
        // The management API is not what is measured; the next poll tries again.
      }
      await sleep(200);
    }
  })();
  return { cluster: () => latest, phases, renewalTimes, stop: async () => {
      state.running = false;
      await done;
    },
  };
}

/** Samples the pids of a local cluster's kube-apiserver and etcd every second (a new pid is a restart). */
function watchProcesses(stateDir: string, clusterId: string): Stoppable<{ apiserver: number[][]; etcd: number[][] }> {
  const seen = { apiserver: [] as number[][], etcd: [] as number[][] };
  const marker = (component: string): string => `seedbed:${join(stateDir, "clusters", clusterId)}/${component}`;
  const sample = (): void => {
    seen.apiserver.push(findProcessesByMarker(marker("kube-apiserver")));
    seen.etcd.push(findProcessesByMarker(marker("etcd")));
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Promise.resolve(seen);
    },
  };
}

/** One stretch of the client loop with its token source and process watch, until `until` resolves. */
async function measureStretch(o: SampleOptions, core: CoreV1Api, cluster: Cluster, ca: () => string, until: () => Promise<void>): Promise<LoopFigures> {
  const endpoint = cluster.status?.endpoint ?? "";
  const tokens = await tokenSource(core, o.namespace, o.name, o.tokenRefreshMs);
  const processes = watchProcesses(o.stateDir, cluster.status?.clusterID ?? "?");
  const began = performance.now();
  const loop = tokenLoop(endpoint, ca, () => tokens.current());
  // The loop stops whatever happened, so that a failed stretch leaves no timer behind.
  const outcome = await until().then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const seconds = (performance.now() - began) / 1000;
  const [seen, refreshed, pids] = await Promise.all([loop.stop(), tokens.stop(), processes.stop()]);
  if (outcome !== undefined) throw outcome;
  logFailures(o, "client loop", seen.failures);
  logFailures(o, "token refresh", refreshed.failures);
  return {
    seconds: Math.round(seconds * 10) / 10,
    requests: seen.ok + seen.failures.length,
    ...countFailures(seen.failures),
    unreachableSeconds: failingSeconds(seen.failures, "connection"),
    servingCertificatesChanged: Math.max(0, seen.servingSerials.length - 1),
    kubeApiserverRestarts: restarts(pids.apiserver),
    etcdRestarts: restarts(pids.etcd),
    tokenRefreshes: refreshed.refreshes + refreshed.failures.length,
    tokenRefreshFailures: countFailures(refreshed.failures),
  };
}

/** Logs failures as runs of the same message, each with its kind. */
function logFailures(o: SampleOptions, what: string, failures: readonly LoopFailure[]): void {
  const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23);
  for (const run of failureRuns(failures)) {
    o.log(`${what}: ${time(run.from)}${run.count > 1 ? `–${time(run.to)} ×${String(run.count)}` : ""} ${classifyFailure(run.why)}: ${run.why}`);
  }
}

/**
 * Creates the sample cluster on the local Seed with short leaves and
 * caRotation.completeAfter 0s, runs the client loop through
 * `leafSeconds` of renewals, then through a CA rotation until Completed.
 */
export async function runSample(o: SampleOptions): Promise<SampleFigures> {
  const objects = o.management.makeApiClient(CustomObjectsApi);
  const core = o.management.makeApiClient(CoreV1Api);
  const spec = { seed: localSeedName, controlPlane: { replicas: o.apiServerReplicas }, certificates: { leafValidity: o.leafValidity, renewBefore: o.renewBefore, caRotation: { completeAfter: "0s" } } };
  await objects.createNamespacedCustomObject({ ...group, plural: "clusters", namespace: o.namespace, body: { apiVersion, kind: "Cluster", metadata: { name: o.name, namespace: o.namespace }, spec } });
  const read = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", namespace: o.namespace, name: o.name })) as Cluster;
  const began = performance.now();
  let running = await read();
  while (running.status?.phase !== "Running") {
    o.alive();
    if (performance.now() - began > o.timeoutMs) throw new Error(`sample cluster ${o.name} not Running within ${String(o.timeoutMs / 1000)} s: ${running.status?.phase ?? "no phase"}`);
    await sleep(1000);
    running = await read();
  }
  o.log(`sample cluster ${o.name} Running on the local driver after ${((performance.now() - began) / 1000).toFixed(1)} s`);
  const follower = follow(objects, o.namespace, o.name, running);
  const ca = (): string => follower.cluster().status?.certificateAuthority ?? "";
  try {
    const renewalsBefore = follower.renewalTimes.length;
    o.log(`client loop through ${String(o.leafSeconds)} s of leaf renewals (leafValidity ${o.leafValidity}, renewBefore ${o.renewBefore})`);
    const leaves = await measureStretch(o, core, running, ca, async () => {
      const end = performance.now() + o.leafSeconds * 1000;
      while (performance.now() < end) {
        o.alive();
        await sleep(Math.min(1000, end - performance.now()));
      }
    });
    const renewalCount = follower.renewalTimes.length - renewalsBefore;
    o.log(`leaves: ${JSON.stringify(leaves)}`);

    const requested = new Date().toISOString();
    const rotationBegan = performance.now();
    let completed = false;
    const rotation = await measureStretch(o, core, follower.cluster(), ca, async () => {
      await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", namespace: o.namespace, name: o.name, body: { metadata: { annotations: { [rotateCAAnnotation]: requested } } } }, mergePatch);
      for (;;) {
        o.alive();
        const r = follower.cluster().status?.certificates?.rotation;
        if (r?.requested === requested && r.phase === "Completed") break;
        if (performance.now() - rotationBegan > o.timeoutMs) {
          o.log(`sample rotation not Completed within ${String(o.timeoutMs / 1000)} s: ${r?.phase ?? "none"} ${r?.message ?? ""}`);
          return;
        }
        await sleep(100);
      }
      completed = true;
    });
    const phases = follower.phases.filter((p) => p.atMs >= rotationBegan);
    return {
      leaves: { leafValidity: o.leafValidity, renewBefore: o.renewBefore, renewals: renewalCount, ...leaves },
      rotation: { completed, phaseSeconds: phaseSeconds(phases), ...rotation },
    };
  } finally {
    await follower.stop();
  }
}
