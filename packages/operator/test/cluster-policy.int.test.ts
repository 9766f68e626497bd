import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions, type EventsV1Event } from "@kubernetes/client-node";
import { apiVersion, platformPolicyNamespace, type ClusterPolicy, type ClusterSync, type ClusterSyncPolicyStatus } from "@seedbed/api";
import { applyStatus, isNotFound, ObjectClient } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, type LocalOperator } from "./local-platform.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const group = { group: "seedbed.dev", version: "v1alpha1" };

/**
 * The hub side of ClusterPolicy against a real kube-apiserver (with
 * kube-controller-manager, whose garbage collector removes a Cluster's
 * ClusterSync with it) and the whole operator. Clusters are paused: what
 * is under test is selection and aggregation, which need no control
 * plane; the agents' status writes are made here with the admin client,
 * as an agent would make them.
 */
describe("ClusterPolicies on the hub: ClusterSyncs and policy status", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let client: ObjectClient;

  const createCluster = (namespace: string, name: string, labels: Record<string, string>): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...group, plural: "clusters", namespace, body: { apiVersion, kind: "Cluster", metadata: { name, namespace, labels }, spec: { paused: true } } });
  const createPolicy = (namespace: string, name: string, spec: Partial<ClusterPolicy["spec"]>): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...group, plural: "clusterpolicies", namespace, body: { apiVersion, kind: "ClusterPolicy", metadata: { name, namespace }, spec: { clusterSelector: {}, prune: true, ...spec } } });
  const readPolicy = async (namespace: string, name: string): Promise<ClusterPolicy> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusterpolicies", namespace, name })) as ClusterPolicy;
  const readSync = async (namespace: string, name: string): Promise<ClusterSync | undefined> => {
    try {
      return (await objects.getNamespacedCustomObject({ ...group, plural: "clustersyncs", namespace, name })) as ClusterSync;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const listed = (sync: ClusterSync | undefined): string[] => (sync?.spec.policies ?? []).map((p) => `${p.namespace}/${p.name}@${String(p.generation)}`);
  const relabel = (plural: string, namespace: string | undefined, name: string, labels: Record<string, string>): Promise<unknown> =>
    namespace === undefined
      ? objects.patchClusterCustomObject({ ...group, plural, name, body: { metadata: { labels } } }, mergePatch)
      : objects.patchNamespacedCustomObject({ ...group, plural, namespace, name, body: { metadata: { labels } } }, mergePatch);
  /** What a cluster's agent writes: its state for each policy (its own field manager, as the agent's identity would). */
  const reportAsAgent = (cluster: string, policies: ClusterSyncPolicyStatus[]): Promise<unknown> =>
    applyStatus(client, { apiVersion, kind: "ClusterSync", metadata: { name: cluster, namespace: "project-a" }, status: { policies } }, { fieldManager: "test-agent" });
  const eventsOn = async (cluster: string): Promise<EventsV1Event[]> =>
    (await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: "project-a", fieldSelector: `regarding.name=${cluster}` })).items;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    platform = await startLocalOperator(kc, platformPolicyNamespace);
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    client = ObjectClient.fromKubeConfig(kc);
    for (const [name, tier] of [["a", "gold"], ["b", "bronze"]] as const) {
      await objects.createClusterCustomObject({ ...group, plural: "projects", body: { apiVersion, kind: "Project", metadata: { name, labels: { tier } }, spec: { members: [] } } });
      await eventually(() => core.readNamespace({ name: `project-${name}` }), () => true, { description: `namespace project-${name}` });
    }
    await createCluster("project-a", "prod-1", { env: "prod" });
    await createCluster("project-a", "prod-2", { env: "prod" });
    await createCluster("project-a", "dev-1", { env: "dev" });
    await createCluster("project-b", "prod-b", { env: "prod" });
  }, 120_000);
  afterAll(async () => {
    await platform.stop();
  });

  it("lists a policy for env=prod in the ClusterSync of both prod clusters, owned by each Cluster, and gives the dev cluster none", async () => {
    await createPolicy("project-a", "prod-rbac", { clusterSelector: { matchLabels: { env: "prod" } }, namespaces: [{ name: "team" }] });
    const policy = await readPolicy("project-a", "prod-rbac");
    for (const name of ["prod-1", "prod-2"]) {
      const sync = await eventually(() => readSync("project-a", name), (s) => listed(s).length === 1, { description: `ClusterSync ${name} listing prod-rbac` });
      expect(sync?.spec.policies).toEqual([{ namespace: "project-a", name: "prod-rbac", uid: policy.metadata.uid, generation: 1 }]);
      const cluster = (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", namespace: "project-a", name })) as { metadata: { uid: string } };
      expect(sync?.metadata.ownerReferences).toEqual([{ apiVersion, kind: "Cluster", name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    // The policy of project a never reaches project b's prod cluster; the dev cluster never had a policy.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await readSync("project-a", "dev-1")).toBeUndefined();
    expect(await readSync("project-b", "prod-b")).toBeUndefined();
  });

  it("brings a policy's new generation to every ClusterSync that lists it", async () => {
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusterpolicies", namespace: "project-a", name: "prod-rbac", body: { spec: { namespaces: [{ name: "team" }, { name: "audit" }] } } }, mergePatch);
    for (const name of ["prod-1", "prod-2"]) {
      await eventually(() => readSync("project-a", name), (s) => listed(s).join() === "project-a/prod-rbac@2", { description: `ClusterSync ${name} at generation 2` });
    }
  });

  it("writes nothing when a Cluster changes in a way no policy cares about", async () => {
    const before = await readSync("project-a", "prod-1");
    const reconciles = async (): Promise<number> => {
      const metric = await platform.operator.manager.registry.getSingleMetric("seedbed_reconcile_total")?.get();
      return (metric?.values ?? []).filter((v) => v.labels.controller === "clustersync").reduce((sum, v) => sum + v.value, 0);
    };
    const writes = async (): Promise<number> => (await platform.operator.manager.registry.getSingleMetric("seedbed_policy_writes_total")?.get())?.values.find((v) => v.labels.resource === "clustersyncs")?.value ?? 0;
    const counted = await reconciles();
    const written = await writes();
    expect(written).toBeGreaterThan(0);
    await relabel("clusters", "project-a", "prod-1", { env: "prod", team: "blue" });
    await eventually(reconciles, (n) => n > counted, { description: "a clustersync pass after the relabelling" });
    // Any further pass the relabelling queued has had time to run too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await writes()).toBe(written);
    expect((await readSync("project-a", "prod-1"))?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it("empties the list of a cluster relabelled out of the selector, and fills it again when it comes back", async () => {
    await relabel("clusters", "project-a", "prod-2", { env: "dev" });
    const emptied = await eventually(() => readSync("project-a", "prod-2"), (s) => s !== undefined && listed(s).length === 0, { description: "ClusterSync prod-2 emptied" });
    expect(emptied?.spec.policies ?? []).toEqual([]);
    expect(listed(await readSync("project-a", "prod-1"))).toEqual(["project-a/prod-rbac@2"]);
    await relabel("clusters", "project-a", "prod-2", { env: "prod" });
    await eventually(() => readSync("project-a", "prod-2"), (s) => listed(s).join() === "project-a/prod-rbac@2", { description: "ClusterSync prod-2 listing prod-rbac again" });
  });

  it("selects, from seedbed-system, only the clusters of projects its projectSelector matches, following a Project's labels", async () => {
    await createPolicy(platformPolicyNamespace, "gold", { projectSelector: { matchLabels: { tier: "gold" } }, clusterSelector: { matchLabels: { env: "prod" } } });
    for (const name of ["prod-1", "prod-2"]) {
      await eventually(() => readSync("project-a", name), (s) => listed(s).join() === `project-a/prod-rbac@2,${platformPolicyNamespace}/gold@1`, { description: `ClusterSync ${name} listing both policies, sorted` });
    }
    expect(await readSync("project-b", "prod-b")).toBeUndefined();
    await relabel("projects", undefined, "b", { tier: "gold" });
    await eventually(() => readSync("project-b", "prod-b"), (s) => listed(s).join() === `${platformPolicyNamespace}/gold@1`, { description: "ClusterSync prod-b listing gold once project b is gold" });
    await relabel("projects", undefined, "b", { tier: "bronze" });
    await eventually(() => readSync("project-b", "prod-b"), (s) => s !== undefined && listed(s).length === 0, { description: "ClusterSync prod-b emptied once project b is bronze again" });
  });

  it("aggregates the agents' reports into counts, offenders and phase, with a Warning on the Cluster where the policy conflicts", async () => {
    const policy = await readPolicy("project-a", "prod-rbac");
    const entry = { namespace: "project-a", name: "prod-rbac", uid: policy.metadata.uid ?? "", observedGeneration: 2, objects: 2, lastSyncTime: new Date().toISOString() };
    // Before any report: both selected clusters pending.
    const pending = await eventually(() => readPolicy("project-a", "prod-rbac"), (p) => p.status?.selectedClusters === 2 && p.status.observedGeneration === 2, { description: "prod-rbac counting 2 selected" });
    expect(pending.status).toMatchObject({ phase: "Pending", pendingClusters: 2, inSyncClusters: 0 });

    await reportAsAgent("prod-1", [{ ...entry, state: "InSync" }]);
    await reportAsAgent("prod-2", [{ ...entry, state: "Conflicted", problems: [{ kind: "Role", apiVersion: "rbac.authorization.k8s.io/v1", namespace: "team", name: "reader", reason: "Conflict", message: "an existing Role of this name was not made by the policy (conflicts.existing: Report)" }], problemCount: 1 }]);
    const partial = await eventually(() => readPolicy("project-a", "prod-rbac"), (p) => p.status?.conflictedClusters === 1 && p.status.inSyncClusters === 1, { description: "prod-rbac: one in sync, one conflicted" });
    expect(partial.status).toMatchObject({ phase: "Partial", selectedClusters: 2, pendingClusters: 0, driftedClusters: 0, failedClusters: 0 });
    expect(partial.status?.offenders).toEqual([{ namespace: "project-a", name: "prod-2", state: "Conflicted", message: "Role team/reader: an existing Role of this name was not made by the policy (conflicts.existing: Report)" }]);
    expect(partial.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ClustersNotInSync", observedGeneration: 2 });
    const warning = await eventually(() => eventsOn("prod-2"), (list) => list.some((e) => e.reason === "PolicyConflicted"), { description: "a PolicyConflicted Event on prod-2" });
    expect(warning.find((e) => e.reason === "PolicyConflicted")).toMatchObject({ type: "Warning", action: "Sync", note: expect.stringContaining("policy project-a/prod-rbac is Conflicted: Role team/reader") as unknown });
    const gauge = await platform.operator.manager.registry.getSingleMetric("seedbed_policy_clusters")?.get();
    expect(gauge?.values.find((v) => v.labels.policy === "prod-rbac" && v.labels.state === "Conflicted")?.value).toBe(1);

    await reportAsAgent("prod-2", [{ ...entry, state: "InSync" }]);
    const synced = await eventually(() => readPolicy("project-a", "prod-rbac"), (p) => p.status?.phase === "Synced", { description: "prod-rbac Synced" });
    expect(synced.status).toMatchObject({ selectedClusters: 2, inSyncClusters: 2, conflictedClusters: 0, offenders: [] });
    expect(synced.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "AllInSync" });
    await eventually(() => eventsOn("prod-2"), (list) => list.some((e) => e.reason === "PolicyInSync" && e.type === "Normal"), { description: "a PolicyInSync Event on prod-2" });
  });

  it("says so on a policy outside a project namespace, which selects nothing", async () => {
    await core.createNamespace({ body: { metadata: { name: "elsewhere" } } });
    await createPolicy("elsewhere", "stray", {});
    const stray = await eventually(() => readPolicy("elsewhere", "stray"), (p) => p.status?.conditions !== undefined, { description: "status of policy stray" });
    expect(stray.status).toMatchObject({ phase: "Pending", selectedClusters: 0 });
    const ready = stray.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "NotInAProjectNamespace", observedGeneration: 1 });
    expect(ready?.message).toContain("seedbed-system");
  });

  it("removes a deleted Cluster's ClusterSync with it, and counts it no more", async () => {
    expect(await readSync("project-a", "prod-1")).toBeDefined();
    await objects.deleteNamespacedCustomObject({ ...group, plural: "clusters", namespace: "project-a", name: "prod-1" });
    await eventually(() => readSync("project-a", "prod-1"), (s) => s === undefined, { timeoutMs: 60_000, description: "ClusterSync prod-1 deleted with its Cluster" });
    await eventually(() => readPolicy("project-a", "prod-rbac"), (p) => p.status?.selectedClusters === 1, { description: "prod-rbac counting 1 selected" });
  });
});
