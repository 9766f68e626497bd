// A NodePool goes with its Cluster whatever happens to the operator: the
// CLI makes the Cluster its owner when it creates it, the operator does so
// for pools made otherwise, and the management cluster's garbage collector
// deletes the pools of a Cluster that went without the operator seeing it.
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, clusterOwnerReference, installCRDs, type Cluster, type NodePool } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, type LocalOperator } from "./local-platform.ts";

const group = { group: "seedbed.dev", version: "v1alpha1" };

describe("node pools owned by their Cluster", () => {
  const api = useKubeAPI({ controllers: true });
  let objects: CustomObjectsApi;
  let platform: LocalOperator | undefined;

  const createCluster = async (namespace: string, name: string): Promise<Cluster> =>
    (await objects.createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: {} } })) as Cluster;
  const createPool = (namespace: string, name: string, cluster: string, owner?: Cluster): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...group, namespace, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name, namespace, ...(owner ? { ownerReferences: [clusterOwnerReference(owner)] } : {}) }, spec: { clusterName: cluster, replicas: 1 } } });
  const readPool = (namespace: string, name: string): Promise<NodePool | undefined> =>
    (objects.getNamespacedCustomObject({ ...group, namespace, plural: "nodepools", name }) as Promise<NodePool>).catch((error: unknown) => {
      if (String(error).includes("404")) return undefined;
      throw error;
    });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "project-early" } } });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it("deletes the pool of a Cluster deleted before any operator saw it", async () => {
    const cluster = await createCluster("project-early", "gone");
    await createPool("project-early", "gone-workers", "gone", cluster);
    await objects.deleteNamespacedCustomObject({ ...group, namespace: "project-early", plural: "clusters", name: "gone" });
    await eventually(() => readPool("project-early", "gone-workers"), (pool) => pool === undefined, { timeoutMs: 60_000, description: "the pool collected with its Cluster" });
  });

  it("makes a Cluster the owner of a pool created without one", async () => {
    await createCluster("project-early", "kept");
    await createPool("project-early", "kept-workers", "kept");
    platform = await startLocalOperator(api().kubeConfig(), "project-owner");
    const cluster = (await objects.getNamespacedCustomObject({ ...group, namespace: "project-early", plural: "clusters", name: "kept" })) as Cluster;
    const pool = await eventually(() => readPool("project-early", "kept-workers"), (p) => (p?.metadata.ownerReferences ?? []).length > 0, { timeoutMs: 60_000, description: "the pool adopted" });
    expect(pool?.metadata.ownerReferences).toEqual([{ apiVersion, kind: "Cluster", name: "kept", uid: cluster.metadata.uid, controller: false, blockOwnerDeletion: false }]);
  });
});
