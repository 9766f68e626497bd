import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type NodePool, type Seed } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJSON, servedCertificate, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-honest";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);



describe("a cluster's fields are carried out or reported (local driver)", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  const readSeed = async (): Promise<Seed> => (await objects.getClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local" })) as Seed;
  const condition = (c: Cluster | Seed, type: string): { status: string; reason: string; message: string } | undefined => c.status?.conditions?.find((x) => x.type === type);

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace);
    await objects.patchClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local", body: { spec: { region: "lab-1", sniDomain: "lab.example.com" } } }, mergePatch);
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("runs a cluster asking for a sized etcd volume on a local seed, and says it has none", async () => {
    const spec = { controlPlane: { replicas: 1, datastore: { storage: "5Gi" } }, network: { podCIDR: "10.250.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "corp.internal", cni: "none" } };
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "honest", namespace }, spec } });
    const cluster = await eventually(() => readCluster("honest"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster honest Running" });
    expect(condition(cluster, "Ready")?.status).toBe("True");
    expect(condition(cluster, "Available")?.status).toBe("True");
    const supported = condition(cluster, "SpecSupported");
    expect(supported?.status).toBe("False");
    expect(supported?.reason).toBe("NotSupported");
    expect(supported?.message).toMatch(/^spec\.controlPlane\.datastore\.storage is 5Gi, but seed local \(driver local\) keeps etcd's data in a directory of no set size; leave storage out on this seed$/);
    expect(cluster.status?.region).toBe("lab-1");
    expect(cluster.status?.version).toMatch(/^1\.\d+\.\d+$/);
    const events = await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=honest" });
    expect(events.items.filter((e) => e.type === "Warning" && e.reason === "NotSupported").map((e) => e.note)).toEqual([supported?.message]);
  });

  it("serves the cluster's DNS domain in the API certificate and as the service-account issuer", async () => {
    const cluster = await readCluster("honest");
    const served = await servedCertificate(cluster.status?.endpoint ?? "");
    expect(served.subjectaltname).toContain("DNS:kubernetes.default.svc.corp.internal");
    expect(served.subjectaltname).not.toContain("cluster.local");
    const tenant = await tenantKubeConfig(core, namespace, "honest");
    const discovery = await getJSON<{ issuer?: string }>(tenant, "/.well-known/openid-configuration");
    expect(discovery.issuer).toBe("https://kubernetes.default.svc.corp.internal");
  });

  it("gives each node a pod range from spec.network.podCIDR, and counts the nodes in status", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "honest", replicas: 2 } } });
    await eventually(async () => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name: "workers" })) as NodePool, (p) => p.status?.readyReplicas === 2, { timeoutMs: 60_000, description: "two kwok machines ready" });
    const tenant = (await tenantKubeConfig(core, namespace, "honest")).makeApiClient(CoreV1Api);
    const nodes = await eventually(async () => (await tenant.listNode()).items, (items) => items.length === 2 && items.every((n) => n.spec?.podCIDR !== undefined), { timeoutMs: 30_000, description: "node IPAM assigns pod ranges" });
    for (const node of nodes) expect(node.spec?.podCIDR).toMatch(/^10\.250\.\d{1,3}\.0\/24$/);
    const cluster = await eventually(() => readCluster("honest"), (c) => c.status?.nodes?.ready === 2, { timeoutMs: 30_000, description: "status.nodes counts two ready nodes" });
    expect(cluster.status?.nodes).toEqual({ ready: 2, total: 2 });
    // kwok's nodes report the kubelet version the pool asked for: the cluster's.
    for (const node of nodes) expect(node.status?.nodeInfo?.kubeletVersion).toBe(`v${cluster.status?.version ?? ""}`);
  });

  it("keeps a new cluster off a full seed until it has room, and shows the seed's region, count and unsupported fields", async () => {
    await objects.patchClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local", body: { spec: { capacity: { maxClusters: 1 } } } }, mergePatch);
    const seed = await eventually(readSeed, (s) => condition(s, "Full")?.status === "True", { timeoutMs: 30_000, description: "seed local full" });
    expect(seed.status?.clusters).toBe(1);
    expect(seed.status?.phase).toBe("Ready");
    expect(condition(seed, "SpecSupported")?.message).toMatch(/^spec\.sniDomain lab\.example\.com is not used yet/);

    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "waiting", namespace }, spec: {} } });
    const waiting = await eventually(() => readCluster("waiting"), (c) => c.status?.phase === "Pending", { timeoutMs: 30_000, description: "cluster waiting Pending" });
    expect(condition(waiting, "Ready")).toMatchObject({ status: "False", reason: "SeedFull" });
    expect(condition(waiting, "Ready")?.message).toMatch(/^Seed local hosts 1 clusters and its spec\.capacity\.maxClusters is 1: this cluster waits until there is room; raise spec\.capacity\.maxClusters of Seed local/);
    expect(waiting.status?.endpoint).toBeUndefined();

    // Room made: the Seed's change places the waiting cluster.
    await objects.patchClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local", body: { spec: { capacity: { maxClusters: 2 } } } }, mergePatch);
    await eventually(() => readCluster("waiting"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster waiting Running" });
    await eventually(readSeed, (s) => s.status?.clusters === 2 && condition(s, "Full")?.status === "True", { timeoutMs: 30_000, description: "seed local counts two clusters" });
  });
});
