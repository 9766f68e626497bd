import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type NodePool } from "@seedbed/api";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;

/**
 * `seedbed nodepool create` against a real management API with the CRDs:
 * what the command line sends must pass the API server's validation and
 * come back as the pool asked for. No operator runs, so no machine starts.
 */
describe("seedbed nodepool create: the provider of a pool", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const seedbed = (...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const readPool = async (name: string): Promise<NodePool> => (await api().kubeConfig().makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace, plural: "nodepools", name })) as NodePool;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "c", namespace }, spec: {} } });
  });

  it("makes a pool of local machines with --provider local, owned by its cluster", async () => {
    const created = await seedbed("nodepool", "create", "workers", "--cluster", "c", "--provider", "local", "--replicas", "2");
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    expect(created.stdout).toBe("Node pool workers of cluster c created with 2 local machines.\n");
    const pool = await readPool("workers");
    expect(pool.spec.provider.type).toBe("local");
    expect(pool.spec.replicas).toBe(2);
    expect(pool.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual(["Cluster/c"]);
    const list = await seedbed("nodepool", "list", "--cluster", "c");
    expect(list.stdout).toMatch(/^workers\s+c\s+local\s+2\s+0\s/m);
  });

  it("keeps kwok, the API server's default, without --provider", async () => {
    expect((await seedbed("nodepool", "create", "sim", "--cluster", "c")).status).toBe(0);
    expect((await readPool("sim")).spec.provider.type).toBe("kwok");
  });

  it("refuses an unknown provider as a usage error naming the choices, and creates nothing", async () => {
    const refused = await seedbed("nodepool", "create", "odd", "--cluster", "c", "--provider", "gce");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--provider must be one of kwok, local (openstack and aws pools are applied as manifests), got "gce"');
    await expect(readPool("odd")).rejects.toThrow(/404|not found/i);
  });
});
