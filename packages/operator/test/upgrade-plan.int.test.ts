import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions, StorageV1Api } from "@kubernetes/client-node";
import { apiVersion, clusterIdentity, installCRDs, type Cluster, type UpgradePlan } from "@seedbed/api";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const group = { group: "seedbed.dev", version: "v1alpha1" };
const older = "1.36.3";
const newer = "1.37.1";
const soakMs = 2000;

/**
 * Fleet upgrades on a kwok seed: the management cluster is its own seed
 * (kubernetes driver, control planes as kwok pods), clusters created at the
 * older minor without pre-upgrade snapshots (kwok pods cannot be
 * snapshotted), UpgradePlans moving them to the newer one. What is under
 * test is the plan's order: the canary alone, then batches, soaks between
 * waves, the halt, pause and resume; the Cluster reconciler carries out
 * each upgrade.
 */
describe("an UpgradePlan on a kwok seed", () => {
  const api = useKubeAPI({ controllers: true, kwok: true });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-upgrade-plan-"));
  let operator: Operator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  const readCluster = async (namespace: string, name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", namespace, name })) as Cluster;
  const listClusters = async (namespace: string): Promise<Cluster[]> => ((await objects.listNamespacedCustomObject({ ...group, plural: "clusters", namespace })) as { items: Cluster[] }).items;
  const readPlan = async (name: string): Promise<UpgradePlan> => (await objects.getClusterCustomObject({ ...group, plural: "upgradeplans", name })) as UpgradePlan;
  const createPlan = (name: string, spec: object): Promise<unknown> => objects.createClusterCustomObject({ ...group, plural: "upgradeplans", body: { apiVersion, kind: "UpgradePlan", metadata: { name }, spec } });
  const createClusters = async (namespace: string, names: readonly string[], spec: object = {}, labels: (name: string) => Record<string, string> = () => ({})): Promise<void> => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const name of names) {
      await objects.createNamespacedCustomObject({ ...group, plural: "clusters", namespace, body: { apiVersion, kind: "Cluster", metadata: { name, namespace, labels: labels(name) }, spec: { version: older, upgrade: { snapshot: "Skip" }, ...spec } } });
    }
    await eventually(() => listClusters(namespace), (list) => list.length === names.length && list.every((c) => c.status?.phase === "Running" && c.status.version === older), { timeoutMs: 180_000, description: `clusters of ${namespace} Running at ${older}` });
  };
  const upgradeOf = (c: Cluster): NonNullable<NonNullable<Cluster["status"]>["upgrade"]> | undefined => c.status?.upgrade;
  const ms = (time: string | undefined): number => Date.parse(time ?? "");

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    for (let i = 0; i < 3; i++) {
      await core.createNode({ body: { metadata: { name: `seed-node-${i}`, annotations: { [kwokNodeAnnotation]: "fake" }, labels: { "kubernetes.io/hostname": `seed-node-${i}` } }, status: { addresses: [{ type: "InternalIP", address: `192.0.2.${10 + i}` }], allocatable: { cpu: "64", memory: "256Gi", pods: "500" }, capacity: { cpu: "64", memory: "256Gi", pods: "500" } } } });
    }
    await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: "kwok-local" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" } });
    for (let i = 0; i < 24; i++) {
      await core.createPersistentVolume({ body: { metadata: { name: `pv-${i}` }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "kwok-local", hostPath: { path: `/tmp/seedbed-upgrade-plan-pv-${i}` } } } });
    }
    await objects.createClusterCustomObject({ ...group, plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "kwok" }, spec: { driver: "kubernetes", default: true, storageClassName: "kwok-local" } } });
    operator = await startOperator({ kubeConfig: kc, stateDir });
  }, 180_000);
  afterAll(async () => {
    await operator.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("upgrades the canary alone, soaks it, then the rest in batches of at most three, and completes with every cluster at the new version", async () => {
    const namespace = "project-fleet";
    const names = Array.from({ length: 10 }, (_, i) => `c${String(i)}`);
    await createClusters(namespace, names, {}, () => ({ fleet: "a" }));
    await createPlan("fleet-a", { version: "1.37", clusterSelector: { matchLabels: { fleet: "a" } }, canary: 1, batchSize: "30%", soak: `${String(soakMs / 1000)}s`, maxFailures: 1 });

    const done = await eventually(() => readPlan("fleet-a"), (p) => p.status?.phase === "Completed" || p.status?.phase === "Halted", { timeoutMs: 300_000, intervalMs: 1000, description: "plan fleet-a finished" });
    expect(done.status?.phase).toBe("Completed");
    expect(done.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "Completed", message: "every selected cluster is at 1.37" });
    expect(done.status?.counts).toEqual({ selected: 10, pending: 0, upgrading: 0, upgraded: 10, failed: 0 });
    expect(done.status?.waves).toBe(4);
    // Sorted by namespace and name: c0 is the canary, then three batches of ceil(30% of 10) = 3.
    expect(done.status?.clusters?.map((e) => [e.name, e.wave, e.state])).toEqual([
      ["c0", 0, "Upgraded"], ["c1", 1, "Upgraded"], ["c2", 1, "Upgraded"], ["c3", 1, "Upgraded"],
      ["c4", 2, "Upgraded"], ["c5", 2, "Upgraded"], ["c6", 2, "Upgraded"], ["c7", 3, "Upgraded"], ["c8", 3, "Upgraded"], ["c9", 3, "Upgraded"],
    ]);
    expect(done.status?.clusters?.every((e) => e.from === older)).toBe(true);

    const clusters = await listClusters(namespace);
    for (const c of clusters) {
      expect(c.status?.version, c.metadata.name).toBe(newer);
      expect(upgradeOf(c), c.metadata.name).toMatchObject({ from: older, to: newer, phase: "Completed", plan: "fleet-a" });
    }
    // The order, from the times the Cluster reconciler recorded: every
    // cluster of a wave began its upgrade only after every cluster of the
    // wave before had completed and soaked.
    const waveOf = new Map(done.status?.clusters?.map((e) => [e.name, e.wave]));
    const byWave = (w: number): Cluster[] => clusters.filter((c) => waveOf.get(c.metadata.name ?? "") === w);
    expect(byWave(0).map((c) => c.metadata.name)).toEqual(["c0"]);
    for (let w = 1; w < 4; w++) {
      const previousSoakEnd = Math.max(...byWave(w - 1).map((c) => ms(upgradeOf(c)?.completionTime))) + soakMs;
      const firstStart = Math.min(...byWave(w).map((c) => ms(upgradeOf(c)?.startedTime)));
      // Times are written to the second at worst: a second of slack.
      expect(firstStart, `wave ${String(w)} started after wave ${String(w - 1)} soaked`).toBeGreaterThanOrEqual(previousSoakEnd - 1000);
    }
    // At no moment were more than three clusters (or more than the canary alone, in wave 0) upgrading.
    const spans = clusters.map((c) => ({ start: ms(upgradeOf(c)?.startedTime), end: ms(upgradeOf(c)?.completionTime) }));
    const most = Math.max(...spans.map((s) => spans.filter((o) => o.start <= s.start && s.start < o.end + 1000).length));
    expect(most).toBeLessThanOrEqual(3);

    const events = api().kubeConfig().makeApiClient(EventsV1Api);
    const reasons = (await events.listNamespacedEvent({ namespace: "default", fieldSelector: "regarding.name=fleet-a" })).items.map((e) => e.reason);
    expect(reasons.filter((r) => r === "WaveStarted")).toHaveLength(4);
    expect(reasons).toContain("Completed");
  }, 420_000);

  it("halts once a cluster fails its upgrade (maxFailures 1), starting no cluster of a later wave", async () => {
    const namespace = "project-halt";
    const names = ["h0", "h1", "h2", "h3", "h4", "h5"];
    await createClusters(namespace, names, { upgrade: { snapshot: "Skip", deadline: "1m" } }, (name) => ({ fleet: "b", ...(["h3", "h4", "h5"].includes(name) ? { group: "late" } : {}) }));
    // h2's API server can no longer be scheduled in the seed: the pods of its upgrade stay Pending until the deadline.
    const h2 = await readCluster(namespace, "h2");
    await apps.patchNamespacedDeployment({ namespace: `cluster-${clusterIdentity(h2)}`, name: "kube-apiserver", body: { spec: { template: { spec: { nodeSelector: { "seedbed.dev/test": "nowhere" } } } } } }, mergePatch);
    // Waves: [h0] (canary), [h1, h2], [h3, h4], [h5].
    await createPlan("fleet-b", { version: "1.37", clusterSelector: { matchLabels: { fleet: "b" } }, canary: 1, batchSize: "2", soak: `${String(soakMs / 1000)}s`, maxFailures: 1 });

    const halted = await eventually(() => readPlan("fleet-b"), (p) => p.status?.phase === "Halted" || p.status?.phase === "Completed", { timeoutMs: 240_000, intervalMs: 1000, description: "plan fleet-b halted" });
    expect(halted.status?.phase).toBe("Halted");
    const ready = halted.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Halted" });
    expect(ready?.message).toMatch(/^halted after 1 failure\(s\) \(maxFailures 1\): project-halt\/h2 \(the upgrade failed: /);
    expect(halted.status?.clusters?.find((e) => e.name === "h2")).toMatchObject({ wave: 1, state: "Failed" });
    expect(halted.status?.clusters?.find((e) => e.name === "h0")?.state).toBe("Upgraded");
    expect((await readCluster(namespace, "h2")).status?.upgrade).toMatchObject({ phase: "Failed", to: newer });
    // A while later still: no cluster of waves 2 and 3 was touched.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const name of ["h3", "h4", "h5"]) {
      const c = await readCluster(namespace, name);
      expect(c.spec.version, name).toBe(older);
      expect(c.status?.upgrade, name).toBeUndefined();
      expect((await readPlan("fleet-b")).status?.clusters?.find((e) => e.name === name)?.state, name).toBe("Pending");
    }
    const events = api().kubeConfig().makeApiClient(EventsV1Api);
    const list = (await events.listNamespacedEvent({ namespace: "default", fieldSelector: "regarding.name=fleet-b" })).items;
    expect(list.find((e) => e.reason === "ClusterFailed")?.note).toMatch(/^cluster project-halt\/h2: the upgrade failed/);
    expect(list.some((e) => e.reason === "Halted")).toBe(true);
  }, 420_000);

  it("with onFailure Rollback, rolls the failed cluster back to where it came from", async () => {
    const namespace = "project-back";
    await createClusters(namespace, ["r0", "r1"], { upgrade: { snapshot: "Skip", deadline: "1m" } });
    const r0 = await readCluster(namespace, "r0");
    const seedNamespace = `cluster-${clusterIdentity(r0)}`;
    await apps.patchNamespacedDeployment({ namespace: seedNamespace, name: "kube-apiserver", body: { spec: { template: { spec: { nodeSelector: { "seedbed.dev/test": "nowhere" } } } } } }, mergePatch);
    await createPlan("back", { version: "1.37", projects: ["back"], canary: 1, batchSize: "1", soak: "1s", maxFailures: 1, onFailure: "Rollback" });
    // The upgrade stops past its deadline; the plan sets spec.version back.
    await eventually(() => readCluster(namespace, "r0"), (c) => c.spec.version === older && c.status?.upgrade?.rollback === true, { timeoutMs: 180_000, intervalMs: 1000, description: "cluster r0 rolling back" });
    // Schedulable again: the rollback's pods can run.
    await apps.patchNamespacedDeployment({ namespace: seedNamespace, name: "kube-apiserver", body: { spec: { template: { spec: { nodeSelector: null } } } } }, mergePatch);
    const plan = await eventually(() => readPlan("back"), (p) => p.status?.clusters?.find((e) => e.name === "r0")?.state === "RolledBack", { timeoutMs: 180_000, intervalMs: 1000, description: "r0 RolledBack in plan back" });
    expect(plan.status?.phase).toBe("Halted");
    expect(plan.status?.clusters?.find((e) => e.name === "r0")).toMatchObject({ state: "RolledBack", message: `rolled back to ${older}` });
    expect(plan.status?.counts?.failed).toBe(1);
    const rolledBack = await readCluster(namespace, "r0");
    expect(rolledBack.status?.upgrade).toMatchObject({ phase: "RolledBack", from: older, to: newer, rollback: true });
    expect(rolledBack.status?.version).toBe(older);
    // The second wave never started.
    const r1 = await readCluster(namespace, "r1");
    expect(r1.spec.version).toBe(older);
    expect(r1.status?.upgrade).toBeUndefined();
    const events = api().kubeConfig().makeApiClient(EventsV1Api);
    const reasons = (await events.listNamespacedEvent({ namespace: "default", fieldSelector: "regarding.name=back" })).items.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["ClusterFailed", "ClusterRollingBack", "ClusterRolledBack", "Halted"]));
  }, 420_000);

  it("starts nothing while paused, and goes on when resumed", async () => {
    // The clusters the halted plan never reached, by a plan of their own.
    await createPlan("late", { version: "1.37", clusterSelector: { matchLabels: { group: "late" } }, projects: ["halt"], canary: 0, batchSize: "100%", soak: "1s", maxFailures: 1, paused: true });
    const paused = await eventually(() => readPlan("late"), (p) => p.status?.phase === "Paused", { timeoutMs: 30_000, description: "plan late Paused" });
    expect(paused.status?.clusters?.map((e) => [e.name, e.state])).toEqual([["h3", "Pending"], ["h4", "Pending"], ["h5", "Pending"]]);
    expect(paused.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "Paused" });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const name of ["h3", "h4", "h5"]) expect((await readCluster("project-halt", name)).spec.version, name).toBe(older);

    await objects.patchClusterCustomObject({ ...group, plural: "upgradeplans", name: "late", body: { spec: { paused: false } } }, mergePatch);
    const completed = await eventually(() => readPlan("late"), (p) => p.status?.phase === "Completed" || p.status?.phase === "Halted", { timeoutMs: 120_000, intervalMs: 1000, description: "plan late finished" });
    expect(completed.status?.phase).toBe("Completed");
    for (const name of ["h3", "h4", "h5"]) expect((await readCluster("project-halt", name)).status?.version, name).toBe(newer);
  }, 180_000);
});
