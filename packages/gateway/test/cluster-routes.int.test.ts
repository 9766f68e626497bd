import { CoreV1Api } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster } from "@seedbed/api";
import { collectionPath, ObjectClient, objectPath } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterKindRef, startSNIProxy, watchClusterRoutes, type ClusterRouteWatch, type SNIProxy } from "../src/index.ts";
import { createTestPKI, exchange, rejection, startBackend, type Backend, type TestPKI } from "./tls-fixtures.ts";

const domain = "example.test";
const mergePatch = "application/merge-patch+json";

describe("routes from Cluster objects of a real kube-apiserver", () => {
  const api = useKubeAPI();
  let client: ObjectClient;
  let pki: TestPKI;
  let backend: Backend;
  let watch: ClusterRouteWatch;
  let proxy: SNIProxy;

  const path = (namespace: string, name: string, subresource?: string): string =>
    objectPath(clusterKindRef, namespace, name) + (subresource === undefined ? "" : `/${subresource}`);
  const createCluster = (namespace: string, name: string, finalizers: string[] = []): Promise<Cluster> =>
    client.request<Cluster>("POST", collectionPath(clusterKindRef, namespace), {
      body: { apiVersion, kind: "Cluster", metadata: { namespace, name, finalizers }, spec: { exposure: { strategy: "SharedSNI" } } },
    });
  // Written through the status subresource, as the operator does; the main resource ignores status.
  const setEndpoint = (namespace: string, name: string, endpoint: string): Promise<Cluster> =>
    client.request<Cluster>("PATCH", path(namespace, name, "status"), { body: { status: { phase: "Running", endpoint } }, contentType: mergePatch });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    client = ObjectClient.fromKubeConfig(kc);
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ["project-p1", "team-x"]) await core.createNamespace({ body: { metadata: { name } } });
    pki = await createTestPKI();
    backend = await startBackend(pki, "A", ["a.p1.example.test"]);
    watch = watchClusterRoutes({ kubeConfig: kc, domain });
    expect(await watch.waitForSync()).toBe(true);
    proxy = await startSNIProxy({ port: 0, resolve: (name) => watch.routes.resolve(name) });
  });

  afterAll(async () => {
    await proxy.stop();
    await watch.stop();
    await backend.close();
  });

  it("routes a cluster once its status has an endpoint, and stops routing it when it is deleted", async () => {
    await createCluster("project-p1", "a", ["test.seedbed.dev/hold"]);
    // No endpoint yet: the name is unknown to the gateway.
    expect(await rejection({ port: proxy.port, servername: "a.p1.example.test", pki })).toBe("ERR_SSL_TLSV1_UNRECOGNIZED_NAME");

    await setEndpoint("project-p1", "a", `https://127.0.0.1:${backend.port}`);
    await eventually(() => Promise.resolve(watch.routes.resolve("a.p1.example.test")), (route) => route !== undefined, { timeoutMs: 10_000, description: "a.p1 routed" });
    expect(watch.routes.resolve("a.p1.example.test")).toEqual({ host: "127.0.0.1", port: backend.port });
    expect(await exchange({ port: proxy.port, servername: "a.p1.example.test", pki })).toBe("A admin 4");

    // Deleting: the finalizer holds the object, but a cluster on its way out is no longer routed.
    await client.request("DELETE", path("project-p1", "a"));
    await eventually(() => Promise.resolve(watch.routes.resolve("a.p1.example.test")), (route) => route === undefined, { timeoutMs: 10_000, description: "a.p1 unrouted while deleting" });
    expect((await client.request<Cluster>("GET", path("project-p1", "a"))).metadata.deletionTimestamp).toBeDefined();
    expect(await rejection({ port: proxy.port, servername: "a.p1.example.test", pki })).toBe("ERR_SSL_TLSV1_UNRECOGNIZED_NAME");

    // Gone for good: still unrouted, and a new cluster of the same name starts unrouted again.
    await client.request("PATCH", path("project-p1", "a"), { body: { metadata: { finalizers: null } }, contentType: mergePatch });
    await eventually(async () => (await client.request<{ items: Cluster[] }>("GET", collectionPath(clusterKindRef, "project-p1"))).items.length, (n) => n === 0, { timeoutMs: 10_000, description: "a.p1 gone" });
    expect(watch.routes.names()).toEqual([]);
  });

  it("follows a changed endpoint and drops the route when the endpoint is cleared", async () => {
    await createCluster("project-p1", "b");
    await setEndpoint("project-p1", "b", "https://127.0.0.1:7001");
    await eventually(() => Promise.resolve(watch.routes.resolve("b.p1.example.test")?.port), (port) => port === 7001, { timeoutMs: 10_000 });
    await setEndpoint("project-p1", "b", "https://[::1]:7002");
    await eventually(() => Promise.resolve(watch.routes.resolve("b.p1.example.test")), (route) => route?.port === 7002 && route.host === "::1", { timeoutMs: 10_000 });
    await client.request("PATCH", path("project-p1", "b", "status"), { body: { status: { endpoint: null } }, contentType: mergePatch });
    await eventually(() => Promise.resolve(watch.routes.resolve("b.p1.example.test")), (route) => route === undefined, { timeoutMs: 10_000 });
    await client.request("DELETE", path("project-p1", "b"));
  });

  it("routes clusters that existed before the watch as soon as it has synced", async () => {
    await createCluster("project-p1", "early");
    await setEndpoint("project-p1", "early", "https://127.0.0.1:7004");
    const late = watchClusterRoutes({ kubeConfig: api().kubeConfig(), domain });
    try {
      expect(await late.waitForSync()).toBe(true);
      expect(late.routes.resolve("early.p1.example.test")).toEqual({ host: "127.0.0.1", port: 7004 });
    } finally {
      await late.stop();
      await client.request("DELETE", path("project-p1", "early"));
    }
  });

  it("does not route a cluster outside a project namespace", async () => {
    await createCluster("team-x", "a");
    await setEndpoint("team-x", "a", `https://127.0.0.1:${backend.port}`);
    // A cluster made after it, in a project, proves the watch has seen both.
    await createCluster("project-p1", "c");
    await setEndpoint("project-p1", "c", "https://127.0.0.1:7003");
    await eventually(() => Promise.resolve(watch.routes.names()), (names) => names.includes("c.p1.example.test"), { timeoutMs: 10_000 });
    expect(watch.routes.names()).toEqual(["c.p1.example.test"]);
    expect(await rejection({ port: proxy.port, servername: "a.team-x.example.test", pki })).toBe("ERR_SSL_TLSV1_UNRECOGNIZED_NAME");
    expect(await rejection({ port: proxy.port, servername: "a.x.example.test", pki })).toBe("ERR_SSL_TLSV1_UNRECOGNIZED_NAME");
  });
});
