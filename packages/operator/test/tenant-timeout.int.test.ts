// A tenant whose API accepts connections and never answers cannot hold the
// node-pool controller: with one worker, the pool of another cluster still
// reconciles, and the stuck pool says why within the bound.
import { createServer, type Server, type Socket } from "node:net";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, kubeconfigSecretKey, type NodePool } from "@seedbed/api";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, type LocalOperator } from "./local-platform.ts";

const namespace = "project-hang";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const tenantTimeoutMs = 3000;

describe("a tenant whose API never answers", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let hole: Server;
  const sockets = new Set<Socket>();

  const readPool = async (name: string): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name })) as NodePool;
  const ready = (p: NodePool): { reason?: string; message?: string } | undefined => p.status?.conditions?.find((c) => c.type === "Ready");

  beforeAll(async () => {
    // Accepts every connection and never says a word.
    hole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    // One worker per controller: a pass that hung would stop every other pool.
    platform = await startLocalOperator(kc, namespace, { workers: 1, tenantTimeoutMs });
    for (const name of ["slow", "fast"]) {
      await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: {} } });
      await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: `${name}-pool`, namespace }, spec: { clusterName: name, replicas: 1 } } });
    }
  });
  afterAll(async () => {
    await platform.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hole.close(resolve));
  });

  it("reports TenantUnreachable within its bound while another cluster's pool still reconciles", async () => {
    for (const name of ["slow-pool", "fast-pool"]) await eventually(() => readPool(name), (p) => p.status?.readyReplicas === 1, { timeoutMs: 120_000, description: `${name} ready` });
    // Paused, the cluster keeps the admin kubeconfig it is given: point it at the black hole.
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "slow", body: { spec: { paused: true } } }, mergePatch);
    const secretName = clusterObjectNames.adminKubeconfigSecret("slow");
    const secret = await core.readNamespacedSecret({ namespace, name: secretName });
    const kubeconfig = Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString("utf8");
    const address = hole.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const blackHoled = kubeconfig.replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${address.port}`);
    expect(blackHoled).not.toBe(kubeconfig);
    await core.patchNamespacedSecret({ namespace, name: secretName, body: { data: { [kubeconfigSecretKey]: Buffer.from(blackHoled).toString("base64") } } }, mergePatch);

    // Scale the stuck pool (its pass meets the hole), then the other one.
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "slow-pool", body: { spec: { replicas: 2 } } }, mergePatch);
    const asked = Date.now();
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "fast-pool", body: { spec: { replicas: 2 } } }, mergePatch);
    const stuck = await eventually(() => readPool("slow-pool"), (p) => ready(p)?.reason === "TenantUnreachable", { timeoutMs: tenantTimeoutMs + 10_000, intervalMs: 100, description: "TenantUnreachable" });
    expect(Date.now() - asked).toBeLessThan(tenantTimeoutMs + 10_000);
    expect(ready(stuck)?.message).toMatch(new RegExp(`^the API of cluster ${namespace}/slow at https://127\\.0\\.0\\.1:${address.port} has not listed its Nodes and Pods within 3 s of connecting; retried with backoff$`));
    expect(sockets.size).toBeGreaterThan(0); // the operator did reach the hole

    // The single worker is free: the other cluster's pool gets its second machine.
    await eventually(() => readPool("fast-pool"), (p) => p.status?.readyReplicas === 2, { timeoutMs: 30_000, description: "fast-pool scaled to 2" });
    // And the stuck pool keeps reporting, retried with backoff, never hanging.
    const later = await readPool("slow-pool");
    expect(ready(later)?.reason).toBe("TenantUnreachable");
    expect(later.status?.readyReplicas).toBe(1);
  });
});
