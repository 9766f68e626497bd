// Deletions that leak nothing: a Cluster's cloud machines go before its
// control plane, a Project's deletion cannot take the credentials its pools
// still need, and a Seed that is gone never sends a deletion elsewhere.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type NodePool, type Seed } from "@seedbed/api";
import { FakeEc2 } from "@seedbed/providers/testing";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsPoolSpec, awsTestSigner, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-life";
const group = { group: "seedbed.dev", version: "v1alpha1" };

describe("lifecycles that leak nothing", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let ec2: FakeEc2;

  /** Instances not terminated nor terminating, of one cluster (by its id tag). */
  const live = (clusterTag?: string): string[] =>
    [...ec2.instances.values()].filter((i) => i.state !== "terminated" && i.state !== "shutting-down" && (clusterTag === undefined || i.tags["seedbed.dev/cluster-id"]?.endsWith(clusterTag) === true)).map((i) => i.id);
  /** Instances not yet terminated (shutting-down ones included). */
  const notTerminated = (): number => [...ec2.instances.values()].filter((i) => i.state !== "terminated").length;
  const read = async <T>(ns: string, plural: string, name: string): Promise<T | undefined> =>
    (objects.getNamespacedCustomObject({ ...group, namespace: ns, plural, name }) as Promise<T>).catch((error: unknown) => {
      if (String(error).includes("404")) return undefined;
      throw error;
    });
  const create = (ns: string, plural: string, kind: string, name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, namespace: ns, plural, body: { apiVersion, kind, metadata: { name, namespace: ns }, spec } });
  const credentials = (ns: string): Promise<unknown> =>
    core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "aws-credentials" }, stringData: { credentials: JSON.stringify({ accessKeyId: awsTestSigner.accessKeyId, secretAccessKey: awsTestSigner.secretAccessKey, endpoint: ec2.endpoint }) } } });
  const readyCondition = (c: Cluster | undefined): { reason?: string; message?: string } | undefined => c?.status?.conditions?.find((x) => x.type === "Ready");

  beforeAll(async () => {
    ec2 = await FakeEc2.start(awsTestSigner);
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace);
    await credentials(namespace);
  });
  afterAll(async () => {
    await platform.stop();
    await ec2.stop();
  });

  it("deletes a Cluster's node pools first and removes the control plane only once their instances are terminated", async () => {
    await create(namespace, "clusters", "Cluster", "c", {});
    await create(namespace, "nodepools", "NodePool", "ec2", awsPoolSpec("c", 2));
    await eventually(() => Promise.resolve(live("-c")), (ids) => ids.length === 2, { timeoutMs: 120_000, description: "two instances" });
    const secret = await core.readNamespacedSecret({ namespace, name: "aws-credentials" });
    expect(secret.metadata?.finalizers).toContain("seedbed.dev/machine-credentials");

    await objects.deleteNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "c" });
    // EC2 keeps them shutting-down until told to move on: the cluster must wait for that.
    const waiting = await eventually(() => read<Cluster>(namespace, "clusters", "c"), (c) => readyCondition(c)?.reason === "WaitingForNodePools" && live("-c").length === 0, { timeoutMs: 30_000, description: "cluster waiting for its pool" });
    expect(waiting?.status?.phase).toBe("Deleting");
    expect(readyCondition(waiting)?.message).toBe("waiting for 1 node pool to remove its machines (ec2); the control plane goes after them");
    expect((await read<NodePool>(namespace, "nodepools", "ec2"))?.metadata.deletionTimestamp).toBeDefined();
    // The control plane still serves while the pool removes its machines.
    const tenant = (await tenantKubeConfig(core, namespace, "c")).makeApiClient(CoreV1Api);
    await expect(tenant.listNamespace()).resolves.toBeDefined();

    await eventually(async () => {
      ec2.settle();
      return (await read<NodePool>(namespace, "nodepools", "ec2")) === undefined && (await read<Cluster>(namespace, "clusters", "c")) === undefined;
    }, (gone) => gone, { timeoutMs: 60_000, description: "pool and cluster gone" });
    expect(notTerminated()).toBe(0);
    expect(ec2.violations).toEqual([]);
    // No pool uses the credentials any more: they are released.
    await eventually(() => core.readNamespacedSecret({ namespace, name: "aws-credentials" }), (s) => !(s.metadata?.finalizers ?? []).includes("seedbed.dev/machine-credentials"), { timeoutMs: 30_000, description: "credentials released" });
  });

  it("terminates a pool's instances when its Project is deleted, though the namespace's deletion takes the Secrets at once", async () => {
    await objects.createClusterCustomObject({ ...group, plural: "projects", body: { apiVersion, kind: "Project", metadata: { name: "gone" }, spec: { members: [] } } });
    const ns = "project-gone";
    await eventually(() => core.readNamespace({ name: ns }), (n) => n.metadata?.name === ns, { timeoutMs: 30_000, description: "project namespace" });
    await credentials(ns);
    await create(ns, "clusters", "Cluster", "p", {});
    await create(ns, "nodepools", "NodePool", "ec2", awsPoolSpec("p", 1));
    await eventually(() => Promise.resolve(live("-p")), (ids) => ids.length === 1, { timeoutMs: 120_000, description: "one instance" });

    await objects.deleteClusterCustomObject({ ...group, plural: "projects", name: "gone" });
    // The namespace goes with its owner; while it is emptied, the credentials must stay until the pool is done.
    await eventually(() => core.readNamespacedSecret({ namespace: ns, name: "aws-credentials" }), (s) => s.metadata?.deletionTimestamp !== undefined, { timeoutMs: 60_000, description: "credentials Secret deleting" });
    await eventually(async () => {
      ec2.settle();
      return core.readNamespace({ name: ns }).then(() => false, () => true);
    }, (gone) => gone, { timeoutMs: 120_000, description: "project namespace gone" });
    expect(notTerminated()).toBe(0);
    expect(ec2.violations).toEqual([]);
  });

  it("never sends a deletion to another seed when the recorded Seed is gone, and says what to do", async () => {
    // Two local seeds on this machine; the cluster lands on the oldest default, "local".
    await objects.createClusterCustomObject({ ...group, plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "spare" }, spec: { driver: "local", default: true } } });
    await create(namespace, "clusters", "Cluster", "s", {});
    await eventually(() => read<Cluster>(namespace, "clusters", "s"), (c) => c?.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster s Running" });
    expect((await read<Cluster>(namespace, "clusters", "s"))?.status?.seed).toBe("local");
    const local = (await objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" })) as { metadata: { name: string }; spec: object };
    await objects.deleteClusterCustomObject({ ...group, plural: "seeds", name: "local" });
    // Refused while it hosts the cluster: kept, naming it.
    const kept = await eventually(() => objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" }) as Promise<Seed>, (x) => x.status?.phase === "Deleting", { timeoutMs: 30_000, description: "seed local kept" });
    expect(kept.status?.conditions?.find((x) => x.type === "Deleting")?.message).toMatch(new RegExp(`^Seed local is kept \\(finalizer seedbed\\.dev/seed-in-use\\) while it hosts 1 cluster: ${namespace}/s;`));
    // An administrator forces it away: the seed is gone as if lost.
    await objects.patchClusterCustomObject({ ...group, plural: "seeds", name: "local", body: { metadata: { finalizers: null } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    // A live cluster whose Seed went stays placed there: not moved to the default seed "spare".
    const orphaned = await eventually(() => read<Cluster>(namespace, "clusters", "s"), (c) => c?.status?.conditions?.some((x) => x.type === "SpecValid" && x.reason === "SeedGone") === true, { timeoutMs: 30_000, description: "SpecValid SeedGone" });
    expect(orphaned?.status?.seed).toBe("local");
    expect(orphaned?.status?.conditions?.find((x) => x.type === "SpecValid")?.message).toMatch(/^Seed local that hosts this cluster's control plane no longer exists; recreate it/);
    await objects.deleteNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "s" });

    const stuck = await eventually(() => read<Cluster>(namespace, "clusters", "s"), (c) => readyCondition(c)?.reason === "SeedGone", { timeoutMs: 30_000, description: "SeedGone" });
    expect(readyCondition(stuck)?.message).toMatch(/^Seed local that hosts this cluster no longer exists; recreate it so the control plane can be removed, or remove the finalizer seedbed\.dev\/cluster/);
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.some((e) => e.reason === "SeedGone" && e.involvedObject.name === "s")).toBe(true);
    // The default seed ("spare", the same machine) deleted nothing: the control plane still serves.
    const tenant = (await tenantKubeConfig(core, namespace, "s")).makeApiClient(CoreV1Api);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expect(tenant.listNamespace()).resolves.toBeDefined();
    expect(await read<Cluster>(namespace, "clusters", "s")).toBeDefined();

    // The Seed back: the deletion goes on through it.
    const { metadata, spec } = local;
    await objects.createClusterCustomObject({ ...group, plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: metadata.name }, spec } });
    await eventually(() => read<Cluster>(namespace, "clusters", "s"), (c) => c === undefined, { timeoutMs: 60_000, description: "cluster s gone" });
    await expect(tenant.listNamespace()).rejects.toThrow();
  });
});
