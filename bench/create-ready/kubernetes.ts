// create-ready on the production path: a Cluster applied to the management
// API until it is Ready (phase Running, Ready=True) with its control plane
// as real pods of a one-node real seed, beside the floor measured in the
// same run: the same pods (bench/lib/seed-floor.ts renders the objects the
// seed driver applies) applied with the pinned `kubectl apply -f` into a
// fresh namespace of the same seed, waited until every pod is Ready and
// /readyz answers at the NodePort. Runs alternate (Seedbed, floor, …); each
// cluster and each floor namespace is deleted, volumes included, before the
// next run. The pod templates of both are compared on every run.
// Usage: npm run bench -- create-ready --seed kubernetes [--runs 5] [--warmup 1] [--poll-ms 100] [--timeout 300]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CoreV1Api } from "@kubernetes/client-node";
import { median } from "../lib/plain-plane.ts";
import { benchProject, clusterReady, startRealSeedPlatform, type RealSeedPlatform } from "../lib/real-seed-platform.ts";
import { deleteFloor, podReady, restartsOf, podTemplates, prepareFloor, runFloor, templateDifferences, type FloorSeed } from "../lib/seed-floor.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    "poll-ms": { type: "string", default: "100" },
    timeout: { type: "string", default: "300" },
  },
});
const positive = (flag: "runs" | "warmup" | "poll-ms" | "timeout", min: number): number => {
  const value = Number(values[flag]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} must be an integer of at least ${min}, got ${values[flag]}`);
  return value;
};
const runs = positive("runs", 1);
const warmup = positive("warmup", 0);
const pollMs = positive("poll-ms", 10);
const timeoutMs = positive("timeout", 10) * 1000;
const log = (message: string): boolean => process.stderr.write(`[create-ready --seed kubernetes] ${message}\n`);

/** Times a Cluster from its creation to Ready; also when the seed first had all its pods Ready (what the operator reacts to). */
async function seedbedRun(platform: RealSeedPlatform, name: string): Promise<{ ms: number; podsReadyMs: number; restarts: number; clusterId: string }> {
  const core = platform.seedKubeConfig.makeApiClient(CoreV1Api);
  const began = performance.now();
  const clusterId = await platform.createCluster(name);
  let podsReadyMs: number | undefined;
  let restarts = 0;
  for (;;) {
    const cluster = await platform.readCluster(name);
    if (podsReadyMs === undefined) {
      const pods = (await core.listNamespacedPod({ namespace: `cluster-${clusterId}` })).items;
      if (pods.length >= 4 && pods.every(podReady)) {
        podsReadyMs = performance.now() - began;
        restarts = restartsOf(pods);
      }
    }
    if (clusterReady(cluster)) {
      const ms = performance.now() - began;
      return { ms, podsReadyMs: podsReadyMs ?? ms, restarts, clusterId };
    }
    if (performance.now() - began > timeoutMs) {
      const conditions = (cluster?.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join("\n");
      throw new Error(`cluster ${name} was not Ready within ${timeoutMs / 1000} s (phase ${cluster?.status?.phase ?? "none"}):\n${conditions}`);
    }
    await sleep(pollMs);
  }
}

let platform: RealSeedPlatform | undefined;
const manifests = mkdtempSync(join(tmpdir(), "seedbed-bench-floor-manifests-"));
try {
  platform = await startRealSeedPlatform(log);
  const nodes = (await platform.seedKubeConfig.makeApiClient(CoreV1Api).listNode()).items;
  const nodeAddresses = nodes.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === "InternalIP" || a.type === "ExternalIP").map((a) => a.address));
  const floorSeed: FloorSeed = { kubeConfig: platform.seedKubeConfig, kubeconfigPath: platform.seedKubeconfigPath, nodeAddresses, images: platform.images };
  log(`${warmup} warm-up and ${runs} measured runs; seed node at ${nodeAddresses.join(", ")}`);
  const seedbedMs: number[] = [];
  const podsReadyMs: number[] = [];
  const floorMs: number[] = [];
  const differences = new Set<string>();
  const restarts = { seedbed: [] as number[], floor: [] as number[] };
  for (let i = 0; i < warmup + runs; i++) {
    const seedbed = await seedbedRun(platform, `s${i}`);
    const seedbedPods = await podTemplates(platform.seedKubeConfig, seedbed.clusterId);
    if (seedbedPods.size < 4) throw new Error(`cluster s${i}: only ${[...seedbedPods.keys()].join(", ")} found in the seed, expected etcd and three Deployments`);
    await platform.deleteCluster(`s${i}`);
    const floor = await prepareFloor(floorSeed, benchProject, `f${i}`, manifests);
    const plain = await runFloor(floorSeed, floor, { pollMs, timeoutMs });
    for (const d of templateDifferences(seedbedPods, await podTemplates(platform.seedKubeConfig, floor.clusterId))) differences.add(d);
    await deleteFloor(floorSeed, floor);
    const kind = i < warmup ? "warm-up" : `run ${i - warmup + 1}/${runs}`;
    log(`${kind}: seedbed ${Math.round(seedbed.ms)} ms (all pods Ready at ${Math.round(seedbed.podsReadyMs)} ms, ${seedbed.restarts} container restarts), floor ${Math.round(plain.ms)} ms (${plain.restarts} restarts)`);
    if (i < warmup) continue;
    seedbedMs.push(Math.round(seedbed.ms));
    podsReadyMs.push(Math.round(seedbed.podsReadyMs));
    floorMs.push(Math.round(plain.ms));
    restarts.seedbed.push(seedbed.restarts);
    restarts.floor.push(plain.restarts);
  }
  if (differences.size > 0) log(`the floor's pods differ from the cluster's: ${[...differences].join("; ")}`);
  const medianMs = median(seedbedMs);
  const floorMedianMs = median(floorMs);
  // A kube-apiserver that cannot reach etcd in time exits and comes back
  // after the kubelet's 10 s back-off: some runs of either side pay ~25 s
  // for it. The runs without a restart compare the rest like for like.
  const clean = (runs: readonly number[], counts: readonly number[]): number[] => runs.filter((_, i) => counts[i] === 0);
  const cleanSeedbed = clean(seedbedMs, restarts.seedbed);
  const cleanFloor = clean(floorMs, restarts.floor);
  const withoutRestarts = cleanSeedbed.length > 0 && cleanFloor.length > 0 ? { medianMs: median(cleanSeedbed), floorMs: median(cleanFloor), ratio: Number((median(cleanSeedbed) / median(cleanFloor)).toFixed(2)), runs: { seedbed: cleanSeedbed.length, floor: cleanFloor.length } } : undefined;
  console.log(
    JSON.stringify({
      benchmark: "create-ready",
      seed: "kubernetes",
      runs,
      medianMs,
      floorMs: floorMedianMs,
      ratio: Number((medianMs / floorMedianMs).toFixed(2)),
      podsReadyMedianMs: median(podsReadyMs),
      createReadyMs: seedbedMs,
      podsReadyMs,
      floorRunsMs: floorMs,
      containerRestarts: restarts,
      withoutRestarts,
      podsDiffer: [...differences],
      target: { ratio: 1.2 },
    }),
  );
} finally {
  await platform?.stop();
  rmSync(manifests, { recursive: true, force: true });
}
