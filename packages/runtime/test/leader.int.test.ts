import { CoordinationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, describe, expect, it } from "vitest";
import { Manager } from "../src/manager.ts";
import { configMapKind, createNamespace, startPartition } from "./support.ts";

// Short timings keep the test fast; the ratios are client-go's (lease > renew deadline > retry × 1.2).
const leaseDurationSeconds = 3;
const retryPeriodMs = 500;
const lease = { namespace: "default", name: "runtime-test", leaseDurationSeconds, renewDeadlineMs: 2000, retryPeriodMs };

describe("leader election between managers on a real Lease", () => {
  const api = useKubeAPI();
  const managers = new Map<string, Manager>();
  const reconciledBy = new Map<string, string[]>();
  const lostLeadership: string[] = [];
  afterAll(async () => {
    await Promise.all([...managers.values()].map((m) => m.stop()));
  });

  async function startCandidate(identity: string, namespace: string): Promise<Manager> {
    const manager = new Manager({
      kubeConfig: api().kubeConfig(),
      leaderElection: { ...lease, identity },
      onLostLeadership: () => lostLeadership.push(identity),
    });
    reconciledBy.set(identity, []);
    manager.addController({
      name: "leader-test",
      kind: configMapKind,
      namespace,
      reconciler: {
        reconcile: ({ name }) => {
          reconciledBy.get(identity)?.push(name);
          return Promise.resolve(undefined);
        },
      },
    });
    managers.set(identity, manager);
    await manager.start();
    return manager;
  }

  const leaders = (): string[] => [...managers].filter(([, m]) => m.isLeader()).map(([id]) => id);
  const holder = async (): Promise<string | undefined> =>
    (await api().kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: lease.namespace, name: lease.name })).spec?.holderIdentity;

  it("lets exactly one lead, hands over after an abrupt stop once the lease expires, and at once after a graceful stop", async () => {
    const ns = await createNamespace(api().kubeConfig(), "leader");
    await startCandidate("a", ns);
    await startCandidate("b", ns);
    const first = (await eventually(async () => Promise.resolve(leaders()), (l) => l.length === 1, { timeoutMs: 10_000, description: "one leader" }))[0] ?? "";
    const second = first === "a" ? "b" : "a";
    expect(await holder()).toBe(first);

    // Only the leader runs controllers.
    await api().kubeConfig().makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "work" } } });
    await eventually(async () => Promise.resolve(reconciledBy.get(first) ?? []), (r) => r.includes("work"), { timeoutMs: 10_000 });
    expect(reconciledBy.get(second)).toEqual([]);
    const firstManager = managers.get(first);
    expect(await firstManager?.registry.getSingleMetricAsString("seedbed_leader_is_leader")).toContain(`seedbed_leader_is_leader{lease="${lease.name}"} 1`);
    // It stays one leader over several renewals.
    await new Promise((resolve) => setTimeout(resolve, 2 * retryPeriodMs * 2));
    expect(leaders()).toEqual([first]);

    // Abrupt stop: the lease is left to expire, as when the process is killed.
    const crashedAt = performance.now();
    await firstManager?.stop({ releaseLease: false });
    managers.delete(first);
    await eventually(async () => Promise.resolve(leaders()), (l) => l.includes(second), { timeoutMs: 15_000, intervalMs: 50, description: "the standby taking over" });
    const takeoverMs = performance.now() - crashedAt;
    // Not before the lease could have expired, and within lease + retry period (× jitter) plus request time.
    expect(takeoverMs).toBeGreaterThan(leaseDurationSeconds * 1000 - retryPeriodMs * 2);
    expect(takeoverMs).toBeLessThan(leaseDurationSeconds * 1000 + retryPeriodMs * 2.2 + 1000);
    expect(await holder()).toBe(second);
    await eventually(async () => Promise.resolve(reconciledBy.get(second) ?? []), (r) => r.includes("work"), { timeoutMs: 10_000, description: "the new leader's controllers" });

    // Graceful stop: the lease is released, a new standby takes over well before it would expire.
    await startCandidate("c", ns);
    await new Promise((resolve) => setTimeout(resolve, retryPeriodMs * 3));
    expect(leaders()).toEqual([second]);
    const stoppedAt = performance.now();
    await managers.get(second)?.stop();
    managers.delete(second);
    await eventually(async () => Promise.resolve(leaders()), (l) => l.includes("c"), { timeoutMs: 10_000, intervalMs: 50, description: "the standby taking over after a release" });
    expect(performance.now() - stoppedAt).toBeLessThan(retryPeriodMs * 2.2 + 1000);
    expect(await holder()).toBe("c");
    expect(lostLeadership).toEqual([]);
  });

  it("stops the controllers of a leader that cannot renew, before the lease can pass to another", async () => {
    const partition = await startPartition(api().kubeConfig(), () => api().kubeConfig());
    const election = { ...lease, name: "runtime-partition" };
    let lostAt = 0;
    const cutOff = new Manager({
      kubeConfig: partition.kubeConfig,
      leaderElection: { ...election, identity: "cut-off" },
      onLostLeadership: () => (lostAt = performance.now()),
    });
    const standby = new Manager({ kubeConfig: api().kubeConfig(), leaderElection: { ...election, identity: "standby" } });
    try {
      await cutOff.start();
      await eventually(async () => Promise.resolve(cutOff.isLeader()), Boolean, { timeoutMs: 10_000, description: "the first leader" });
      await standby.start();
      partition.cut();
      const cutAt = performance.now();
      await eventually(async () => Promise.resolve(standby.isLeader()), Boolean, { timeoutMs: 15_000, intervalMs: 50, description: "the standby taking over" });
      const takeoverAt = performance.now();
      expect(lostAt).toBeGreaterThan(0);
      expect(cutOff.isLeader()).toBe(false);
      // The cut-off leader gave up within retry period + renew deadline, before the standby could take over.
      expect(lostAt - cutAt).toBeLessThan(retryPeriodMs + lease.renewDeadlineMs + 500);
      expect(lostAt).toBeLessThan(takeoverAt);
    } finally {
      partition.heal();
      await Promise.all([cutOff.stop(), standby.stop()]);
      await partition.close();
    }
  });
});
