import { createServer, type Server, type Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantConnections } from "./connections.ts";
import { DeadlineClient, TenantUnreachableError } from "./deadline.ts";

/** A TCP server that accepts connections and never says a word: a hung API server, or a black-holed route. */
async function blackHole(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port, sockets };
}

function kubeconfigFor(port: number): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "admin", token: "not-a-real-token" }],
    contexts: [{ name: "c", cluster: "c", user: "admin" }],
    currentContext: "c",
  });
  return kc.exportConfig();
}

describe("waits on a tenant whose API never answers", () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(async () => {
    for (const socket of hole.sockets) socket.destroy();
    await new Promise((resolve) => hole.server.close(resolve));
  });

  it("end a request at its deadline with an error naming the tenant and the request, never the token", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(hole.port));
    const client = DeadlineClient.forTenant(kc, "cluster project-a/c", 300);
    const started = Date.now();
    const error: unknown = await client.request("GET", "/api/v1/nodes?limit=1").catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(TenantUnreachableError);
    expect((error as Error).message).toBe("the API of cluster project-a/c did not answer GET /api/v1/nodes within 0.3 s; retried with backoff");
    expect((error as Error).message).not.toContain("not-a-real-token");
  });

  it("bound the first sync of its caches, and fail at once after that", async () => {
    const encoded = Buffer.from(kubeconfigFor(hole.port)).toString("base64");
    const cluster = { apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "c", namespace: "project-a" }, spec: {} } as unknown as Cluster;
    const connections = new TenantConnections({
      secret: (namespace, name) => (namespace === "project-a" && name === clusterObjectNames.adminKubeconfigSecret("c") ? { data: { [kubeconfigSecretKey]: encoded } } : undefined),
      onChange: () => undefined,
      timeoutMs: 400,
    });
    try {
      const tenant = await connections.get(cluster);
      expect(tenant).toBeDefined();
      let started = Date.now();
      await expect(tenant?.synced()).rejects.toThrow(new RegExp(`^the API of cluster project-a/c at https://127\\.0\\.0\\.1:${hole.port} has not listed its Nodes and Pods within 0\\.4 s of connecting`));
      expect(Date.now() - started).toBeLessThan(3000);
      // The connection is past its deadline: a later pass does not wait again.
      started = Date.now();
      await expect((await connections.get(cluster))?.synced()).rejects.toBeInstanceOf(TenantUnreachableError);
      expect(Date.now() - started).toBeLessThan(200);
    } finally {
      await connections.stopAll();
    }
  });
});
