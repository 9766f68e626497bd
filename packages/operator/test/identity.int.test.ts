import { existsSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

/** Pairs of (project, cluster) whose names the old `<project>-<cluster>` identity merged. */
const colliding = [
  [{ project: "team", name: "a-prod" }, { project: "team-a", name: "prod" }],
  [{ project: "x", name: "y-z" }, { project: "x-y", name: "z" }],
] as const;
const all = colliding.flat();

describe("one cluster, one identity", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;

  const target = (project: string, name: string): { group: string; version: string; namespace: string; plural: string; name: string } => ({ group: "seedbed.dev", version: "v1alpha1", namespace: `project-${project}`, plural: "clusters", name });
  const read = async (project: string, name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject(target(project, name))) as Cluster;
  const running = (project: string, name: string): Promise<Cluster> => eventually(() => read(project, name), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: `${project}/${name} Running` });
  const create = (project: string, name: string, spec: object = {}): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...target(project, name), body: { apiVersion, kind: "Cluster", metadata: { name, namespace: `project-${project}` }, spec } });
  /** What a cluster's own API says about whose it is. */
  const owner = async (project: string, name: string): Promise<string | undefined> => {
    const tenant = (await tenantKubeConfig(core, `project-${project}`, name)).makeApiClient(CoreV1Api);
    return (await tenant.readNamespacedConfigMap({ namespace: "default", name: "owner" })).data?.["cluster"];
  };
  const markerOf = (id: string): string => `seedbed:${join(platform.stateDir, "clusters", id)}`;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, "project-legacy");
    for (const { project } of all) await core.createNamespace({ body: { metadata: { name: `project-${project}` } } });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("gives team/a-prod and team-a/prod, x/y-z and x-y/z four control planes with their own data; deleting one leaves its twin serving", async () => {
    for (const { project, name } of all) await create(project, name);
    const clusters = await Promise.all(all.map(({ project, name }) => running(project, name)));
    expect(clusters.map((c) => c.status?.clusterID)).toEqual(["team--a-prod", "team-a--prod", "x--y-z", "x-y--z"]);
    expect(new Set(clusters.map((c) => c.status?.endpoint)).size).toBe(4);
    for (const c of clusters) expect(existsSync(join(platform.stateDir, "clusters", c.status?.clusterID ?? "?", "etcd"))).toBe(true);

    for (const { project, name } of all) {
      const tenant = (await tenantKubeConfig(core, `project-${project}`, name)).makeApiClient(CoreV1Api);
      await tenant.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "owner" }, data: { cluster: `${project}/${name}` } } });
    }
    for (const { project, name } of all) expect(await owner(project, name)).toBe(`${project}/${name}`);

    // One of each pair goes; its twin keeps serving its own data.
    for (const [gone] of colliding) await objects.deleteNamespacedCustomObject(target(gone.project, gone.name));
    for (const [gone] of colliding) {
      await eventually(() => read(gone.project, gone.name).then(() => false, () => true), (deleted) => deleted, { timeoutMs: 60_000, description: `${gone.project}/${gone.name} deleted` });
    }
    for (const [, kept] of colliding) {
      expect(await owner(kept.project, kept.name)).toBe(`${kept.project}/${kept.name}`);
      expect((await read(kept.project, kept.name)).status?.phase).toBe("Running");
    }
    expect(findProcessesByMarker(markerOf("team--a-prod"), { prefix: true })).toEqual([]);
    expect(findProcessesByMarker(markerOf("x--y-z"), { prefix: true })).toEqual([]);
    expect(findProcessesByMarker(markerOf("team-a--prod"), { prefix: true })).toHaveLength(4);
    expect(findProcessesByMarker(markerOf("x-y--z"), { prefix: true })).toHaveLength(4);
    expect(existsSync(join(platform.stateDir, "clusters", "team--a-prod"))).toBe(false);
    expect(existsSync(join(platform.stateDir, "clusters", "team-a--prod", "etcd"))).toBe(true);
  });

  it("keeps a cluster an earlier Seedbed reconciled under its old identity, and never changes a recorded one", async () => {
    // Paused, the operator leaves it alone while it gets the status an earlier Seedbed would have written.
    await create("legacy", "old", { paused: true });
    await objects.patchNamespacedCustomObjectStatus(
      { ...target("legacy", "old"), body: { apiVersion, kind: "Cluster", metadata: { name: "old", namespace: "project-legacy" }, status: { phase: "Provisioning", observedGeneration: 1 } }, fieldManager: "seedbed", force: true },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    await objects.patchNamespacedCustomObject({ ...target("legacy", "old"), body: { spec: { paused: false } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const cluster = await running("legacy", "old");
    expect(cluster.status?.clusterID).toBe("legacy-old");
    expect(existsSync(join(platform.stateDir, "clusters", "legacy-old", "etcd"))).toBe(true);
  });
});
