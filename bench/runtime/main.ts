// Throughput of the controller runtime. A controller with a no-op
// reconciler runs over N ConfigMaps on a real kube-apiserver, timed from
// the informer's first list to the last of the N reconciled; beside it,
// the work queue alone moves 10,000 keys through no-op workers in memory.
// Usage: npm run bench -- runtime [--objects 10000] [--workers 2] [--create-concurrency 32]
import { parseArgs } from "node:util";
import { startKubeAPI } from "@seedbed/testing";
import {
  Controller,
  InformerCache,
  ObjectClient,
  WorkQueue,
  type ControllerMetrics,
  type ControllerMetricsFactory,
  type KindRef,
  type QueueMetrics,
} from "@seedbed/runtime";

const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    workers: { type: "string", default: "2" },
    "create-concurrency": { type: "string", default: "32" },
    "queue-keys": { type: "string", default: "10000" },
  },
});
const objects = positiveInt("objects");
const workers = positiveInt("workers");
const createConcurrency = positiveInt("create-concurrency");
const queueKeys = positiveInt("queue-keys");
const configMaps: KindRef = { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };
const namespace = "bench";

function positiveInt(name: keyof typeof values): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
  return n;
}

function progress(message: string): void {
  process.stderr.write(`[bench/runtime] ${message}\n`);
}

/** Queue metrics that keep every latency sample, for exact percentiles. */
function sampling(): QueueMetrics & { latenciesMs: number[] } {
  const latenciesMs: number[] = [];
  const ignore = (): void => undefined;
  return { latenciesMs, depth: ignore, added: ignore, workDuration: ignore, retry: ignore, queueLatency: (s) => latenciesMs.push(s * 1000) };
}

function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0);
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function heapMB(): number {
  return round(process.memoryUsage().heapUsed / 2 ** 20, 1);
}

function rssMB(): number {
  return round(process.memoryUsage().rss / 2 ** 20, 1);
}

/** The queue alone: `keys` distinct keys through `workers` no-op workers, with the real clock. */
async function benchQueue(keys: number): Promise<Record<string, number>> {
  const metrics = sampling();
  const queue = new WorkQueue({ metrics });
  let processed = 0;
  const began = performance.now();
  const loops = Array.from({ length: workers }, async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      processed++;
      queue.done(key);
      if (processed === keys) queue.shutDown();
    }
  });
  for (let i = 0; i < keys; i++) queue.add(`ns/key-${i}`);
  await Promise.all(loops);
  const seconds = (performance.now() - began) / 1000;
  return {
    keys,
    keysPerSecond: Math.round(keys / seconds),
    totalMs: round(seconds * 1000, 1),
    queueLatencyP50Ms: percentile(metrics.latenciesMs, 0.5),
    queueLatencyP99Ms: percentile(metrics.latenciesMs, 0.99),
  };
}

/** Creates `n` ConfigMaps with at most `concurrency` requests in flight. */
async function createConfigMaps(client: ObjectClient, n: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      await client.request("POST", `/api/v1/namespaces/${namespace}/configmaps`, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` }, data: { index: String(i) } },
      });
      if ((i + 1) % 2000 === 0) progress(`created ${i + 1}/${n}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The controller over the ConfigMaps: sync time, throughput and queue latency. */
async function benchController(kc: ReturnType<Awaited<ReturnType<typeof startKubeAPI>>["kubeConfig"]>): Promise<Record<string, number>> {
  const queueMetrics = sampling();
  const factory: ControllerMetricsFactory = { forController: (): ControllerMetrics => ({ queue: queueMetrics, reconciled: () => undefined }) };
  const reconciled = new Set<string>();
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const informers = new InformerCache({ kubeConfig: kc, client: ObjectClient.fromKubeConfig(kc) });
  const controller = new Controller({
    name: "bench",
    kind: configMaps,
    namespace,
    informers,
    workers,
    metrics: factory,
    reconciler: {
      reconcile: ({ name }) => {
        reconciled.add(name);
        if (reconciled.size === objects) allDone();
        return Promise.resolve(undefined);
      },
    },
  });
  const began = performance.now();
  await controller.start(); // resolves once the informer synced and workers run
  const syncedMs = performance.now() - began;
  progress(`informer synced ${objects} objects in ${Math.round(syncedMs)} ms (rss ${rssMB()} MB, heap ${heapMB()} MB)`);
  await finished;
  const totalMs = performance.now() - began;
  (globalThis as { gc?: () => void }).gc?.();
  const rssAfter = rssMB();
  const heapAfter = heapMB();
  await controller.stop();
  await informers.stop();
  return {
    syncMs: round(syncedMs, 1),
    allReconciledMs: round(totalMs, 1),
    reconcilesPerSecond: Math.round(objects / (totalMs / 1000)),
    queueLatencyP50Ms: percentile(queueMetrics.latenciesMs, 0.5),
    queueLatencyP99Ms: percentile(queueMetrics.latenciesMs, 0.99),
    rssAfterReconcileMB: rssAfter,
    heapAfterReconcileMB: heapAfter,
  };
}

// The in-memory queue first, so its figures are not disturbed by the server's garbage.
const rssBaselineMB = rssMB(); // client-node's generated models alone are most of it
// Five rounds, the median kept: the first rounds run before the JIT has warmed up.
progress(`queue alone: ${queueKeys} keys, ${workers} workers, 5 rounds (rss ${rssMB()} MB)`);
const rounds: Record<string, number>[] = [];
for (let i = 0; i < 5; i++) rounds.push(await benchQueue(queueKeys));
rounds.sort((a, b) => (a.keysPerSecond ?? 0) - (b.keysPerSecond ?? 0));
const queue = rounds[2] ?? {};
progress(`queue alone: ${rounds.map((r) => r.keysPerSecond).join(", ")} keys/s (rss ${rssMB()} MB)`);

const api = await startKubeAPI();
progress(`harness started (rss ${rssMB()} MB, heap ${heapMB()} MB)`);
let controller: Record<string, number>;
let createMs: number;
try {
  const kc = api.kubeConfig();
  const client = ObjectClient.fromKubeConfig(kc);
  await client.request("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } } });
  progress(`creating ${objects} ConfigMaps, ${createConcurrency} at a time`);
  const createBegan = performance.now();
  await createConfigMaps(client, objects, createConcurrency);
  createMs = round(performance.now() - createBegan, 1);
  (globalThis as { gc?: () => void }).gc?.();
  progress(`created in ${Math.round(createMs)} ms; starting the controller (after gc: rss ${rssMB()} MB, heap ${heapMB()} MB)`);
  controller = await benchController(kc);
} finally {
  await api.stop();
}

console.log(
  JSON.stringify({
    benchmark: "runtime",
    objects,
    workers,
    createMs,
    createPerSecond: Math.round(objects / (createMs / 1000)),
    controller,
    queueAlone: queue,
    rssBaselineMB,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
    node: process.version,
  }),
);
