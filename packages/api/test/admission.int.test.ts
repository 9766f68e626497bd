import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { CoreV1Api, KubernetesObjectApi } from "@kubernetes/client-node";
import { binaryPath } from "@seedbed/binaries";
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
    expect(cluster.spec.network).toEqual({ podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "calico" });

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
    expect([...kinds].sort()).toEqual(["Cluster", "ClusterPolicy", "ClusterTemplate", "EtcdBackup", "EtcdRestore", "NodePool", "Project", "Seed"]);
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
    expect(pools.stdout.split("\n")[0]).toMatch(/^NAME\s+CLUSTER\s+PROVIDER\s+DESIRED\s+READY\s+MIN\s+MAX\s+VERSION\s+PHASE\s+AGE$/);
  });
});
