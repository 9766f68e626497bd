import { CoreV1Api } from "@kubernetes/client-node";
import { ObjectClient, silentLogger } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, RunningServer } from "../src/index.ts";
import { adminGet, bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import type { Cluster } from "@seedbed/api";
import { client, openStream, type Call, type CallOptions } from "./http.ts";

describe("watches, events and kubeconfigs, with the caller's own rights", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });

  /** Open watch requests on clusters, as the apiserver counts them. */
  const clusterWatches = async (): Promise<number> => {
    const text = await adminGet(api(), "/metrics");
    // Namespaced watches only: kube-apiserver watches every Cluster itself, cluster-wide (the params of the version-skew admission policy).
    const line = text.split("\n").find((l) => l.startsWith("apiserver_longrunning_requests{") && l.includes('resource="clusters"') && l.includes('scope="namespace"') && l.includes('verb="WATCH"'));
    return line === undefined ? 0 : Number(line.split(" ").pop());
  };

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), {
      kubeconfigFor: (cluster, caller: Caller) => `# ${cluster.metadata.name ?? ""} for ${caller.username} (${caller.groups.join(",")})\n`,
      heartbeatMs: 300,
      logger: silentLogger(),
    });
    call = client(server.url);
    await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name: "one" }, spec: {} }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("streams ADDED then MODIFIED for a cluster the caller creates and patches, with heartbeats", async () => {
    const stream = await openStream(server.url, "/projects/a/watch", tokens.alice);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await stream.next((e) => e.event === "ADDED" && e.data.name === "one"); // what existed before
    await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name: "streamed" }, spec: {} }));
    const added = await stream.next((e) => e.event === "ADDED" && e.data.name === "streamed");
    expect(added.data).toMatchObject({ kind: "Cluster", name: "streamed", conditions: [], deleting: false });
    expect(added.data.object.metadata.managedFields).toBeUndefined();
    await call("PATCH", "/projects/a/clusters/streamed", as(tokens.alice, { spec: { controlPlane: { replicas: 3 } } }));
    const modified = await stream.next((e) => e.event === "MODIFIED" && e.data.name === "streamed");
    expect((modified.data.object as Cluster).spec.controlPlane?.replicas).toBe(3);
    await call("POST", "/projects/a/nodepools", as(tokens.alice, { metadata: { name: "pool" }, spec: { clusterName: "streamed", replicas: 1 } }));
    expect((await stream.next((e) => e.data.kind === "NodePool")).data).toMatchObject({ name: "pool", clusterName: "streamed", replicas: 1 });
    await call("DELETE", "/projects/a/clusters/streamed", as(tokens.alice));
    await stream.next((e) => e.event === "DELETED" && e.data.name === "streamed");
    await eventually(() => Promise.resolve(stream.comments()), (c) => c.includes("heartbeat"), { timeoutMs: 5000 });
    expect(await clusterWatches()).toBeGreaterThan(0);
    stream.close();
    await eventually(clusterWatches, (n) => n === 0, { timeoutMs: 15_000, description: "the upstream watch closed after the client left" });
  });

  it("answers a non-member's watch with 403 before any stream starts", async () => {
    const stream = await openStream(server.url, "/projects/b/watch", tokens.alice);
    expect(stream.status).toBe(403);
    expect(stream.contentType).toMatch(/^application\/json/);
    expect(stream.error).toMatchObject({ status: 403, reason: "Forbidden" });
    expect((await openStream(server.url, "/projects/a/watch", "not-a-token")).status).toBe(401);
  });

  it("ends the stream of a member who loses access, with an ERROR event", async () => {
    const stream = await openStream(server.url, "/projects/a/watch", tokens.carol); // an editor through group team-c
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === "ADDED" && e.data.name === "one");
    const admin = ObjectClient.fromKubeConfig(api().kubeConfig());
    await admin.request("PATCH", "/apis/rbac.authorization.k8s.io/v1/namespaces/project-a/rolebindings/seedbed-editors", { body: { subjects: null }, contentType: "application/merge-patch+json" });
    const error = await stream.next((e) => e.event === "ERROR", 10_000);
    expect(error.data).toMatchObject({ error: { status: 403, reason: "Forbidden" } });
    await eventually(() => Promise.resolve(stream.ended()), (ended) => ended, { timeoutMs: 5000, description: "the stream ended" });
  });

  it("lists the events about a cluster and its pools, and 404 for a cluster that does not exist", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const event = (name: string, kind: string, object: string, reason: string): Promise<unknown> =>
      core.createNamespacedEvent({
        namespace: "project-a",
        body: { metadata: { name }, involvedObject: { apiVersion: "seedbed.dev/v1alpha1", kind, name: object, namespace: "project-a" }, reason, message: reason, type: "Normal", lastTimestamp: new Date() },
      });
    await call("POST", "/projects/a/nodepools", as(tokens.alice, { metadata: { name: "one-workers" }, spec: { clusterName: "one", replicas: 1 } }));
    await event("e1", "Cluster", "one", "Provisioned");
    await event("e2", "NodePool", "one-workers", "Scaled");
    await event("e3", "Cluster", "other", "Elsewhere");
    const res = await call<{ items: { reason: string }[] }>("GET", "/projects/a/clusters/one/events", as(tokens.bob));
    expect(res.status).toBe(200);
    expect(res.body.items.map((e) => e.reason).sort()).toEqual(["Provisioned", "Scaled"]);
    expect((await call("GET", "/projects/a/clusters/ghost/events", as(tokens.alice))).status).toBe(404);
  });

  it("gives a member the provider's kubeconfig, and only an owner the admin kubeconfig", async () => {
    const mine = await call("GET", "/projects/a/clusters/one/kubeconfig", as(tokens.bob));
    expect(mine.body).toEqual({ kubeconfig: "# one for bob (system:authenticated)\n" });
    const notYet = await call("GET", "/projects/a/clusters/one/kubeconfig?admin=true", as(tokens.alice));
    expect(notYet.error).toMatchObject({ status: 409, message: "cluster one has no admin kubeconfig yet: wait until it is provisioned" });
    // What the operator does once the control plane runs.
    const admin = ObjectClient.fromKubeConfig(api().kubeConfig());
    await admin.request("POST", "/api/v1/namespaces/project-a/secrets", { body: { metadata: { name: "one-admin-kubeconfig" }, stringData: { kubeconfig: "apiVersion: v1\nkind: Config\n" } } });
    await admin.request("PATCH", "/apis/seedbed.dev/v1alpha1/namespaces/project-a/clusters/one/status", { body: { status: { adminKubeconfigSecretRef: { name: "one-admin-kubeconfig" } } }, contentType: "application/merge-patch+json" });
    const owner = await call("GET", "/projects/a/clusters/one/kubeconfig?admin=true", as(tokens.alice));
    expect(owner.body).toEqual({ kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const viewer = await call("GET", "/projects/a/clusters/one/kubeconfig?admin=true", as(tokens.bob));
    expect(viewer.status).toBe(403);
    expect(viewer.error.message).toContain('cannot get resource "secrets"');
    expect((await call("GET", "/projects/a/clusters/one/kubeconfig?admin=yes", as(tokens.alice))).error.field).toBe("querystring.admin");
  });
});
