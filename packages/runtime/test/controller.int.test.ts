import { setImmediate, setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { TerminalError, type ReconcileRequest, type Reconciler } from "../src/controller/reconciler.ts";
import { Manager, type ManagedControllerOptions } from "../src/manager.ts";
import type { Informer } from "../src/informer/informer.ts";
import { configMapKind, createNamespace, gate, type Gate } from "./support.ts";

const copiedAnnotation = "runtime.seedbed.dev/copied";

describe("a controller against a real API server", () => {
  const api = useKubeAPI();
  const managers: Manager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
  });

  /** A started manager running one controller over the ConfigMaps of `namespace`; the reconciler may use the manager. */
  async function run(
    namespace: string,
    reconciler: Reconciler | ((manager: Manager) => Reconciler),
    extra: Partial<ManagedControllerOptions> = {},
    metricsPort?: number,
  ): Promise<Manager> {
    const manager = new Manager({ kubeConfig: api().kubeConfig(), metricsPort });
    managers.push(manager);
    manager.addController({
      name: `test-${namespace}`,
      kind: configMapKind,
      namespace,
      reconciler: typeof reconciler === "function" ? reconciler(manager) : reconciler,
      workers: 2,
      ...extra,
    });
    await manager.start();
    return manager;
  }

  function core(): CoreV1Api {
    return api().kubeConfig().makeApiClient(CoreV1Api);
  }

  it("converges: copies data.want into an annotation, and follows when it changes", async () => {
    const ns = await createNamespace(api().kubeConfig(), "converge");
    const client = core();
    await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "app" }, data: { want: "blue" } } });
    await run(ns, {
      async reconcile({ namespace = "", name }) {
        const cm = await client.readNamespacedConfigMap({ namespace, name });
        const want = cm.data?.want;
        if (want === undefined || cm.metadata?.annotations?.[copiedAnnotation] === want) return undefined;
        await client.patchNamespacedConfigMap(
          { namespace, name, body: { metadata: { annotations: { [copiedAnnotation]: want }, resourceVersion: cm.metadata?.resourceVersion } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        );
        return undefined;
      },
    });
    const annotation = async (): Promise<string | undefined> => (await client.readNamespacedConfigMap({ namespace: ns, name: "app" })).metadata?.annotations?.[copiedAnnotation];
    await eventually(annotation, (a) => a === "blue", { timeoutMs: 10_000, description: "annotation copied" });
    await client.patchNamespacedConfigMap({ namespace: ns, name: "app", body: { data: { want: "green" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await eventually(annotation, (a) => a === "green", { timeoutMs: 10_000, description: "annotation follows the change" });
  });

  it("merges a burst of 50 updates of one object into one reconcile that sees the latest state, whether the key waits in the queue or is being processed", async () => {
    // No timing here: gates hold the workers while each burst arrives, the
    // informer's cache says when every update was delivered (it calls the
    // handlers as it stores an object), and a sentinel queued after the
    // burst marks when everything before it was handed out (the queue is FIFO).
    const ns = await createNamespace(api().kubeConfig(), "burst");
    const client = core();
    const replaceHot = (n: number): Promise<unknown> => client.replaceNamespacedConfigMap({ namespace: ns, name: "hot", body: { metadata: { name: "hot" }, data: { n: String(n) } } });
    const seen: string[] = []; // what each reconcile of "hot" read
    let hotRunning = 0;
    let overlapped = false;
    const blockers = gate();
    let blocked = 0;
    let hotGate: Gate | undefined;
    let sentinels = 0;
    let seenAtSentinel = 0;
    let cache: Informer<V1ConfigMap> | undefined;
    await run(ns, (manager) => {
      cache = manager.informers.informerFor<V1ConfigMap>(configMapKind, { namespace: ns });
      return {
        async reconcile({ namespace, name }) {
          if (name.startsWith("blocker-")) {
            blocked++;
            await blockers.wait();
            return undefined;
          }
          if (name === "sentinel") {
            // Past the microtasks of this turn, every key handed out before this one has begun its reconcile.
            await setImmediate();
            sentinels++;
            seenAtSentinel = seen.length;
            return undefined;
          }
          overlapped ||= hotRunning > 0;
          hotRunning++;
          try {
            // Reads the cache the controller's informer fills, as controller-runtime reconcilers do.
            seen.push(cache?.get(namespace, name)?.data?.n ?? "missing");
            const held = hotGate;
            hotGate = undefined;
            if (held) {
              held.reached();
              await held.wait();
            }
          } finally {
            hotRunning--;
          }
          return undefined;
        },
      };
    });
    const cached = (name: string): Promise<string | undefined> => Promise.resolve(cache?.get(ns, name)?.data?.n);
    await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "hot" }, data: { n: "0" } } });
    await eventually(async () => Promise.resolve(seen.length), (n) => n === 1, { timeoutMs: 10_000, description: "hot reconciled once" });

    // 1. The key waits in the queue: both workers are held by other keys while the burst arrives.
    for (const name of ["blocker-1", "blocker-2"]) await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    await eventually(async () => Promise.resolve(blocked), (n) => n === 2, { timeoutMs: 10_000, description: "both workers held" });
    for (let n = 1; n <= 50; n++) await replaceHot(n);
    await eventually(() => cached("hot"), (n) => n === "50", { timeoutMs: 30_000, description: "the burst delivered" });
    await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "sentinel" }, data: { n: "1" } } });
    await eventually(() => cached("sentinel"), (n) => n === "1", { timeoutMs: 10_000, description: "the sentinel queued" });
    blockers.open();
    await eventually(async () => Promise.resolve(sentinels), (n) => n === 1, { timeoutMs: 10_000, description: "the sentinel reconciled" });
    // Unmerged, the 50 adds would be 50 entries ahead of the sentinel.
    expect(seenAtSentinel).toBe(2);
    expect(seen.slice(1)).toEqual(["50"]);

    // 2. The key is being processed: its reconcile is held while the burst arrives.
    const held = gate();
    hotGate = held;
    await replaceHot(51);
    await held.whenReached();
    for (let n = 52; n <= 100; n++) await replaceHot(n);
    await eventually(() => cached("hot"), (n) => n === "100", { timeoutMs: 30_000, description: "the second burst delivered" });
    held.open();
    await eventually(async () => Promise.resolve(seen.at(-1)), (n) => n === "100", { timeoutMs: 10_000, description: "the latest state reconciled" });
    await client.replaceNamespacedConfigMap({ namespace: ns, name: "sentinel", body: { metadata: { name: "sentinel" }, data: { n: "2" } } });
    await eventually(async () => Promise.resolve(sentinels), (n) => n === 2, { timeoutMs: 10_000, description: "the sentinel reconciled again" });
    // The held reconcile, then exactly one more for everything added meanwhile.
    expect(seen.slice(2)).toEqual(["51", "100"]);
    expect(seenAtSentinel).toBe(4);
    expect(overlapped).toBe(false); // two workers, one key: never two reconciles at once
  });

  it("retries a failing reconcile with growing delays, and starts from the base delay again after a success", async () => {
    const ns = await createNamespace(api().kubeConfig(), "backoff");
    const client = core();
    const attempts: number[] = [];
    let failuresLeft = 5;
    await run(
      ns,
      {
        reconcile() {
          attempts.push(performance.now());
          if (failuresLeft > 0) {
            failuresLeft--;
            return Promise.reject(new Error("not yet"));
          }
          return Promise.resolve(undefined);
        },
      },
      { rateLimit: { baseDelayMs: 50 } },
    );
    await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "flaky" }, data: {} } });
    await eventually(async () => Promise.resolve(attempts.length), (n) => n >= 6, { timeoutMs: 10_000, description: "five failures then a success" });
    const intervals = attempts.slice(1).map((t, i) => t - (attempts[i] ?? 0));
    // 50, 100, 200, 400, 800 ms: each at least its delay (so it doubles), and not far beyond it
    // (the bound leaves room for a busy machine, and is still below the next delay but one).
    [50, 100, 200, 400, 800].forEach((delay, i) => {
      expect(intervals[i]).toBeGreaterThanOrEqual(delay - 2);
      expect(intervals[i]).toBeLessThan(delay + 400);
    });

    // Two more failures, after the success reset the backoff: 50 then 100 ms again, not 1600.
    failuresLeft = 2;
    const before = attempts.length;
    await client.patchNamespacedConfigMap({ namespace: ns, name: "flaky", body: { data: { poke: "1" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await eventually(async () => Promise.resolve(attempts.length), (n) => n >= before + 3, { timeoutMs: 10_000, description: "two failures then a success" });
    const again = attempts.slice(before);
    // Without the reset they would be 1600 and 3200 ms.
    expect((again[1] ?? 0) - (again[0] ?? 0)).toBeLessThan(50 + 400);
    expect((again[2] ?? 0) - (again[1] ?? 0)).toBeGreaterThanOrEqual(100 - 2);
    expect((again[2] ?? 0) - (again[1] ?? 0)).toBeLessThan(100 + 400);
  });

  it("does not retry a terminal error, and exposes the outcomes on /metrics", async () => {
    const ns = await createNamespace(api().kubeConfig(), "terminal");
    const client = core();
    const calls: ReconcileRequest[] = [];
    const manager = await run(
      ns,
      {
        reconcile(request) {
          calls.push(request);
          if (request.name === "invalid") return Promise.reject(new TerminalError("spec.size must be positive"));
          return Promise.resolve(request.name === "waiting" ? { requeueAfter: 60_000 } : undefined);
        },
      },
      {},
      0,
    );
    for (const name of ["invalid", "fine", "waiting"]) await client.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    await eventually(async () => Promise.resolve(calls.length), (n) => n >= 3, { timeoutMs: 10_000 });
    await sleep(1000); // with a 5 ms base delay, a retry would have come many times by now
    expect(calls.filter((c) => c.name === "invalid")).toHaveLength(1);

    const base = `http://127.0.0.1:${manager.metricsPort ?? 0}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const controller = `controller="test-${ns}"`;
    expect(metrics).toContain(`seedbed_reconcile_total{${controller},result="terminal"} 1`);
    expect(metrics).toContain(`seedbed_reconcile_total{${controller},result="success"} 1`);
    expect(metrics).toContain(`seedbed_reconcile_total{${controller},result="requeue"} 1`);
    expect(metrics).toContain(`seedbed_reconcile_errors_total{${controller}} 1`);
    for (const name of [
      "seedbed_reconcile_duration_seconds_bucket",
      "seedbed_workqueue_depth",
      "seedbed_workqueue_queue_duration_seconds_bucket",
      "seedbed_workqueue_retries_total",
    ]) {
      expect(metrics).toMatch(new RegExp(`^${name}\\{[^}]*${controller}`, "m"));
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });
});
