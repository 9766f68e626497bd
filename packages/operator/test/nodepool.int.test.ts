import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, PolicyV1Api, setHeaderOptions, Watch, type KubeConfig, type V1Node, type V1Pod, type V1PodSpec } from "@kubernetes/client-node";
import { apiVersion, type NodePool } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getText, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-np";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const ready = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;


/** The default namespace's pods as a watch sees them: where each ran, which the Eviction API marked, which are gone. */
interface PodRecord {
  readonly nodeOf: Map<string, string>;
  /** Marked DisruptionTarget by the Eviction API, which does so before it deletes a pod (a plain delete does not). */
  readonly evicted: Set<string>;
  readonly deleted: Set<string>;
  stop(): void;
}

async function watchPods(kc: KubeConfig): Promise<PodRecord> {
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

describe("node pools on the kwok provider, in a real tenant cluster", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let tenant: CoreV1Api;
  let tenantApps: AppsV1Api;
  let tenantPolicy: PolicyV1Api;
  let tenantConfig: KubeConfig;

  const readPool = async (name: string): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name })) as NodePool;
  const poolNodes = async (pool: string): Promise<V1Node[]> => (await tenant.listNode({ labelSelector: `seedbed.dev/node-pool=${pool}` })).items;
  const podsOf = async (app: string): Promise<V1Pod[]> => (await tenant.listNamespacedPod({ namespace: "default", labelSelector: `app=${app}` })).items;
  const createPool = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name, namespace }, spec: { clusterName: "w", ...spec } } });
  const podsOn = async (node: string): Promise<V1Pod[]> => (await tenant.listNamespacedPod({ namespace: "default", fieldSelector: `spec.nodeName=${node}` })).items;
  const budget = (app: string, minAvailable: number): Promise<unknown> =>
    tenantPolicy.createNamespacedPodDisruptionBudget({ namespace: "default", body: { metadata: { name: app }, spec: { minAvailable, selector: { matchLabels: { app } } } } });
  /** Evictions the tenant's API server refused (429: a disruption budget allows none), from its own metrics. */
  const refusedEvictions = async (): Promise<number> => {
    const lines = (await getText(tenantConfig, "/metrics")).split("\n").filter((l) => l.startsWith("apiserver_request_total{") && l.includes('code="429"') && l.includes('resource="pods"') && l.includes('subresource="eviction"'));
    return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  };
  const deployment = (name: string, replicas: number, cpu: string, pool: string, podSpec: Partial<V1PodSpec> = {}): Promise<unknown> =>
    tenantApps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { "seedbed.dev/node-pool": pool }, tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists" }], containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu, memory: "64Mi" } } }], ...podSpec } },
        },
      },
    });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    platform = await startLocalOperator(kc, namespace);
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "w", namespace }, spec: {} } });
    await eventually(() => objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name: "w" }) as Promise<{ status?: { phase?: string } }>, (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster w Running" });
    const tkc = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "w");
    tenantConfig = tkc;
    tenant = tkc.makeApiClient(CoreV1Api);
    tenantApps = tkc.makeApiClient(AppsV1Api);
    tenantPolicy = tkc.makeApiClient(PolicyV1Api);
    // The tenant's default ServiceAccount, which pods need, comes from its controller-manager.
    await eventually(() => tenant.readNamespacedServiceAccount({ namespace: "default", name: "default" }).then(() => true, () => false), (found) => found, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("makes Nodes of the template's size that the tenant's scheduler uses, with a bootstrap token", async () => {
    await createPool("workers", { replicas: 2, machineTemplate: { cpu: "2", memory: "4Gi" }, autoHealing: { notReadyTimeout: "5s" }, drainTimeout: "30s" });
    const nodes = await eventually(() => poolNodes("workers"), (list) => list.length === 2 && list.every(ready), { timeoutMs: 60_000, description: "two Ready nodes" });
    expect(nodes[0]?.status?.allocatable?.cpu).toBe("2");
    expect(nodes[0]?.spec?.providerID).toMatch(/^kwok:\/\/np--w\/workers-[0-9a-f]{6}$/);
    const pool = await eventually(() => readPool("workers"), (p) => p.status?.readyReplicas === 2 && p.status.phase === "Running");
    expect(pool.status?.machines?.map((m) => m.name).sort()).toEqual(nodes.map((n) => n.metadata?.name).sort());
    const tokens = (await tenant.listNamespacedSecret({ namespace: "kube-system", fieldSelector: "type=bootstrap.kubernetes.io/token" })).items;
    expect(tokens.length).toBeGreaterThan(0);
    expect(new Date(Buffer.from(tokens[0]?.data?.expiration ?? "", "base64").toString()).getTime()).toBeGreaterThan(Date.now());
    await deployment("web", 3, "100m", "workers");
    await eventually(() => podsOf("web"), (pods) => pods.length === 3 && pods.every((p) => p.status?.phase === "Running"), { timeoutMs: 60_000, description: "3 web pods Running" });
  });

  it("scales down by draining through the Eviction API: a disruption budget keeps its pod, and so the node, until it allows; the other pods move", async () => {
    // One "guarded" pod on each node, under a budget that allows no disruption:
    // whichever node the pool removes holds a pod the budget protects.
    await deployment("guarded", 2, "100m", "workers", { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "guarded" } } }] });
    await budget("guarded", 2);
    await budget("web", 2);
    const guarded = await eventually(() => podsOf("guarded"), (pods) => pods.length === 2 && pods.every((p) => p.status?.phase === "Running") && new Set(pods.map((p) => p.spec?.nodeName)).size === 2, { timeoutMs: 60_000, description: "a guarded pod Running on each node" });
    await eventually(() => tenantPolicy.readNamespacedPodDisruptionBudget({ namespace: "default", name: "guarded" }), (b) => b.status?.observedGeneration === b.metadata?.generation && b.status?.currentHealthy === 2 && b.status.disruptionsAllowed === 0, { timeoutMs: 30_000, description: "the guarded budget allows no disruption" });
    const pods = await watchPods(tenantConfig);
    try {
      await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "workers", body: { spec: { replicas: 1, drainTimeout: "10m" } } }, mergePatch);
      const cordoned = await eventually(() => poolNodes("workers"), (list) => list.some((n) => n.spec?.unschedulable === true), { timeoutMs: 60_000, description: "a node cordoned" });
      const victim = cordoned.find((n) => n.spec?.unschedulable === true)?.metadata?.name ?? "";
      const held = guarded.find((p) => p.spec?.nodeName === victim)?.metadata?.name ?? "";
      // Everything else leaves the node; the guarded pod stays.
      const left = await eventually(() => podsOn(victim), (list) => list.every((p) => p.metadata?.name === held) || !list.some((p) => p.metadata?.name === held), { timeoutMs: 60_000, description: `only ${held} left on ${victim}` });
      expect(left.map((p) => [p.metadata?.name, p.metadata?.deletionTimestamp])).toEqual([[held, undefined]]);
      // The operator keeps asking, and the budget keeps refusing (a drain that
      // deleted pods would never be refused): the drain is blocked, not finished.
      const refused = await refusedEvictions();
      await eventually(refusedEvictions, (n) => n >= refused + 2, { timeoutMs: 60_000, description: "two more evictions refused by the budget" });
      expect((await poolNodes("workers")).map((n) => n.metadata?.name)).toContain(victim);
      expect((await podsOn(victim)).map((p) => [p.metadata?.name, p.metadata?.deletionTimestamp])).toEqual([[held, undefined]]);
      expect((await readPool("workers")).status?.replicas).toBe(2);

      // The budget allows one disruption: the pod is evicted and the node removed.
      await tenantPolicy.patchNamespacedPodDisruptionBudget({ namespace: "default", name: "guarded", body: { spec: { minAvailable: 1 } } }, mergePatch);
      const [remaining] = await eventually(() => poolNodes("workers"), (list) => list.length === 1 && list[0]?.metadata?.name !== victim, { timeoutMs: 60_000, description: `${victim} removed` });
      await eventually(async () => Promise.resolve(pods.deleted.has(held)), (gone) => gone, { timeoutMs: 30_000, description: `${held} deleted` });
      // Every pod that left the node went through the Eviction API, which marks it before deleting it; a plain delete does not.
      const movedOff = [...pods.deleted].filter((name) => pods.nodeOf.get(name) === victim);
      expect(movedOff).toContain(held);
      expect(movedOff.filter((name) => !pods.evicted.has(name))).toEqual([]);
      const web = await eventually(() => podsOf("web"), (list) => list.length === 3 && list.every((p) => p.status?.phase === "Running" && p.spec?.nodeName === remaining?.metadata?.name), { timeoutMs: 60_000, description: "all web pods on the remaining node" });
      expect(web).toHaveLength(3);
      await eventually(() => readPool("workers"), (p) => p.status?.replicas === 1 && p.status.phase === "Running");
    } finally {
      pods.stop();
      await tenantApps.deleteNamespacedDeployment({ namespace: "default", name: "guarded" });
      await tenantPolicy.deleteNamespacedPodDisruptionBudget({ namespace: "default", name: "guarded" });
    }
  });

  it("replaces a machine whose Node stays NotReady past the timeout", async () => {
    const [sick] = await poolNodes("workers");
    const name = sick?.metadata?.name ?? "";
    // kwok lets go of the Node (as if its kubelet died), and it reports NotReady.
    await tenant.patchNode({ name, body: { metadata: { annotations: { "kwok.x-k8s.io/node": null } } } }, mergePatch);
    await tenant.patchNodeStatus({ name, body: { status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletStopped", message: "test", lastHeartbeatTime: new Date(), lastTransitionTime: new Date() }] } } }, mergePatch);
    const replaced = await eventually(() => poolNodes("workers"), (list) => list.length === 1 && list[0]?.metadata?.name !== name && list.every(ready), { timeoutMs: 60_000, description: "a new Ready node instead of the sick one" });
    expect(replaced[0]?.metadata?.name).not.toBe(name);
  });

  it("autoscales: 30 pods wanting more CPU than the pool has make it grow until all run, and it shrinks back to min when they go", async () => {
    await createPool("auto", { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 10, scaleDownDelay: "5s" }, machineTemplate: { cpu: "2", memory: "4Gi" } });
    await eventually(() => poolNodes("auto"), (list) => list.length === 1 && list.every(ready), { timeoutMs: 60_000 });
    await deployment("batch", 30, "500m", "auto");
    const running = await eventually(() => podsOf("batch"), (pods) => pods.filter((p) => p.status?.phase === "Running").length === 30, { timeoutMs: 90_000, description: "30 batch pods Running" });
    expect(new Set(running.map((p) => p.spec?.nodeName)).size).toBeGreaterThanOrEqual(8); // four 500m pods per 2-CPU machine
    const grown = await readPool("auto");
    expect(grown.spec.replicas).toBeGreaterThanOrEqual(8);
    expect(grown.spec.replicas).toBeLessThanOrEqual(10);
    await tenantApps.deleteNamespacedDeployment({ namespace: "default", name: "batch" });
    await eventually(() => readPool("auto"), (p) => p.spec.replicas === 1 && p.status?.replicas === 1, { timeoutMs: 90_000, description: "back to one machine" });
    expect(await poolNodes("auto")).toHaveLength(1);
  });

  it("makes no more machines than the project's node quota allows, says so, and goes on when it is raised", async () => {
    await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "projects", body: { apiVersion, kind: "Project", metadata: { name: "np" }, spec: { members: [], quota: { nodes: 3 } } } });
    // workers holds 1 machine and auto 1: room for one more.
    await createPool("capped", { replicas: 3, machineTemplate: { cpu: "1", memory: "1Gi" } });
    const capped = await eventually(() => readPool("capped"), (p) => p.status?.conditions?.some((c) => c.reason === "QuotaExceeded") === true, { timeoutMs: 60_000, description: "QuotaExceeded" });
    expect(capped.status?.conditions?.find((c) => c.type === "Ready")?.message).toBe("project np allows 3 nodes and its pools want 5: capped has 1 of its 3 machines; raise spec.quota.nodes of Project np or lower spec.replicas");
    expect(await poolNodes("capped")).toHaveLength(1);
    await objects.patchClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "projects", name: "np", body: { spec: { quota: { nodes: 5 } } } }, mergePatch);
    await eventually(() => poolNodes("capped"), (list) => list.length === 3, { timeoutMs: 60_000, description: "capped grows to 3 once the quota allows" });
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "nodepools", name: "capped" });
  });

  it("deleting a pool removes its machines, then the pool", async () => {
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "nodepools", name: "auto" });
    await eventually(() => readPool("auto").then(() => false, () => true), (gone) => gone, { timeoutMs: 60_000, description: "pool auto gone" });
    expect(await poolNodes("auto")).toEqual([]);
  });
});
