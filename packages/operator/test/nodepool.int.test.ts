import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, PolicyV1Api, setHeaderOptions, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, type NodePool } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-np";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const ready = (n: V1Node): boolean => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

describe("node pools on the kwok provider, in a real tenant cluster", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let tenant: CoreV1Api;
  let tenantApps: AppsV1Api;
  let tenantPolicy: PolicyV1Api;

  const readPool = async (name: string): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name })) as NodePool;
  const poolNodes = async (pool: string): Promise<V1Node[]> => (await tenant.listNode({ labelSelector: `seedbed.dev/node-pool=${pool}` })).items;
  const podsOf = async (app: string): Promise<V1Pod[]> => (await tenant.listNamespacedPod({ namespace: "default", labelSelector: `app=${app}` })).items;
  const createPool = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name, namespace }, spec: { clusterName: "w", ...spec } } });
  const deployment = (name: string, replicas: number, cpu: string, pool: string): Promise<unknown> =>
    tenantApps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { "seedbed.dev/node-pool": pool }, tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists" }], containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu, memory: "64Mi" } } }] } },
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
    expect(nodes[0]?.spec?.providerID).toMatch(/^kwok:\/\/np-w\/workers-[0-9a-f]{6}$/);
    const pool = await eventually(() => readPool("workers"), (p) => p.status?.readyReplicas === 2 && p.status.phase === "Running");
    expect(pool.status?.machines?.map((m) => m.name).sort()).toEqual(nodes.map((n) => n.metadata?.name).sort());
    const tokens = (await tenant.listNamespacedSecret({ namespace: "kube-system", fieldSelector: "type=bootstrap.kubernetes.io/token" })).items;
    expect(tokens.length).toBeGreaterThan(0);
    expect(new Date(Buffer.from(tokens[0]?.data?.expiration ?? "", "base64").toString()).getTime()).toBeGreaterThan(Date.now());
    await deployment("web", 3, "100m", "workers");
    await eventually(() => podsOf("web"), (pods) => pods.length === 3 && pods.every((p) => p.status?.phase === "Running"), { timeoutMs: 60_000, description: "3 web pods Running" });
  });

  it("scales down by cordoning and draining a node under a disruption budget; its pods move to the other", async () => {
    await tenantPolicy.createNamespacedPodDisruptionBudget({ namespace: "default", body: { metadata: { name: "web" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } } } });
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "workers", body: { spec: { replicas: 1 } } }, mergePatch);
    const [left] = await eventually(() => poolNodes("workers"), (list) => list.length === 1, { timeoutMs: 60_000, description: "one node left" });
    const pods = await eventually(() => podsOf("web"), (list) => list.length === 3 && list.every((p) => p.status?.phase === "Running" && p.spec?.nodeName === left?.metadata?.name), { timeoutMs: 60_000, description: "all web pods on the remaining node" });
    expect(pods).toHaveLength(3);
    await eventually(() => readPool("workers"), (p) => p.status?.replicas === 1 && p.status.phase === "Running");
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
