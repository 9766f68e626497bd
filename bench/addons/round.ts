// One round of the add-ons benchmark on a platform of its own: N clusters
// created, the wait from each one's Running to its AddonsReady, a quiet
// window read from the operator's /metrics, and a drift repaired; the
// platform stopped and removed afterwards, whatever happened.
import { setTimeout as sleep } from "node:timers/promises";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { cpuSeconds } from "../scale/measure.ts";
import { rssMiB } from "../upgrade/process.ts";
import { measureDriftRepair, type DriftFigures } from "./drift.ts";
import { parseMetrics, readyFigures, steadyFigures, type MetricSample, type ReadyFigures, type SteadyFigures } from "./figures.ts";
import { ClusterFollower, countUpdates } from "./follow.ts";
import { clusterNames, createFleet, waitForAll } from "./fleet.ts";
import { startPlatform, type Platform } from "./platform.ts";

/** What a round is run with (main.ts's flags). */
export interface RoundOptions {
  readonly clusters: number;
  readonly settleSeconds: number;
  readonly quietSeconds: number;
  readonly drift: boolean;
  readonly timeoutMs: number;
  readonly operatorLogLevel: string;
  /** Told of the round's platform as soon as it runs, so that Ctrl-C can stop it. */
  readonly started: (platform: Platform) => void;
  readonly log: (message: string) => void;
}

/** The figures of one round. */
export interface RoundFigures extends ReadyFigures {
  readonly clusters: number;
  readonly allRunningSeconds: number;
  readonly steady: SteadyFigures & {
    readonly operatorCpuSeconds: number;
    readonly operatorRssMiB: number;
    /** Updates of the Clusters and of the Seed in the window: each brings add-on passes back (a Seed's for every cluster on it). */
    readonly managementUpdates: { readonly clusters: number; readonly seed: number; readonly clusterFieldsChanged: Record<string, number>; readonly seedFieldsChanged: Record<string, number> };
  };
  readonly driftRepair: DriftFigures | null;
  /** Times the benchmark's watch on the Clusters had to be opened again (its sightings are late by that much). */
  readonly watchRestarts: number;
  /** Processes of the round's platform still running after it was stopped (target 0). */
  readonly leftProcesses: number;
}

const namespace = "project-bench";

async function readMetrics(url: string): Promise<MetricSample[]> {
  return parseMetrics(await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text());
}

/** Reads /metrics at the start and the end of a window of `seconds` in which nothing is done to the clusters, and the operator's CPU in it. */
async function quietWindow(platform: Platform, clusters: number, seconds: number, log: (m: string) => void): Promise<RoundFigures["steady"]> {
  const clusterUpdates = await countUpdates(platform.kc, `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/clusters`);
  const seedUpdates = await countUpdates(platform.kc, `/apis/seedbed.dev/v1alpha1/seeds`);
  const before = await readMetrics(platform.metricsURL);
  const cpuBefore = cpuSeconds(platform.operatorPid);
  const began = performance.now();
  log(`quiet window of ${String(seconds)} s`);
  const end = began + seconds * 1000;
  while (performance.now() < end) {
    platform.alive();
    await sleep(Math.min(1000, end - performance.now()));
  }
  const after = await readMetrics(platform.metricsURL);
  const windowSeconds = (performance.now() - began) / 1000;
  clusterUpdates.stop();
  seedUpdates.stop();
  return {
    ...steadyFigures(before, after, clusters, windowSeconds),
    operatorCpuSeconds: Math.round((cpuSeconds(platform.operatorPid) - cpuBefore) * 100) / 100,
    operatorRssMiB: Math.round(rssMiB(platform.operatorPid) * 10) / 10,
    managementUpdates: { clusters: clusterUpdates.count(), seed: seedUpdates.count(), clusterFieldsChanged: clusterUpdates.fieldsChanged(), seedFieldsChanged: seedUpdates.fieldsChanged() },
  };
}

/** Everything between the platform's start and its stop. */
async function measure(o: RoundOptions, platform: Platform, follower: ClusterFollower): Promise<Omit<RoundFigures, "leftProcesses" | "watchRestarts">> {
  const log = (m: string): void => o.log(`${String(o.clusters)} clusters: ${m}`);
  const names = clusterNames(o.clusters);
  const wait = { timeoutMs: o.timeoutMs, alive: () => platform.alive(), log };
  const began = performance.now();
  await createFleet(platform.kc.makeApiClient(CustomObjectsApi), namespace, names, follower);
  log(`created ${String(names.length)} clusters with a kwok pool each in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  await waitForAll(follower, names, "Running", (n) => follower.sightings(n).runningAtMs !== undefined, wait);
  const allRunningSeconds = Math.round((performance.now() - began) / 100) / 10;
  log(`all Running after ${allRunningSeconds.toFixed(1)} s`);
  await waitForAll(follower, names, "AddonsReady", (n) => follower.sightings(n).addonsReadyAtMs !== undefined, wait);
  const ready = readyFigures(names.map((n) => follower.sightings(n)));
  log(`all AddonsReady after ${String(ready.allAddonsReadySeconds)} s; Running → AddonsReady ${JSON.stringify(ready.runningToAddonsReadySeconds)}`);

  log(`settling ${String(o.settleSeconds)} s`);
  await sleep(o.settleSeconds * 1000);
  const steady = await quietWindow(platform, o.clusters, o.quietSeconds, log);
  log(`steady: ${JSON.stringify(steady)}`);
  const driftRepair = o.drift ? await measureDriftRepair({ management: platform.kc, namespace, cluster: names[0] ?? "", follower, metricsURL: platform.metricsURL, timeoutMs: o.timeoutMs, alive: () => platform.alive(), log }) : null;
  if (driftRepair !== null) log(`drift repair: ${JSON.stringify(driftRepair)}`);
  return { clusters: o.clusters, allRunningSeconds, ...ready, steady, driftRepair };
}

/** Runs one round on a fresh platform; the platform is stopped and removed before this resolves or throws. */
export async function runRound(o: RoundOptions): Promise<RoundFigures> {
  const platform = await startPlatform({ namespace, operatorLogLevel: o.operatorLogLevel, timeoutMs: o.timeoutMs, log: (m) => o.log(`${String(o.clusters)} clusters: ${m}`) });
  o.started(platform);
  const follower = new ClusterFollower(platform.kc, namespace);
  let figures: Omit<RoundFigures, "leftProcesses" | "watchRestarts">;
  try {
    await follower.start();
    figures = await measure(o, platform, follower);
  } catch (error) {
    o.log(`operator log (last lines):\n${platform.operatorLogTail()}`);
    o.log(`operator log kept at ${platform.keepOperatorLog()}`);
    throw error;
  } finally {
    follower.stop();
    const left = await platform.stop();
    if (left > 0) o.log(`${String(left)} process(es) of the round still running after clean-up`);
  }
  return { ...figures, watchRestarts: follower.restarts, leftProcesses: await platform.stop() };
}
