import { CustomObjectsApi } from "@kubernetes/client-node";
import { offeredMinors, type Cluster, type ClusterUpgradeStatus } from "@seedbed/api";
import { silentLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions } from "./http.ts";

// The two minors offered (tools/k8s/versions.json), newest first.
const [newer = "", older = ""] = offeredMinors;
// A patch release of each, as spec.version and status.version may name.
const newPinned = `${newer}.1`;
const oldPinned = `${older}.3`;

/**
 * POST …/clusters/:cluster/upgrade and …/rollback against a real
 * kube-apiserver with the CRDs, acting as each caller: alice owns project
 * a, carol edits it (group team-c), bob views it. No operator runs: the
 * test writes status.upgrade as the Cluster reconciler would.
 */
describe("the REST API's cluster upgrades and rollbacks", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace: "project-a", plural: "clusters" };
  /** Creates a cluster in project a (as alice) and writes its status as the operator would. */
  const createCluster = async (name: string, spec: object, status: NonNullable<Cluster["status"]>): Promise<void> => {
    expect((await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name }, spec }))).status).toBe(201);
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const readCluster = async (name: string): Promise<Cluster> => (await objects().getNamespacedCustomObject({ ...coordinates, name })) as Cluster;
  const record = (fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => ({ from: oldPinned, to: newPinned, phase: "Completed", step: "Done", startedTime: "2026-03-04T05:00:00Z", ...fields });

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), { logger: silentLogger() });
    call = client(server.url);
    await createCluster("web", { version: older }, { phase: "Running", version: oldPinned });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("lets an editor upgrade a cluster by one minor, answering the Cluster with the new spec.version", async () => {
    const res = await call<Cluster>("POST", "/projects/a/clusters/web/upgrade", as(tokens.carol, { version: newer }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "web", namespace: "project-a" }, spec: { version: newer } });
    expect(res.body.metadata.managedFields).toBeUndefined();
    expect((await readCluster("web")).spec.version).toBe(newer);
  });

  it("refuses a viewer's upgrade and rollback (RBAC's 403), and anyone's in a project they are no member of", async () => {
    const upgrade = await call("POST", "/projects/a/clusters/web/upgrade", as(tokens.bob, { version: newer }));
    expect(upgrade.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot patch resource "clusters"') as unknown });
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name: "web", body: [{ op: "add", path: "/status/upgrade", value: record({ phase: "Upgrading", step: "APIServer" }) }] });
    expect((await call("POST", "/projects/a/clusters/web/rollback", as(tokens.bob))).error).toMatchObject({ status: 403, reason: "Forbidden" });
    expect((await call("POST", "/projects/b/clusters/theirs/upgrade", as(tokens.alice, { version: newer }))).error).toMatchObject({ status: 403, message: expect.stringContaining('User "alice" cannot get resource "clusters"') as unknown });
    expect((await readCluster("web")).spec.version).toBe(newer);
  });

  it("answers 409 to another version while an upgrade is under way, and lets the same one through", async () => {
    const other = await call("POST", "/projects/a/clusters/web/upgrade", as(tokens.alice, { version: older }));
    expect(other.error).toEqual({ status: 409, reason: "Conflict", field: "spec.version", message: `cluster web: an upgrade to ${newPinned} is under way (step APIServer); upgrade once it is done` });
    expect((await call("POST", "/projects/a/clusters/web/upgrade", as(tokens.alice, { version: newPinned }))).status).toBe(200);
  });

  it("lets an owner roll back: spec.version back to status.upgrade.from, which admission allows", async () => {
    const res = await call<Cluster>("POST", "/projects/a/clusters/web/rollback", as(tokens.alice));
    expect(res.status).toBe(200);
    expect(res.body.spec.version).toBe(oldPinned);
    expect((await readCluster("web")).spec.version).toBe(oldPinned);
  });

  it("answers 409 when there is no upgrade to roll back, or it was rolled back already", async () => {
    await createCluster("fresh", { version: newer }, { phase: "Running", version: newPinned });
    const none = await call("POST", "/projects/a/clusters/fresh/rollback", as(tokens.carol));
    expect(none.error).toEqual({ status: 409, reason: "Conflict", message: "cluster fresh has no upgrade to roll back (status.upgrade is empty): only the last upgrade can be undone" });
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name: "web", body: [{ op: "add", path: "/status/upgrade", value: record({ phase: "RolledBack", rollback: true }) }] });
    const twice = await call("POST", "/projects/a/clusters/web/rollback", as(tokens.carol));
    expect(twice.error).toMatchObject({ status: 409, reason: "Conflict", message: `cluster web was rolled back to ${oldPinned} already: only the last upgrade can be undone, once` });
    expect((await readCluster("fresh")).spec.version).toBe(newer);
  });

  it("passes on admission's 422 with the field: a downgrade, a version not offered", async () => {
    const down = await call("POST", "/projects/a/clusters/fresh/upgrade", as(tokens.carol, { version: older }));
    expect(down.error).toMatchObject({ status: 422, reason: "Invalid", field: "spec.version" });
    expect(down.error.message).toContain(`cannot downgrade from ${newer} to ${older}`);
    const unknown = await call("POST", "/projects/a/clusters/fresh/upgrade", as(tokens.carol, { version: "1.99" }));
    expect(unknown.error).toMatchObject({ status: 422, reason: "Invalid", field: "spec.version" });
    expect(unknown.error.message).toContain("Kubernetes 1.99 is not offered here");
    expect((await readCluster("fresh")).spec.version).toBe(newer);
  });

  it("refuses a downgrade of a cluster without spec.version, which admission cannot see, as admission would", async () => {
    await createCluster("defaulted", {}, { phase: "Running", version: newPinned });
    const down = await call("POST", "/projects/a/clusters/defaulted/upgrade", as(tokens.carol, { version: older }));
    expect(down.error).toEqual({ status: 422, reason: "Invalid", field: "spec.version", message: `cannot downgrade from ${newPinned} to ${older}: Kubernetes supports upgrades only; only the last upgrade can be undone (POST …/clusters/defaulted/rollback)` });
    expect((await readCluster("defaulted")).spec.version).toBeUndefined();
    expect((await call<Cluster>("POST", "/projects/a/clusters/defaulted/upgrade", as(tokens.carol, { version: newPinned }))).body.spec.version).toBe(newPinned);
  });

  it("answers a bad body with the field at fault, and 404 for a cluster that does not exist", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{}, "version", /^body\/version is required$/],
      [{ version: "latest" }, "version", /^body\/version must match pattern/],
      [{ version: 1.37 }, "version", /^body\/version must be string$/],
      [{ version: newer, force: true }, "force", /^body\/force is not a known field$/],
    ];
    for (const [body, field, message] of cases) {
      const res = await call("POST", "/projects/a/clusters/web/upgrade", as(tokens.alice, body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.error.field, JSON.stringify(body)).toBe(field);
      expect(res.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await call("POST", "/projects/a/clusters/ghost/upgrade", as(tokens.alice, { version: newer }))).error).toMatchObject({ status: 404, message: 'clusters.seedbed.dev "ghost" not found' });
    expect((await call("POST", "/projects/a/clusters/ghost/rollback", as(tokens.alice))).status).toBe(404);
  });

  it("documents both routes in /openapi.json", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> };
    const upgrade = doc.paths["/api/v1/projects/{project}/clusters/{cluster}/upgrade"]?.post;
    const rollback = doc.paths["/api/v1/projects/{project}/clusters/{cluster}/rollback"]?.post;
    expect(Object.keys(upgrade?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "502"]);
    expect(upgrade?.requestBody).toBeDefined();
    expect(Object.keys(rollback?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "502"]);
  });
});
