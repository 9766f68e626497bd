import { Validator } from "@seriousme/openapi-schema-validator";
import { CustomObjectsApi } from "@kubernetes/client-node";
import type { Cluster, ControlPlaneStatus, EtcdBackup, EtcdRestore, NodePool, Project } from "@seedbed/api";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, memoryLogger, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions, type JsonResponse } from "./http.ts";

describe("the REST API acting as its callers against a real kube-apiserver", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  const logs = memoryLogger();
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const cluster = (name: string, spec: object = {}): object => ({ metadata: { name }, spec });

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), { logger: logs.logger });
    call = client(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  describe("authentication", () => {
    it("answers 401 to a request without a bearer token, naming what to send", async () => {
      const res = await call("GET", "/projects/a/clusters");
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(res.error).toEqual({ status: 401, reason: "Unauthorized", message: expect.stringMatching(/Authorization: Bearer/) as unknown });
    });

    it("passes on the apiserver's 401 for a token it does not accept", async () => {
      expect((await call("GET", "/projects", as("not-a-token"))).status).toBe(401);
      const res = await call("GET", "/projects/a/clusters", as("not-a-token"));
      expect(res.status).toBe(401);
      expect(res.error.reason).toBe("Unauthorized");
    });
  });

  describe("projects", () => {
    it("lists the projects the caller is a member of, by user name or by group", async () => {
      const names = async (token: string): Promise<(string | undefined)[]> => (await call<{ items: Project[] }>("GET", "/projects", as(token))).body.items.map((p) => p.metadata.name);
      expect(await names(tokens.alice)).toEqual(["a"]);
      expect(await names(tokens.bob)).toEqual(["a"]);
      expect(await names(tokens.carol)).toEqual(["a", "b"]); // b as owner, a through group team-c
    });

    it("says the caller's own role in each project, the strongest of user and group entries", async () => {
      const roles = async (token: string): Promise<Record<string, string>> =>
        Object.fromEntries((await call<{ items: (Project & { role: string })[] }>("GET", "/projects", as(token))).body.items.map((p): [string, string] => [p.metadata.name ?? "", p.role]));
      expect(await roles(tokens.alice)).toEqual({ a: "owner" });
      expect(await roles(tokens.bob)).toEqual({ a: "viewer" });
      expect(await roles(tokens.carol)).toEqual({ a: "editor", b: "owner" });
      expect((await call<{ role: string }>("GET", "/projects/a", as(tokens.bob))).body.role).toBe("viewer");
    });

    it("shows a member their project and answers 404 to anyone else, as for a project that does not exist", async () => {
      const a = await call<Project>("GET", "/projects/a", as(tokens.alice));
      expect(a.status).toBe(200);
      expect(a.body.metadata.managedFields).toBeUndefined();
      expect(a.body.spec.members).toContainEqual({ kind: "User", name: "alice", role: "owner" });
      const b = await call("GET", "/projects/b", as(tokens.alice));
      const none = await call("GET", "/projects/nope", as(tokens.alice));
      expect([b.status, none.status]).toEqual([404, 404]);
      expect(b.error.message).toBe("project b not found");
    });
  });

  describe("clusters, as the caller's role allows", () => {
    it("lets an owner create, list, read and patch clusters, returned without managedFields", async () => {
      const created = await call<Cluster>("POST", "/projects/a/clusters", as(tokens.alice, cluster("one", { controlPlane: { replicas: 1 } })));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "one", namespace: "project-a" }, spec: { paused: false } });
      expect(created.body.metadata.managedFields).toBeUndefined();
      const list = await call<{ items: Cluster[] }>("GET", "/projects/a/clusters", as(tokens.alice));
      expect(list.body.items.map((c) => c.metadata.name)).toEqual(["one"]);
      expect(list.body.items[0]).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster" });
      expect(list.body.items[0]?.metadata.managedFields).toBeUndefined();
      const patched = await call<Cluster>("PATCH", "/projects/a/clusters/one", { token: tokens.alice, body: { spec: { controlPlane: { replicas: 3 } } }, headers: { "content-type": "application/merge-patch+json" } });
      expect(patched.status).toBe(200);
      expect(patched.body.spec.controlPlane?.replicas).toBe(3);
      expect((await call<Cluster>("GET", "/projects/a/clusters/one", as(tokens.alice))).body.spec.controlPlane?.replicas).toBe(3);
      // This server was started without a member kubeconfig provider.
      expect((await call("GET", "/projects/a/clusters/one/kubeconfig", as(tokens.alice))).error).toMatchObject({ status: 501, reason: "NotImplemented" });
    });

    it("lets an editor (through a group) create node pools, and a viewer only read", async () => {
      const pool = { metadata: { name: "workers" }, spec: { clusterName: "one", replicas: 2 } };
      expect((await call("POST", "/projects/a/nodepools", as(tokens.carol, pool))).status).toBe(201);
      expect((await call<NodePool>("GET", "/projects/a/nodepools/workers", as(tokens.bob))).body.spec.replicas).toBe(2);
      expect((await call("GET", "/projects/a/clusters/one", as(tokens.bob))).status).toBe(200);
      const post = await call("POST", "/projects/a/clusters", as(tokens.bob, cluster("bobs")));
      expect(post.status).toBe(403);
      expect(post.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot create resource "clusters"') as unknown });
      expect((await call("DELETE", "/projects/a/clusters/one", as(tokens.bob))).status).toBe(403);
      expect((await call("PATCH", "/projects/a/nodepools/workers", as(tokens.bob, { spec: { replicas: 0 } }))).status).toBe(403);
    });

    it("refuses alice everything in project b, where she is no member", async () => {
      await call("POST", "/projects/b/clusters", as(tokens.carol, cluster("theirs")));
      for (const path of ["/clusters", "/clusters/theirs", "/nodepools", "/clusters/theirs/events", "/clusters/theirs/kubeconfig", "/clusters/theirs/kubeconfig?admin=true"]) {
        const res = await call("GET", `/projects/b${path}`, as(tokens.alice));
        expect(res.status, path).toBe(403);
        expect(res.error.message, path).toMatch(/User "alice" cannot (get|list) resource/);
      }
      expect((await call("POST", "/projects/b/clusters", as(tokens.alice, cluster("mine")))).status).toBe(403);
      expect((await call("DELETE", "/projects/b/clusters/theirs", as(tokens.alice))).status).toBe(403);
    });

    it("passes on the apiserver's 404, 409 and 422 with its message and the field", async () => {
      const missing = await call("GET", "/projects/a/clusters/ghost", as(tokens.alice));
      expect(missing.error).toMatchObject({ status: 404, reason: "NotFound", message: 'clusters.seedbed.dev "ghost" not found' });
      const again = await call("POST", "/projects/a/clusters", as(tokens.alice, cluster("one")));
      expect(again.error).toMatchObject({ status: 409, reason: "AlreadyExists" });
      // A CEL rule of the CRD: only the apiserver checks it.
      const cel = await call("POST", "/projects/a/clusters", as(tokens.alice, cluster("even", { controlPlane: { datastore: { members: 2 } } })));
      expect(cel.status).toBe(422);
      expect(cel.error).toMatchObject({ reason: "Invalid", field: "spec.controlPlane.datastore.members" });
      expect(cel.error.message).toContain("must be 1, 3 or 5");
      const immutable = await call("PATCH", "/projects/a/clusters/one", as(tokens.alice, { spec: { network: { podCIDR: "10.0.0.0/16" } } }));
      expect(immutable.status).toBe(200); // network was unset: setting it is allowed
      const changed = await call("PATCH", "/projects/a/clusters/one", as(tokens.alice, { spec: { network: { podCIDR: "10.1.0.0/16" } } }));
      expect(changed.status).toBe(422);
      expect(changed.error.message).toMatch(/spec\.network\.podCIDR/);
    });

    it("creates a cluster in a region, and passes on the refusal of a seed and a region both", async () => {
      const regional = await call<Cluster>("POST", "/projects/a/clusters", as(tokens.alice, cluster("regional", { seedSelector: { region: "eu" } })));
      expect(regional.status).toBe(201);
      expect(regional.body.spec.seedSelector).toEqual({ region: "eu" });
      const both = await call("POST", "/projects/a/clusters", as(tokens.alice, cluster("both", { seed: "eu-1", seedSelector: { region: "eu" } })));
      expect(both.status).toBe(422);
      expect(both.error).toMatchObject({ reason: "Invalid", field: "spec.seedSelector" });
      expect(both.error.message).toContain("spec.seed and spec.seedSelector cannot both be set");
    });

    it("returns status.controlPlane (API servers, etcd members and the membership change) as the operator wrote it, documented in the OpenAPI schema", async () => {
      const controlPlane: ControlPlaneStatus = {
        apiServers: "2/3",
        etcd: "3/3",
        builtMembers: 3,
        members: [
          { name: "default", id: "8e9e05c52164694d", role: "Leader", healthy: true, dbSizeBytes: 2_097_152 },
          { name: "m1", id: "91bc3c398fb3c146", role: "Follower", healthy: true, dbSizeBytes: 2_097_152 },
          { name: "m2", id: "fd422379fda50e48", role: "Follower", healthy: false, message: "does not answer" },
        ],
        datastore: { type: "Dedicated" },
        membership: "waiting: voter m2 is not healthy",
      };
      await api().kubeConfig().makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus({ group: "seedbed.dev", version: "v1alpha1", namespace: "project-a", plural: "clusters", name: "one", body: [{ op: "add", path: "/status", value: { phase: "Running", controlPlane } }] });
      expect((await call<Cluster>("GET", "/projects/a/clusters/one", as(tokens.bob))).body.status?.controlPlane).toEqual(controlPlane);
      expect((await call<{ items: Cluster[] }>("GET", "/projects/a/clusters", as(tokens.bob))).body.items.find((c) => c.metadata.name === "one")?.status?.controlPlane).toEqual(controlPlane);
      type Schema = { properties?: Record<string, Schema>; items?: Schema; enum?: string[] };
      const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { schemas: Record<string, Schema> } };
      const documented = document.components.schemas.Cluster?.properties?.status?.properties?.controlPlane;
      expect(Object.keys(documented?.properties ?? {}).sort()).toEqual(["apiServers", "builtMembers", "datastore", "etcd", "members", "membership"]);
      expect(documented?.properties?.members?.items?.properties?.role?.enum).toEqual(["Leader", "Follower", "Learner", "Unknown"]);
    });

    it("deletes a cluster for its owner", async () => {
      await call("POST", "/projects/a/clusters", as(tokens.alice, cluster("short-lived")));
      const deleted = await call("DELETE", "/projects/a/clusters/short-lived", as(tokens.alice));
      expect(deleted.status).toBe(200);
      expect((await call("GET", "/projects/a/clusters/short-lived", as(tokens.alice))).status).toBe(404);
    });
  });

  describe("etcd backups and restores, as the caller's role allows", () => {
    const restore = (name: string, spec: object): object => ({ metadata: { name }, spec });

    it("lets an editor create a restore and an owner a backup; a viewer reads them", async () => {
      const backup = await call<EtcdBackup>("POST", "/projects/a/etcdbackups", as(tokens.alice, { metadata: { name: "one-b1", labels: { "seedbed.dev/cluster": "one" } }, spec: { clusterName: "one" } }));
      expect(backup.status).toBe(201);
      expect(backup.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "EtcdBackup", metadata: { name: "one-b1", namespace: "project-a" }, spec: { clusterName: "one" } });
      const created = await call<EtcdRestore>("POST", "/projects/a/etcdrestores", as(tokens.carol, restore("one-restore-1", { clusterName: "one", backupName: "one-b1" })));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "EtcdRestore", metadata: { name: "one-restore-1", namespace: "project-a" }, spec: { clusterName: "one", backupName: "one-b1" } });
      expect(created.body.metadata.managedFields).toBeUndefined();
      const listed = await call<{ items: EtcdRestore[] }>("GET", "/projects/a/etcdrestores", as(tokens.bob));
      expect(listed.body.items.map((r) => [r.kind, r.metadata.name])).toEqual([["EtcdRestore", "one-restore-1"]]);
      expect((await call<EtcdBackup>("GET", "/projects/a/etcdbackups/one-b1", as(tokens.bob))).body.spec.clusterName).toBe("one");
    });

    it("asks for a restore drill with a merge patch of the annotation, which an editor may send and a viewer may not", async () => {
      const verify = { metadata: { annotations: { "seedbed.dev/verify": "2026-03-04T05:06:07.890Z" } } };
      const patched = await call<EtcdBackup>("PATCH", "/projects/a/etcdbackups/one-b1", { token: tokens.carol, body: verify, headers: { "content-type": "application/merge-patch+json" } });
      expect(patched.status).toBe(200);
      expect(patched.body.metadata.annotations).toEqual({ "seedbed.dev/verify": "2026-03-04T05:06:07.890Z" });
      const refused = await call("PATCH", "/projects/a/etcdbackups/one-b1", as(tokens.bob, verify));
      expect(refused.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot patch resource "etcdbackups"') as unknown });
    });

    it("refuses a viewer's restore and backup, and anyone's in a project they are no member of", async () => {
      const post = await call("POST", "/projects/a/etcdrestores", as(tokens.bob, restore("bobs", { clusterName: "one" })));
      expect(post.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot create resource "etcdrestores"') as unknown });
      expect((await call("POST", "/projects/a/etcdbackups", as(tokens.bob, restore("bobs", { clusterName: "one" })))).status).toBe(403);
      expect((await call("DELETE", "/projects/a/etcdrestores/one-restore-1", as(tokens.bob))).status).toBe(403);
      expect((await call("POST", "/projects/b/etcdrestores", as(tokens.alice, restore("mine", { clusterName: "theirs" })))).status).toBe(403);
      expect((await call("GET", "/projects/b/etcdbackups", as(tokens.alice))).status).toBe(403);
      expect((await call<{ items: EtcdRestore[] }>("GET", "/projects/a/etcdrestores", as(tokens.alice))).body.items).toHaveLength(1);
    });

    it("answers a bad body with the field at fault, and passes on the API server's refusals", async () => {
      const cases: [unknown, string, RegExp][] = [
        [restore("t1", {}), "spec.clusterName", /^body\/spec\/clusterName is required$/],
        [restore("t2", { clusterName: 7 }), "spec.clusterName", /^body\/spec\/clusterName must be string$/],
        [restore("t3", { clusterName: "one", backup: "one-b1" }), "spec.backup", /^body\/spec\/backup is not a known field$/],
        [restore("t4", { clusterName: "one", backupName: "b".repeat(64) }), "spec.backupName", /^body\/spec\/backupName must NOT have more than 63 characters$/],
        [restore("T_5", { clusterName: "one" }), "metadata.name", /^body\/metadata\/name must match pattern/],
      ];
      for (const [body, field, message] of cases) {
        const res = await call("POST", "/projects/a/etcdrestores", as(tokens.alice, body));
        expect(res.status, field).toBe(400);
        expect(res.error.field, field).toBe(field);
        expect(res.error.message, field).toMatch(message);
      }
      // The CRD's CEL rules: only the apiserver checks them.
      const cel = await call("POST", "/projects/a/etcdrestores", as(tokens.alice, restore("t6", { clusterName: "One" })));
      expect(cel.error).toMatchObject({ status: 422, reason: "Invalid", field: "spec.clusterName" });
      expect(cel.error.message).toContain("must name a Cluster in this namespace");
      const immutable = await call("PATCH", "/projects/a/etcdrestores/one-restore-1", as(tokens.alice, { spec: { backupName: "other" } }));
      expect(immutable.error).toMatchObject({ status: 422, reason: "Invalid" });
      expect(immutable.error.message).toContain("spec cannot be changed after creation; create another EtcdRestore");
    });

    it("deletes a restore for an editor", async () => {
      expect((await call("DELETE", "/projects/a/etcdrestores/one-restore-1", as(tokens.carol))).status).toBe(200);
      expect((await call("GET", "/projects/a/etcdrestores/one-restore-1", as(tokens.carol))).error).toMatchObject({ status: 404, message: 'etcdrestores.seedbed.dev "one-restore-1" not found' });
    });
  });

  describe("request validation, before anything reaches Kubernetes", () => {
    const post = (body: unknown, headers?: Record<string, string>): Promise<JsonResponse<unknown>> => call("POST", "/projects/a/clusters", { token: tokens.alice, body, headers });

    it("names the field of a wrong type, a value out of range, a value too long and an unknown field", async () => {
      const cases: [unknown, string, RegExp][] = [
        [cluster("t1", { controlPlane: { replicas: "3" } }), "spec.controlPlane.replicas", /^body\/spec\/controlPlane\/replicas must be integer$/],
        [cluster("t2", { controlPlane: { replicas: 9 } }), "spec.controlPlane.replicas", /^body\/spec\/controlPlane\/replicas must be <= 5$/],
        [cluster("t3", { version: "1.33.1234567890123" }), "spec.version", /^body\/spec\/version must NOT have more than 16 characters$/],
        [cluster("x".repeat(31)), "metadata.name", /^body\/metadata\/name must NOT have more than 30 characters$/],
        [cluster("t4", { network: { cni: "weave" } }), "spec.network.cni", /^body\/spec\/network\/cni must be one of "calico", "flannel", "cilium", "none"$/],
        [cluster("t5", { replica: 2 }), "spec.replica", /^body\/spec\/replica is not a known field$/],
        [{ spec: {} }, "metadata", /^body\/metadata is required$/],
      ];
      for (const [body, field, message] of cases) {
        const res = await post(body);
        expect(res.status, field).toBe(400);
        expect(res.error.field).toBe(field);
        expect(res.error.message).toMatch(message);
      }
      const patch = await call("PATCH", "/projects/a/clusters/one", as(tokens.alice, { spec: { controlPlane: { replicas: 6 } } }));
      expect(patch.error).toMatchObject({ status: 400, field: "spec.controlPlane.replicas", message: "body/spec/controlPlane/replicas must be <= 5" });
    });

    it("says so for a body that is not JSON, and answers 413 to one over 64 KiB", async () => {
      const bad = await post("{ not json");
      expect(bad.error).toEqual({ status: 400, reason: "BadRequest", message: "request body is not valid JSON" });
      const big = await post(cluster("big", { addons: [{ name: "coredns", helm: { repository: "https://charts.example", chart: "c", version: "1", values: { blob: "x".repeat(70 * 1024) } } }] }));
      expect(big.status).toBe(413);
      expect(big.error).toEqual({ status: 413, reason: "RequestEntityTooLarge", message: "request body is larger than the limit of 64 KiB" });
    });
  });

  describe("the OpenAPI document", () => {
    it("is valid OpenAPI 3.1, served without a token, and lists every route", async () => {
      const response = await fetch(`${server.url}/openapi.json`);
      const res = { status: response.status, body: (await response.json()) as { paths: Record<string, object> } };
      expect(res.status).toBe(200);
      const validator = new Validator();
      expect(await validator.validate(res.body)).toEqual({ valid: true });
      const routes = Object.entries(res.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
      const p = "/api/v1/projects/{project}";
      expect(routes.sort()).toEqual([
        "GET /healthz", "GET /openapi.json", "GET /api/v1/projects", `GET ${p}`,
        `GET ${p}/clusters`, `POST ${p}/clusters`, `GET ${p}/clusters/{cluster}`, `PATCH ${p}/clusters/{cluster}`, `DELETE ${p}/clusters/{cluster}`,
        `GET ${p}/clusters/{cluster}/events`, `GET ${p}/clusters/{cluster}/kubeconfig`, `POST ${p}/clusters/{cluster}/upgrade`, `POST ${p}/clusters/{cluster}/rollback`,
        `POST ${p}/clusters/{cluster}/rotate-ca`, `GET ${p}/clusters/{cluster}/certificates`, `GET ${p}/clusters/{cluster}/kubeconfigs`,
        `GET ${p}/clusters/{cluster}/addons`, `PUT ${p}/clusters/{cluster}/addons/{addon}`, `DELETE ${p}/clusters/{cluster}/addons/{addon}`,
        `GET ${p}/nodepools`, `POST ${p}/nodepools`, `GET ${p}/nodepools/{pool}`, `PATCH ${p}/nodepools/{pool}`, `DELETE ${p}/nodepools/{pool}`,
        `GET ${p}/etcdbackups`, `POST ${p}/etcdbackups`, `GET ${p}/etcdbackups/{backup}`, `PATCH ${p}/etcdbackups/{backup}`, `DELETE ${p}/etcdbackups/{backup}`,
        `GET ${p}/etcdrestores`, `POST ${p}/etcdrestores`, `GET ${p}/etcdrestores/{restore}`, `PATCH ${p}/etcdrestores/{restore}`, `DELETE ${p}/etcdrestores/{restore}`,
        `GET ${p}/watch`, `GET ${p}/clustertemplates`,
        `GET ${p}/policies`, `GET ${p}/policies/{policy}`, `PUT ${p}/policies/{policy}`, `DELETE ${p}/policies/{policy}`, `GET ${p}/policies/{policy}/clusters`,
        "GET /api/v1/upgradeplans", "POST /api/v1/upgradeplans", "GET /api/v1/upgradeplans/{plan}", "PATCH /api/v1/upgradeplans/{plan}", "DELETE /api/v1/upgradeplans/{plan}",
      ].sort());
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    });
  });

  it("never writes a token to its log", () => {
    const text = logs.text();
    expect(text).toContain("incoming request");
    for (const token of Object.values(tokens)) expect(text).not.toContain(token);
  });
});
