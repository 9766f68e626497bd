import { AppsV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions, Watch, type EventsV1Event as V1Event, type KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, type NodePool } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-roll";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const isReady = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** What a watch of the pool's Nodes saw at every event: the most machines at once, the fewest Ready ones, every name. */
interface NodeRecord {
  maxNodes: number;
  minReady: number;
  readonly seen: Set<string>;
  stop(): void;
}

async function watchPoolNodes(kc: KubeConfig, pool: string): Promise<NodeRecord> {
  const labelSelector = `seedbed.dev/node-pool=${pool}`;
  const list = await kc.makeApiClient(CoreV1Api).listNode({ labelSelector });
  const nodes = new Map(list.items.map((n) => [n.metadata?.name ?? "", n]));
  const record = { maxNodes: nodes.size, minReady: list.items.filter(isReady).length, seen: new Set(nodes.keys()) };
  // From the list's version on, every change counts.
  const controller = await new Watch(kc).watch(
    "/api/v1/nodes",
    { labelSelector, resourceVersion: list.metadata?.resourceVersion },
    (phase: string, node: V1Node) => {
      const name = node.metadata?.name ?? "";
      record.seen.add(name);
      if (phase === "DELETED") nodes.delete(name);
      else nodes.set(name, node);
      record.maxNodes = Math.max(record.maxNodes, nodes.size);
      record.minReady = Math.min(record.minReady, [...nodes.values()].filter(isReady).length);
    },
    () => undefined,
  );
  return Object.assign(record, { stop: () => controller.abort() });
}

/** The default namespace's pods: where each ran, which the Eviction API marked (before it deletes), which are gone. */
async function watchPods(kc: KubeConfig): Promise<{ nodeOf: Map<string, string>; evicted: Set<string>; deleted: Set<string>; stop(): void }> {
  const record = { nodeOf: new Map<string, string>(), evicted: new Set<string>(), deleted: new Set<string>() };
  const controller = await new Watch(kc).watch(
    "/api/v1/namespaces/default/pods",
    {},
    (phase: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? "";
      if (pod.spec?.nodeName !== undefined) record.nodeOf.set(name, pod.spec.nodeName);
      if (pod.status?.conditions?.some((c) => c.type === "DisruptionTarget" && c.status === "True" && c.reason === "EvictionByEvictionAPI") === true) record.evicted.add(name);
      if (phase === "DELETED") record.deleted.add(name);
    },
    () => undefined,
  );
  return { ...record, stop: () => controller.abort() };
}

describe("a node pool's machines follow the cluster's version, replaced within the pool's surge and unavailability limits", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let tenant: CoreV1Api;
  let tenantConfig: KubeConfig;

  const readPool = async (name: string): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name })) as NodePool;
  const poolNodes = async (pool: string): Promise<V1Node[]> => (await tenant.listNode({ labelSelector: `seedbed.dev/node-pool=${pool}` })).items;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    platform = await startLocalOperator(kc, namespace);
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "w", namespace }, spec: { version: "1.37.1" } } });
    await eventually(() => objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name: "w" }) as Promise<{ status?: { phase?: string; version?: string } }>, (c) => c.status?.phase === "Running" && c.status.version === "1.37.1", { timeoutMs: 90_000, description: "cluster w Running 1.37.1" });
    tenantConfig = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "w");
    tenant = tenantConfig.makeApiClient(CoreV1Api);
    await eventually(() => tenant.readNamespacedServiceAccount({ namespace: "default", name: "default" }).then(() => true, () => false), (found) => found, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("runs a pool pinned one minor behind the control plane at the pinned version's patch release", async () => {
    await objects.createNamespacedCustomObject({
      ...resource,
      plural: "nodepools",
      body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "w", replicas: 3, version: "1.36", upgradeStrategy: { maxSurge: 1, maxUnavailable: 0 }, drainTimeout: "2m" } },
    });
    const nodes = await eventually(() => poolNodes("workers"), (list) => list.length === 3 && list.every(isReady), { timeoutMs: 60_000, description: "three Ready nodes" });
    for (const node of nodes) expect(node.status?.nodeInfo?.kubeletVersion).toBe("v1.36.3");
    const pool = await eventually(() => readPool("workers"), (p) => p.status?.phase === "Running" && p.status.updatedReplicas === 3, { timeoutMs: 30_000, description: "pool Running with 3 updated machines" });
    expect(pool.status?.version).toBe("1.36.3");
    expect(pool.status?.machines?.map((m) => m.version)).toEqual(["1.36.3", "1.36.3", "1.36.3"]);
  });

  it("replaces the machines one at a time, draining each, when the pool follows the cluster again", async () => {
    const apps = tenantConfig.makeApiClient(AppsV1Api);
    // Two pods under a budget that allows one disruption at a time: the drain must go through the Eviction API.
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "guarded" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "guarded" } },
          template: { metadata: { labels: { app: "guarded" } }, spec: { nodeSelector: { "seedbed.dev/node-pool": "workers" }, tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists" }], containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] } },
        },
      },
    });
    await tenantConfig.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({ namespace: "default", body: { metadata: { name: "guarded" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "guarded" } } } } });
    await eventually(async () => (await tenant.listNamespacedPod({ namespace: "default", labelSelector: "app=guarded" })).items, (pods) => pods.length === 2 && pods.every((p) => p.status?.phase === "Running"), { timeoutMs: 60_000, description: "two guarded pods Running" });
    const before = (await poolNodes("workers")).map((n) => n.metadata?.name ?? "");

    const nodes = await watchPoolNodes(tenantConfig, "workers");
    const pods = await watchPods(tenantConfig);
    const phases = new Set<string>();
    const phaseWatch = await new Watch(api().kubeConfig()).watch(`/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/nodepools`, {}, (_phase: string, p: NodePool) => phases.add(p.status?.phase ?? ""), () => undefined);
    try {
      await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "workers", body: { spec: { version: null } } }, mergePatch);
      const pool = await eventually(() => readPool("workers"), (p) => p.status?.version === "1.37.1" && p.status.updatedReplicas === 3 && p.status.replicas === 3 && p.status.phase === "Running", { timeoutMs: 180_000, description: "every machine replaced by one of kubelet 1.37.1" });
      expect(pool.status?.machines?.map((m) => m.version)).toEqual(["1.37.1", "1.37.1", "1.37.1"]);
      const after = await poolNodes("workers");
      expect(after.map((n) => n.status?.nodeInfo?.kubeletVersion)).toEqual(["v1.37.1", "v1.37.1", "v1.37.1"]);
      expect(after.filter((n) => before.includes(n.metadata?.name ?? ""))).toEqual([]);

      // Within the limits at every moment the watch saw: replicas + maxSurge machines at most, replicas Ready at least.
      expect(nodes.maxNodes).toBe(4);
      expect(nodes.minReady).toBeGreaterThanOrEqual(3);
      expect(nodes.seen.size).toBe(6);
      expect(phases).toContain("Upgrading");

      // The guarded pods on retired machines left through the Eviction API (which marks a pod before deleting it), not a plain delete.
      const movedOff = [...pods.deleted].filter((name) => before.includes(pods.nodeOf.get(name) ?? ""));
      expect(movedOff.length).toBeGreaterThan(0);
      expect(movedOff.filter((name) => !pods.evicted.has(name))).toEqual([]);
      await eventually(async () => (await tenant.listNamespacedPod({ namespace: "default", labelSelector: "app=guarded" })).items, (list) => list.length === 2 && list.every((p) => p.status?.phase === "Running" && !before.includes(p.spec?.nodeName ?? "")), { timeoutMs: 30_000, description: "the guarded pods Running on new machines" });

      const listEvents = async (): Promise<V1Event[]> => (await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=workers" })).items;
      const events = await eventually(listEvents, (list) => list.filter((e) => e.reason === "MachineUpgraded").length === 3 && list.some((e) => e.reason === "RollingOut"), { timeoutMs: 10_000, description: "an event for each machine upgraded" });
      expect(events.find((e) => e.reason === "MachineUpgraded")?.note).toMatch(/^machine workers-[0-9a-f]{6} \(kubelet 1\.36\.3\) drained and removed; its replacement runs kubelet 1\.37\.1$/);
    } finally {
      nodes.stop();
      pods.stop();
      phaseWatch.abort();
    }
  });
});
