import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type Seed } from "@seedbed/api";
import { eventually, startKubeAPI, type KubeAPI } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";

const namespace = "project-placed";
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const seeds = { group: "seedbed.dev", version: "v1alpha1", plural: "seeds" };
const clusters = { group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace };

/**
 * Placement across seeds behind one management API, as regions would be:
 * two seeds in region eu (the management cluster itself, and a second API
 * server reached through a kubeconfig Secret) and a default seed in region
 * ap. Control planes are only applied here, never run (no nodes): placement
 * and the Seeds' bookkeeping are what is under test.
 */
describe("placing clusters on the seeds of a region", () => {
  // The management cluster, with kube-controller-manager: a deleted cluster's seed namespace must really go.
  const api = useKubeAPI({ controllers: true });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-placement-"));
  let other: KubeAPI;
  let operator: Operator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...clusters, name })) as Cluster;
  const readSeed = async (name: string): Promise<Seed | undefined> => objects.getClusterCustomObject({ ...seeds, name }).then((s) => s as Seed, () => undefined);
  const createCluster = (name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...clusters, body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec } });
  const createSeed = (name: string, spec: object): Promise<unknown> => objects.createClusterCustomObject({ ...seeds, body: { apiVersion, kind: "Seed", metadata: { name }, spec } });
  const ready = (c: Cluster | undefined): { status: string; reason: string; message: string } | undefined => c?.status?.conditions?.find((x) => x.type === "Ready");

  beforeAll(async () => {
    other = await startKubeAPI();
    const kc = api().kubeConfig();
    await installCRDs(kc);
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespace({ body: { metadata: { name: "seedbed-system" } } });
    await core.createNamespacedSecret({ namespace: "seedbed-system", body: { metadata: { name: "eu-2-kubeconfig" }, stringData: { kubeconfig: other.kubeconfig } } });
    await createSeed("ap-1", { driver: "kubernetes", region: "ap", default: true });
    await createSeed("eu-1", { driver: "kubernetes", region: "eu", capacity: { maxClusters: 1 } });
    await createSeed("eu-2", { driver: "kubernetes", region: "eu", capacity: { maxClusters: 1 }, kubeconfigSecretRef: { name: "eu-2-kubeconfig", namespace: "seedbed-system", key: "kubeconfig" } });
    operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true });
  }, 120_000);
  afterAll(async () => {
    await operator.stop();
    await other.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("keeps a finalizer and the region label on every Seed", async () => {
    const seed = await eventually(() => readSeed("eu-2"), (s) => s?.metadata.finalizers?.includes("seedbed.dev/seed-in-use") === true && s.status?.reachable === true, { timeoutMs: 30_000, description: "seed eu-2 protected and reached" });
    expect(seed?.metadata.labels?.["topology.kubernetes.io/region"]).toBe("eu");
    expect(seed?.status).toMatchObject({ phase: "Ready", clusters: 0, clusterNames: [], capacityLeft: 1, reachable: true });
  });

  it("places a cluster with a region on a seed of that region, not on the default seed of another", async () => {
    await createCluster("a", { seedSelector: { region: "eu" } });
    const a = await eventually(() => readCluster("a"), (c) => c.status?.seed !== undefined, { timeoutMs: 30_000, description: "cluster a placed" });
    // Both eu seeds are empty: the first by name.
    expect(a.status).toMatchObject({ seed: "eu-1", region: "eu" });
    await eventually(() => core.readNamespace({ name: "cluster-placed--a" }).then(() => true, () => false), Boolean, { timeoutMs: 30_000, description: "its seed namespace on the management cluster (seed eu-1)" });
    const eu1 = await eventually(() => readSeed("eu-1"), (s) => s?.status?.clusters === 1, { timeoutMs: 30_000, description: "seed eu-1 counts cluster a" });
    expect(eu1?.status).toMatchObject({ clusterNames: [`${namespace}/a`], capacityLeft: 0, reachable: true });
    expect(eu1?.status?.conditions?.find((c) => c.type === "Full")?.status).toBe("True");
  });

  it("places the next cluster of the region on the other seed once the first is full", async () => {
    await createCluster("b", { seedSelector: { region: "eu" } });
    const b = await eventually(() => readCluster("b"), (c) => c.status?.seed !== undefined, { timeoutMs: 30_000, description: "cluster b placed" });
    expect(b.status?.seed).toBe("eu-2");
    // Its control plane went to the second API server, not to the management cluster.
    const seedCore = other.kubeConfig().makeApiClient(CoreV1Api);
    await eventually(() => seedCore.readNamespace({ name: "cluster-placed--b" }).then(() => true, () => false), Boolean, { timeoutMs: 30_000, description: "its seed namespace on seed eu-2" });
    await expect(core.readNamespace({ name: "cluster-placed--b" })).rejects.toThrow();
    await eventually(() => readSeed("eu-2"), (s) => s?.status?.clusters === 1 && s.status.capacityLeft === 0, { timeoutMs: 30_000, description: "seed eu-2 counts cluster b" });
  });

  it("lets a cluster wait, naming the region and its seeds, while every seed of the region is full", async () => {
    await createCluster("c", { seedSelector: { region: "eu" } });
    const c = await eventually(() => readCluster("c"), (x) => x.status?.phase === "Pending", { timeoutMs: 30_000, description: "cluster c Pending" });
    expect(c.status?.seed).toBeUndefined();
    expect(ready(c)).toMatchObject({ status: "False", reason: "SeedFull" });
    expect(ready(c)?.message).toMatch(/^no Seed of region eu has room \(eu-1 hosts 1 of 1, eu-2 hosts 1 of 1\): this cluster waits until there is room/);
    // Room made on one of them: the Seed's change places the waiting cluster there.
    await objects.patchClusterCustomObject({ ...seeds, name: "eu-2", body: { spec: { capacity: { maxClusters: 2 } } } }, mergePatch);
    const placed = await eventually(() => readCluster("c"), (x) => x.status?.seed !== undefined, { timeoutMs: 60_000, description: "cluster c placed" });
    expect(placed.status?.seed).toBe("eu-2");
    const eu2 = await eventually(() => readSeed("eu-2"), (s) => s?.status?.clusters === 2, { timeoutMs: 30_000, description: "seed eu-2 counts two clusters" });
    expect(eu2?.status?.clusterNames).toEqual([`${namespace}/b`, `${namespace}/c`]);
  });

  it("keeps a deleted Seed while it hosts clusters, naming them, and lets it go once they are deleted", async () => {
    await objects.deleteClusterCustomObject({ ...seeds, name: "eu-1" });
    const kept = await eventually(() => readSeed("eu-1"), (s) => s?.status?.phase === "Deleting", { timeoutMs: 30_000, description: "seed eu-1 Deleting" });
    expect(kept?.metadata.deletionTimestamp).toBeDefined();
    const deleting = kept?.status?.conditions?.find((c) => c.type === "Deleting");
    expect(deleting).toMatchObject({ status: "True", reason: "HostsClusters" });
    expect(deleting?.message).toBe(`Seed eu-1 is kept (finalizer seedbed.dev/seed-in-use) while it hosts 1 cluster: ${namespace}/a; delete that Cluster and the Seed goes (Seedbed never moves a control plane to another seed)`);
    const events = api().kubeConfig().makeApiClient(EventsV1Api);
    await eventually(() => events.listNamespacedEvent({ namespace: "default", fieldSelector: "regarding.name=eu-1" }), (list) => list.items.some((e) => e.reason === "SeedInUse" && e.note?.includes(`${namespace}/a`) === true), { timeoutMs: 30_000, description: "a SeedInUse event" });
    // Still there a while later, and the cluster on it still served from it.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await readSeed("eu-1"))?.metadata.name).toBe("eu-1");
    expect((await readCluster("a")).status?.seed).toBe("eu-1");

    await objects.deleteNamespacedCustomObject({ ...clusters, name: "a" });
    await eventually(() => readCluster("a").then(() => false, () => true), Boolean, { timeoutMs: 90_000, description: "cluster a gone" });
    await eventually(() => readSeed("eu-1"), (s) => s === undefined, { timeoutMs: 30_000, description: "seed eu-1 gone" });
    await expect(core.readNamespace({ name: "cluster-placed--a" })).rejects.toThrow();
  });
});
