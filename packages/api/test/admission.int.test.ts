import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { binaryPath } from "@seedbed/binaries";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { apiVersion, installCRDs, type Cluster, type NodePool, type Project } from "../src/index.ts";
import { createCases, namespace, updateCases, type Manifest } from "./admission-cases.ts";
import { create, merged, rejection } from "./admission-helpers.ts";

const examplesDir = new URL("../../../examples/", import.meta.url).pathname;

describe("admission of seedbed.dev objects by a real kube-apiserver", () => {
  const api = useKubeAPI();
  let client: KubernetesObjectApi;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    client = KubernetesObjectApi.makeApiClient(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "project-demo" } } });
  });

  it(`has at least 40 bad objects to try (${createCases.length + updateCases.length})`, () => {
    expect(createCases.length + updateCases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(createCases)("refuses $title, naming $field", async ({ object, field, message }) => {
    const causes = await rejection(client.create(object));
    expect(causes, "the object was accepted").toBeDefined();
    const matching = causes?.filter((c) => c.field === field && message.test(c.message)) ?? [];
    expect(matching, `no error on ${field} matching ${String(message)}; got ${JSON.stringify(causes)}`).not.toHaveLength(0);
    // Nothing half-made: the object does not exist.
    const name = object.metadata?.name ?? "";
    await expect(client.read({ apiVersion, kind: object.kind ?? "", metadata: { name, namespace: object.metadata?.namespace } })).rejects.toThrow(/404|not found/i);
  });

  it.each(updateCases.map((testCase, index) => ({ ...testCase, index })))("refuses $title, naming $field", async ({ base, patch, field, message, index }) => {
    const original: Manifest = merged(base, { metadata: { name: `${base.metadata?.name ?? "u"}-${index}` } });
    const stored = await create(client, original);
    const causes = await rejection(client.replace(merged(stored, patch)));
    expect(causes, "the change was accepted").toBeDefined();
    const matching = causes?.filter((c) => c.field === field && message.test(c.message)) ?? [];
    expect(matching, `no error on ${field} matching ${String(message)}; got ${JSON.stringify(causes)}`).not.toHaveLength(0);
    // The stored object is unchanged.
    const after = await client.read({ ...stored, metadata: { name: stored.metadata?.name ?? "", namespace: stored.metadata?.namespace } });
    expect((after as Manifest).spec).toEqual(stored.spec);
  });

  it("accepts minimal objects and fills in the defaults", async () => {
    const cluster = await create<Cluster>(client, { apiVersion, kind: "Cluster", metadata: { name: "minimal", namespace }, spec: { network: {} } } as unknown as Cluster);
    expect(cluster.spec.paused).toBe(false);
    expect(cluster.spec.network).toEqual({ podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "none" });

    const pool = await create<NodePool>(client, { apiVersion, kind: "NodePool", metadata: { name: "minimal", namespace }, spec: { clusterName: "minimal" } } as unknown as NodePool);
    expect(pool.spec.replicas).toBe(1);
    expect(pool.spec.provider).toEqual({ type: "kwok" });
    expect(pool.spec.machineTemplate).toEqual({ cpu: "2", memory: "4Gi", pods: 110 });
    expect(pool.spec.autoHealing).toEqual({ enabled: true, notReadyTimeout: "5m" });
    expect(pool.spec.drainTimeout).toBe("5m");

    const project = await create<Project>(client, { apiVersion, kind: "Project", metadata: { name: "minimal" }, spec: {} } as unknown as Project);
    expect(project.spec.members).toEqual([]);
  });

  it("accepts an upgrade by one minor, or a patch, in place", async () => {
    const stored = await create<Cluster>(client, { apiVersion, kind: "Cluster", metadata: { name: "upgrades", namespace }, spec: { version: "1.37" } } as unknown as Cluster);
    const patched = await client.replace(merged(stored, { spec: { version: "1.37.1" } }));
    expect(patched.spec.version).toBe("1.37.1");
  });

  it("accepts changes that keep the seed, template and datastore as they are", async () => {
    const stored = await create<Cluster>(client, { apiVersion, kind: "Cluster", metadata: { name: "keeps", namespace }, spec: { seed: "local", template: "small" } } as unknown as Cluster);
    // The datastore written out with its defaults is no change of members or storage.
    const patched = await client.replace(merged(stored, { spec: { paused: true, controlPlane: { replicas: 1, datastore: { type: "Dedicated", members: 1, storage: "1Gi" } } } }));
    expect(patched.spec.paused).toBe(true);
    expect(patched.spec.controlPlane?.datastore?.members).toBe(1);
  });

  it("accepts a change of the etcd member count (a resize one member at a time), and refuses an even one", async () => {
    const stored = await create<Cluster>(client, { apiVersion, kind: "Cluster", metadata: { name: "resizes", namespace }, spec: { controlPlane: { datastore: { members: 1 } } } } as unknown as Cluster);
    const grown = await client.replace(merged(stored, { spec: { controlPlane: { datastore: { members: 3 } } } }));
    expect(grown.spec.controlPlane?.datastore?.members).toBe(3);
    await expect(client.replace(merged(grown, { spec: { controlPlane: { datastore: { members: 4 } } } }))).rejects.toThrow(/must be 1, 3 or 5/);
  });

  it("accepts a change of a Shared datastore's limit (its storage), and a move between Dedicated and Shared with one member", async () => {
    const stored = await create<Cluster>(client, { apiVersion, kind: "Cluster", metadata: { name: "shares", namespace }, spec: { controlPlane: { datastore: { type: "Shared", storage: "256Mi" } } } } as unknown as Cluster);
    const raised = await client.replace(merged(stored, { spec: { controlPlane: { datastore: { storage: "1Gi" } } } }));
    expect(raised.spec.controlPlane?.datastore?.storage).toBe("1Gi");
    const moved = await client.replace(merged(raised, { spec: { controlPlane: { datastore: { type: "Dedicated" } } } }));
    expect(moved.spec.controlPlane?.datastore?.type).toBe("Dedicated");
    await expect(client.replace(merged(moved, { spec: { controlPlane: { datastore: { type: "Shared", members: 3 } } } }))).rejects.toThrow(/members applies only to a Dedicated datastore/);
  });

  it("applies every example manifest, one of each kind", async () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".yaml"));
    const kinds = new Set<string>();
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(`${examplesDir}${file}`, "utf8"))) {
        const object = doc.toJS() as Manifest;
        const stored = await client.create(object);
        kinds.add(stored.kind ?? "");
      }
    }
    expect([...kinds].sort()).toEqual(["Cluster", "ClusterPolicy", "ClusterTemplate", "EtcdBackup", "EtcdRestore", "NodePool", "Project", "Seed", "UpgradePlan"]);
  });

  it("keeps Projects named before the name rules working after Seedbed is upgraded, and refuses such names for new ones", async () => {
    const kc = api().kubeConfig();
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    // The Project CRD as an earlier Seedbed installed it: without the rules on new names.
    const crd = await extensions.readCustomResourceDefinition({ name: "projects.seedbed.dev" });
    const root = crd.spec.versions[0]?.schema?.openAPIV3Schema;
    if (root === undefined) throw new Error("the Project CRD has no schema");
    root.x_kubernetes_validations = root.x_kubernetes_validations?.filter((r) => !r.rule.includes("oldSelf.hasValue()"));
    await extensions.replaceCustomResourceDefinition({ name: "projects.seedbed.dev", body: crd });
    const old = await eventually(() => client.create({ apiVersion, kind: "Project", metadata: { name: "old--team-of-24-chars-xy" }, spec: {} } as unknown as Project), () => true, { timeoutMs: 10_000, description: "the old CRD served" });
    expect(old.metadata.name).toHaveLength(24);

    await installCRDs(kc);
    // Updates of the existing Project pass; a new one named like it is refused.
    const updated = await eventually(() => client.replace(merged(old, { spec: { displayName: "Old team" } })), () => true, { timeoutMs: 10_000, description: "the upgraded CRD served" });
    expect(updated.spec.displayName).toBe("Old team");
    const causes = await eventually(() => rejection(client.create({ apiVersion, kind: "Project", metadata: { name: "new--team" }, spec: {} })), (c) => c !== undefined, { timeoutMs: 10_000, description: "new names refused" });
    expect(causes?.map((c) => c.message).join("\n")).toMatch(/may not contain '--'/);
  });

  it("records a cluster's identity once: status.clusterID cannot be changed or dropped", async () => {
    const kc = api().kubeConfig();
    const objects = kc.makeApiClient(CustomObjectsApi);
    await create(client, { apiVersion, kind: "Cluster", metadata: { name: "identity", namespace }, spec: {} });
    const target = { group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters", name: "identity" };
    const apply = (status: unknown, fieldManager: string): Promise<unknown> =>
      objects.patchNamespacedCustomObjectStatus({ ...target, body: { apiVersion, kind: "Cluster", metadata: { name: "identity", namespace }, status }, fieldManager, force: true }, setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply));
    await apply({ clusterID: "admission--identity" }, "seedbed-identity");
    // Another manager's status without the field leaves it where it is.
    await apply({ phase: "Provisioning" }, "seedbed");
    const stored = (await objects.getNamespacedCustomObject(target)) as Cluster;
    expect(stored.status?.clusterID).toBe("admission--identity");
    const changed = await rejection(apply({ clusterID: "admission-identity" }, "seedbed-identity"));
    expect(changed?.map((c) => c.message).join("\n")).toMatch(/status.clusterID cannot change or be removed once recorded/);
    const dropped = await rejection(objects.patchNamespacedCustomObjectStatus({ ...target, body: [{ op: "remove", path: "/status/clusterID" }] }, setHeaderOptions("Content-Type", PatchStrategy.JsonPatch)));
    expect(dropped?.map((c) => c.message).join("\n")).toMatch(/status.clusterID cannot change or be removed once recorded/);
  });

  it("tells kubectl users what is wrong, and kubectl get shows the columns", () => {
    const kubectl = (args: string[], input?: string): SpawnSyncReturns<string> =>
      spawnSync(binaryPath("kubectl"), ["--kubeconfig", api().kubeconfigPath, ...args], { encoding: "utf8", input });
    const bad = kubectl(["apply", "-f", "-"], `apiVersion: ${apiVersion}\nkind: NodePool\nmetadata: { name: bad, namespace: ${namespace} }\nspec: { clusterName: web, replicas: -3 }\n`);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/spec.replicas: Invalid value: -3: spec.replicas in body should be greater than or equal to 0/);
    const table = kubectl(["get", "sbc", "-n", "project-demo"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+VERSION\s+PHASE\s+READY\s+ENDPOINT\s+NODES\s+AGE$/);
    expect(table.stdout).toMatch(/\nweb\s+1\.37\.1\s/);
    const pools = kubectl(["get", "np", "-n", "project-demo", "-o", "wide"]);
    expect(pools.stdout.split("\n")[0]).toMatch(/^NAME\s+CLUSTER\s+PROVIDER\s+DESIRED\s+READY\s+MIN\s+MAX\s+VERSION\s+UPDATED\s+PHASE\s+AGE$/);
  });
});
