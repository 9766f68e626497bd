import { CustomObjectsApi } from "@kubernetes/client-node";
import type { Cluster, ClusterPolicy, ClusterSyncPolicyStatus, PolicyClusterEntry } from "@seedbed/api";
import { silentLogger } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions } from "./http.ts";

/** A policy keeping a namespace, a Role and its RoleBinding on the prod clusters. */
const spec = {
  clusterSelector: { matchLabels: { env: "prod" } },
  namespaces: [{ name: "team", labels: { owner: "team-a" } }],
  roles: [{ name: "dev", namespace: "team", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] }],
  bindings: [{ name: "dev", namespace: "team", roleRef: { kind: "Role", name: "dev" }, subjects: [{ kind: "Group", name: "devs" }] }],
  conflicts: { existing: "Adopt" },
  prune: true,
};

/**
 * The REST API's cluster registry and ClusterPolicies against a real
 * kube-apiserver with the CRDs (their CEL rules) and the project roles,
 * as each caller: alice owns project a, carol edits it (group team-c), bob
 * views it. No operator or agent runs: the test writes ClusterSyncs and
 * their statuses with the admin client, as they would.
 */
describe("the REST API's cluster labels and ClusterPolicies", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace: "project-a" };

  /** A ClusterSync as the operator writes it, and its status as the cluster's agent does. */
  const writeSync = async (cluster: string, policy: ClusterPolicy, report?: Partial<ClusterSyncPolicyStatus>): Promise<void> => {
    const ref = { namespace: "project-a", name: policy.metadata.name ?? "", uid: policy.metadata.uid ?? "", generation: policy.metadata.generation ?? 0 };
    await objects().createNamespacedCustomObject({ ...coordinates, plural: "clustersyncs", body: { apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterSync", metadata: { name: cluster, namespace: "project-a" }, spec: { policies: [ref] } } });
    if (report === undefined) return;
    const status = { observedGeneration: 1, policies: [{ ...ref, observedGeneration: ref.generation, state: "InSync", objects: 3, lastSyncTime: "2026-01-02T03:04:05Z", ...report }] };
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, plural: "clustersyncs", name: cluster, body: [{ op: "add", path: "/status", value: status }] });
  };

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), { logger: silentLogger() });
    call = client(server.url);
    for (const [name, labels] of [["web", { env: "prod", region: "eu" }], ["api", { env: "prod", region: "us" }], ["lab", { env: "dev" }]] as const) {
      expect((await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name, labels }, spec: {} }))).status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.stop();
  });

  it("filters clusters with a label selector and shows their labels", async () => {
    const names = async (selector: string): Promise<string[]> => {
      const res = await eventually(() => call<{ items: Cluster[] }>("GET", `/projects/a/clusters?labelSelector=${encodeURIComponent(selector)}`, as(tokens.bob)), (r) => r.status === 200, { timeoutMs: 20_000, description: "clusters listed" });
      return res.body.items.map((c) => c.metadata.name ?? "").sort();
    };
    expect(await names("env=prod")).toEqual(["api", "web"]);
    expect(await names("env=prod, region in (eu, ap)")).toEqual(["web"]);
    expect(await names("env,!region")).toEqual(["lab"]);
    expect(await names("region notin (eu)")).toEqual(["api", "lab"]);
    const all = await call<{ items: Cluster[] }>("GET", "/projects/a/clusters", as(tokens.bob));
    expect(all.body.items.find((c) => c.metadata.name === "web")?.metadata.labels).toEqual({ env: "prod", region: "eu" });
    const bad = await call("GET", `/projects/a/clusters?labelSelector=${encodeURIComponent("env=prod,")}`, as(tokens.bob));
    expect(bad.error).toMatchObject({ status: 400, field: "querystring.labelSelector", message: expect.stringContaining("querystring/labelSelector does not have the form") as unknown });
  });

  it("relabels a cluster with a merge patch, and the selector follows", async () => {
    const patched = await call<Cluster>("PATCH", "/projects/a/clusters/lab", as(tokens.carol, { metadata: { labels: { env: "prod", region: "eu" } } }));
    expect(patched.body.metadata.labels).toEqual({ env: "prod", region: "eu" });
    const list = await call<{ items: Cluster[] }>("GET", "/projects/a/clusters?labelSelector=region%3Deu", as(tokens.bob));
    expect(list.body.items.map((c) => c.metadata.name).sort()).toEqual(["lab", "web"]);
    await call("PATCH", "/projects/a/clusters/lab", as(tokens.carol, { metadata: { labels: { env: "dev", region: null } } }));
  });

  it("refuses a viewer's and an editor's PUT with RBAC's 403 and creates nothing: owners alone write policies", async () => {
    const put = await call("PUT", "/projects/a/policies/baseline", as(tokens.bob, { spec }));
    expect(put.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot create resource "clusterpolicies"') as unknown });
    // An editor is `edit` in the project's clusters; the policy's agent applies as their admin.
    const editor = await call("PUT", "/projects/a/policies/baseline", as(tokens.carol, { spec }));
    expect(editor.error).toMatchObject({ status: 403, message: expect.stringContaining('cannot create resource "clusterpolicies"') as unknown });
    expect((await call("GET", "/projects/a/policies/baseline", as(tokens.bob))).status).toBe(404);
  });

  it("names the field of a policy the CRD refuses: 422 for a CEL rule, 400 for the schema", async () => {
    const unbound = { ...spec, bindings: [{ name: "dev", roleRef: { kind: "Role", name: "dev" }, subjects: [{ kind: "Group", name: "devs" }] }] };
    const cel = await call("PUT", "/projects/a/policies/baseline", as(tokens.alice, { spec: unbound }));
    expect(cel.error).toMatchObject({ status: 422, field: "spec.bindings[0].roleRef", message: expect.stringContaining("a binding to a Role needs a namespace") as unknown });
    const schema = await call("PUT", "/projects/a/policies/baseline", as(tokens.alice, { spec: { ...spec, conflicts: { existing: "Take" } } }));
    expect(schema.error).toMatchObject({ status: 400, field: "spec.conflicts.existing", message: 'body/spec/conflicts/existing must be one of "Adopt", "Report"' });
    const named = await call("PUT", "/projects/a/policies/baseline", as(tokens.alice, { metadata: { name: "other" }, spec }));
    expect(named.error).toMatchObject({ status: 400, field: "metadata.name" });
  });

  it("creates a policy (201), replaces it (200, generation 2) and lists it for a viewer", async () => {
    const created = await call<ClusterPolicy>("PUT", "/projects/a/policies/baseline", as(tokens.alice, { metadata: { labels: { team: "a" } }, spec }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterPolicy", metadata: { name: "baseline", namespace: "project-a", labels: { team: "a" }, generation: 1 }, spec });
    expect(created.body.metadata.managedFields).toBeUndefined();
    const replaced = await call<ClusterPolicy>("PUT", "/projects/a/policies/baseline", as(tokens.alice, { spec: { ...spec, prune: false } }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata).toMatchObject({ generation: 2, labels: { team: "a" }, uid: created.body.metadata.uid });
    expect(replaced.body.spec.prune).toBe(false);
    const list = await call<{ items: ClusterPolicy[] }>("GET", "/projects/a/policies", as(tokens.bob));
    expect(list.body.items.map((p) => [p.kind, p.metadata.name, p.spec.prune])).toEqual([["ClusterPolicy", "baseline", false]]);
    const labelled = async (selector: string): Promise<number> => (await call<{ items: ClusterPolicy[] }>("GET", `/projects/a/policies?labelSelector=${encodeURIComponent(selector)}`, as(tokens.bob))).body.items.length;
    expect([await labelled("team=a"), await labelled("team notin (a)")]).toEqual([1, 0]);
  });

  it("gives each cluster's state from the ClusterSyncs, in pages, to a viewer", async () => {
    const policy = (await call<ClusterPolicy>("GET", "/projects/a/policies/baseline", as(tokens.bob))).body;
    await writeSync("web", policy);
    await writeSync("api", policy, { state: "Conflicted", objects: 2, problemCount: 1, problems: [{ kind: "Role", namespace: "team", name: "dev", reason: "Conflict", message: "exists and is not the policy's" }] });
    await writeSync("lab", { ...policy, metadata: { name: "baseline", uid: "another-policy", generation: 1 } }, {});
    const page = await eventually(() => call<{ items: PolicyClusterEntry[]; continue?: string }>("GET", "/projects/a/policies/baseline/clusters", as(tokens.bob)), (r) => r.status === 200, { timeoutMs: 20_000, description: "clusters of the policy" });
    expect(page.body).toEqual({
      items: [
        { namespace: "project-a", cluster: "api", selected: true, state: "Conflicted", current: true, observedGeneration: 2, objects: 2, problems: [{ kind: "Role", namespace: "team", name: "dev", reason: "Conflict", message: "exists and is not the policy's" }], problemCount: 1, lastSyncTime: "2026-01-02T03:04:05Z" },
        { namespace: "project-a", cluster: "web", selected: true, state: "Pending", current: false, objects: 0, problems: [], problemCount: 0, message: "the cluster's agent has not reported on this policy yet" },
      ],
    });
    const first = await call<{ items: PolicyClusterEntry[]; continue?: string }>("GET", "/projects/a/policies/baseline/clusters?limit=1", as(tokens.bob));
    expect([first.body.items.map((e) => e.cluster), first.body.continue]).toEqual([["api"], "api"]);
    const second = await call<{ items: PolicyClusterEntry[]; continue?: string }>("GET", "/projects/a/policies/baseline/clusters?limit=1&continue=api", as(tokens.bob));
    expect([second.body.items.map((e) => e.cluster), second.body.continue]).toEqual([["web"], undefined]);
    expect((await call("GET", "/projects/a/policies/baseline/clusters?limit=0", as(tokens.bob))).error).toMatchObject({ status: 400, field: "querystring.limit" });
    expect((await call("GET", "/projects/a/policies/nothing/clusters", as(tokens.bob))).status).toBe(404);
  });

  it("lets a viewer and an editor read but not delete; an owner deletes", async () => {
    expect((await call("DELETE", "/projects/a/policies/baseline", as(tokens.bob))).error).toMatchObject({ status: 403 });
    expect((await call("DELETE", "/projects/a/policies/baseline", as(tokens.carol))).error).toMatchObject({ status: 403 });
    const deleted = await call<ClusterPolicy>("DELETE", "/projects/a/policies/baseline", as(tokens.alice));
    expect([deleted.status, deleted.body.metadata.name]).toEqual([200, "baseline"]);
    expect((await call("GET", "/projects/a/policies/baseline", as(tokens.bob))).status).toBe(404);
  });

  it("documents the routes in /openapi.json", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
    expect(Object.keys(doc.paths["/api/v1/projects/{project}/policies/{policy}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(doc.paths["/api/v1/projects/{project}/policies/{policy}/clusters"]?.get?.parameters?.filter((p) => p.in === "query").map((p) => p.name).sort()).toEqual(["continue", "limit"]);
    expect(doc.paths["/api/v1/projects/{project}/clusters"]?.get?.parameters?.find((p) => p.in === "query")?.name).toBe("labelSelector");
  });
});
