import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { apiVersion, installCRDs, type Cluster, type NodePool } from "../src/index.ts";
import { merged, rejection } from "./admission-helpers.ts";

const namespace = "project-skew";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };

describe("admission of the version skew between a cluster's control plane and its node pools, by a real kube-apiserver", () => {
  const api = useKubeAPI();
  let client: KubernetesObjectApi;
  let objects: CustomObjectsApi;

  const pool = (name: string, clusterName: string, version?: string): NodePool => ({ apiVersion, kind: "NodePool", metadata: { name, namespace }, spec: { clusterName, ...(version === undefined ? {} : { version }) } }) as unknown as NodePool;
  /** A Cluster whose control plane reports `status` (written here as the operator would). */
  const cluster = async (name: string, version: string, status: Record<string, unknown>): Promise<Cluster> => {
    await client.create({ apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: { version } });
    await objects.patchNamespacedCustomObjectStatus({ ...resource, plural: "clusters", name, body: { status } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    return (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  };
  /** The message kube-apiserver refused a request with (undefined: accepted). */
  const refusal = async (request: Promise<unknown>): Promise<string | undefined> => (await rejection(request))?.map((c) => c.message).join("\n");
  /**
   * Param lookups go through kube-apiserver's informers: a Cluster just
   * written is seen a moment later. Dry runs (admitted like the real
   * request, stored never) wait for that; then the real request's refusal.
   */
  const refusalOnceSeen = async (request: (dryRun?: "All") => Promise<unknown>, description: string): Promise<string | undefined> => {
    await eventually(() => refusal(request("All")), (message) => message !== undefined, { timeoutMs: 15_000, description });
    return refusal(request());
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    client = KubernetesObjectApi.makeApiClient(kc);
    objects = kc.makeApiClient(CustomObjectsApi);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  it("refuses a NodePool newer than the version its cluster's control plane runs, naming the field and the fix", async () => {
    // Upgrading to 1.37: spec says 1.37, but kube-apiserver still runs 1.36.3.
    await cluster("upgrading", "1.37", { version: "1.36.3", upgrade: { from: "1.36.3", to: "1.37.1", phase: "Upgrading", step: "APIServer", startedTime: new Date().toISOString() } });
    const message = await refusalOnceSeen((dryRun) => client.create(pool("ahead", "upgrading", "1.37"), undefined, dryRun), "the pool ahead of the control plane refused");
    expect(message).toMatch(/ValidatingAdmissionPolicy 'nodepool-version-skew\.seedbed\.dev'/);
    expect(message).toContain("spec.version 1.37 is newer than the control plane of Cluster upgrading (1.36.3): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.36 or older (or remove it to follow the cluster)");
    // Nothing half-made.
    await expect(client.read({ apiVersion, kind: "NodePool", metadata: { name: "ahead", namespace } })).rejects.toThrow(/404|not found/i);
  });

  it("accepts a pool at the running minor, one behind, or following its cluster", async () => {
    // First proof that the policy sees this Cluster: while it runs 1.36.3, a 1.37 pool is refused.
    await cluster("running", "1.37.1", { version: "1.36.3" });
    await refusalOnceSeen((dryRun) => client.create(pool("same", "running", "1.37"), undefined, dryRun), "the policy sees Cluster running");
    await objects.patchNamespacedCustomObjectStatus({ ...resource, plural: "clusters", name: "running", body: { status: { version: "1.37.1" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const same = await eventually(() => client.create(pool("same", "running", "1.37")), () => true, { timeoutMs: 15_000, description: "a 1.37 pool accepted once the control plane runs 1.37.1" });
    expect(same.spec.version).toBe("1.37");
    for (const [name, version] of [["behind", "1.36"], ["follows", undefined]] as const) {
      const stored = await client.create(pool(name, "running", version));
      expect(stored.spec.version).toBe(version);
    }
    // A pool of a Cluster not created yet passes: the controller checks it once the Cluster runs.
    expect((await client.create(pool("early", "later", "1.37"))).metadata.name).toBe("early");
  });

  it("refuses a pool more than three minors behind, and a change of spec.version into skew, but not other changes to a pool already in it", async () => {
    // A control plane far ahead of the versions offered here: only status says so.
    const far = await cluster("far", "1.37.1", { version: "1.37.1" });
    const old = await client.create(pool("old", "far", "1.36"));
    await objects.patchNamespacedCustomObjectStatus({ ...resource, plural: "clusters", name: "far", body: { status: { version: "1.40.2" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    expect(far.metadata.name).toBe("far");
    const message = await refusalOnceSeen((dryRun) => client.create(pool("older", "far", "1.36"), undefined, dryRun), "a pool 4 minors behind refused");
    expect(message).toContain("spec.version 1.36 is 4 minors behind the control plane of Cluster far (1.40.2): kubelets may be at most 3 minors older; set spec.version to 1.37 or newer (or remove it to follow the cluster)");
    // The pool already there keeps working (its replicas, its finalizer): only spec.version is checked, when it changes.
    const scaled = await client.replace(merged(old, { spec: { replicas: 2 }, metadata: { finalizers: ["seedbed.dev/node-pool"] } }));
    expect(scaled.spec.replicas).toBe(2);
    const moved = await refusal(client.replace(merged(scaled, { spec: { version: "1.36.3" } })));
    expect(moved).toContain("spec.version 1.36.3 is 4 minors behind the control plane of Cluster far (1.40.2)");
    const unpinned = await client.replace(merged(scaled, { spec: { version: null }, metadata: { finalizers: null } }));
    expect(unpinned.spec.version).toBeUndefined();
  });

  it("refuses a pool newer than the version a rollback goes back to", async () => {
    await cluster("rolling", "1.37.1", { version: "1.37.1", upgrade: { from: "1.36.3", to: "1.37.1", phase: "RollingBack", step: "NodePools", startedTime: new Date().toISOString() } });
    const message = await refusalOnceSeen((dryRun) => client.create(pool("new", "rolling", "1.37.1"), undefined, dryRun), "a pool newer than the rollback's target refused");
    expect(message).toContain("spec.version 1.37.1 is newer than the control plane of Cluster rolling (1.36.3, which it is rolling back to): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.36 or older");
    expect((await client.create(pool("back", "rolling", "1.36"))).spec.version).toBe("1.36");
  });

  it("refuses a Cluster's rollback below a pool pinned to the newer version, until the pool is unpinned", async () => {
    const upgraded = await cluster("pinned", "1.37.1", { version: "1.37.1", upgrade: { from: "1.36.3", to: "1.37.1", phase: "Failed", step: "NodePools", startedTime: new Date().toISOString() } });
    await eventually(() => client.create(pool("pinned-workers", "pinned", "1.37")), () => true, { timeoutMs: 15_000, description: "a pool pinned at the running minor" });
    const message = await refusalOnceSeen((dryRun) => client.replace(merged(upgraded, { spec: { version: "1.36.3" } }), undefined, dryRun), "the rollback refused for the pinned pool");
    expect(message).toMatch(/ValidatingAdmissionPolicy 'cluster-version-skew\.seedbed\.dev'/);
    expect(message).toContain("spec.version 1.36.3 is older than NodePool pinned-workers, pinned at spec.version 1.37: a kubelet must not be newer than kube-apiserver; set the pool's spec.version to 1.36 or older (or remove it to follow the cluster) first");
    const workers = await client.read({ apiVersion, kind: "NodePool", metadata: { name: "pinned-workers", namespace } });
    await client.replace(merged(workers, { spec: { version: null } }));
    const rolledBack = await eventually(() => client.replace(merged(upgraded, { spec: { version: "1.36.3" } })), () => true, { timeoutMs: 15_000, description: "the rollback accepted once the pool follows the cluster" });
    expect(rolledBack.spec.version).toBe("1.36.3");
  });

  it("refuses a Cluster's downgrade but the rollback of its last upgrade, and checks a first spec.version against the version it runs", async () => {
    const patchSpec = (name: string, version: string): Promise<unknown> => objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name, body: { spec: { version } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const upgraded = { from: "1.36.3", to: "1.37.1", phase: "Completed", step: "Done", startedTime: new Date().toISOString() };
    await cluster("undo", "1.37", { version: "1.37.1", upgrade: upgraded });
    expect(await refusal(patchSpec("undo", "1.36"))).toBeUndefined();
    await cluster("patch-down", "1.37.1", { version: "1.37.1", upgrade: upgraded });
    expect(await refusal(patchSpec("patch-down", "1.37.0"))).toContain("cannot downgrade from 1.37.1 to 1.37.0: Kubernetes supports upgrades only; only the last upgrade can be undone, back to the version it came from (seedbed cluster rollback NAME)");
    // No spec.version: it followed the default, and runs 1.37.1.
    await client.create({ apiVersion, kind: "Cluster", metadata: { name: "follower", namespace }, spec: {} });
    await objects.patchNamespacedCustomObjectStatus({ ...resource, plural: "clusters", name: "follower", body: { status: { version: "1.37.1" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    expect(await refusal(patchSpec("follower", "1.36"))).toContain("cannot downgrade from 1.37.1 to 1.36: Kubernetes supports upgrades only; the cluster runs the newer version; leave spec.version out or set it to that version or newer");
    expect(await refusal(patchSpec("follower", "1.37"))).toBeUndefined();
  });
});
