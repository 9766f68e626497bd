import type { UpgradePlan } from "@seedbed/api";
import { apply, ObjectClient, silentLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions } from "./http.ts";

/**
 * /api/v1/upgradeplans against a real kube-apiserver with the CRDs, as
 * each caller: carol is a platform admin here (cluster-admin, as the group
 * seedbed:admins is bound by `seedbed up`), alice owns project a, bob
 * views it. No operator runs: what is under test is who may do what, and
 * that the bodies are checked as for every other kind.
 */
describe("the REST API's UpgradePlans", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const plan = (name: string, spec: object = {}): object => ({ metadata: { name }, spec: { version: "1.37", ...spec } });

  beforeAll(async () => {
    await bootstrap(api());
    await apply(ObjectClient.fromKubeConfig(api().kubeConfig()), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "platform-admin-carol" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "carol" }],
    } as never);
    server = await startTestServer(api(), { logger: silentLogger() });
    call = client(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("lets a platform admin create, list, read, pause and delete a plan, with the CRD's defaults filled in", async () => {
    const created = await call<UpgradePlan>("POST", "/upgradeplans", as(tokens.carol, plan("fleet", { clusterSelector: { matchLabels: { env: "prod" } }, projects: ["a"], batchSize: "30%" })));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: "seedbed.dev/v1alpha1", kind: "UpgradePlan", metadata: { name: "fleet" }, spec: { version: "1.37", canary: 1, batchSize: "30%", soak: "5m", maxFailures: 1, onFailure: "Halt", paused: false } });
    expect(created.body.metadata.managedFields).toBeUndefined();
    const listed = await call<{ items: UpgradePlan[] }>("GET", "/upgradeplans", as(tokens.carol));
    expect(listed.body.items.map((p) => [p.kind, p.metadata.name])).toEqual([["UpgradePlan", "fleet"]]);
    expect((await call<UpgradePlan>("GET", "/upgradeplans/fleet", as(tokens.carol))).body.spec.projects).toEqual(["a"]);
    const paused = await call<UpgradePlan>("PATCH", "/upgradeplans/fleet", { token: tokens.carol, body: { spec: { paused: true } }, headers: { "content-type": "application/merge-patch+json" } });
    expect(paused.status).toBe(200);
    expect(paused.body.spec.paused).toBe(true);
    expect((await call("DELETE", "/upgradeplans/fleet", as(tokens.carol))).status).toBe(200);
    expect((await call("GET", "/upgradeplans/fleet", as(tokens.carol))).error).toMatchObject({ status: 404, message: 'upgradeplans.seedbed.dev "fleet" not found' });
  });

  it("refuses everyone else, project owners included, saying plans are for platform admins", async () => {
    expect((await call("POST", "/upgradeplans", as(tokens.carol, plan("kept")))).status).toBe(201);
    for (const token of [tokens.alice, tokens.bob]) {
      const post = await call("POST", "/upgradeplans", as(token, plan("mine")));
      expect(post.error).toMatchObject({ status: 403, reason: "Forbidden" });
      expect(post.error.message).toMatch(/cannot create resource "upgradeplans" in API group "seedbed.dev" at the cluster scope: UpgradePlans select clusters across projects, so only platform admins .* may read, create, change or delete them$/);
      expect((await call("GET", "/upgradeplans", as(token))).status).toBe(403);
      expect((await call("GET", "/upgradeplans/kept", as(token))).status).toBe(403);
      expect((await call("PATCH", "/upgradeplans/kept", as(token, { spec: { paused: true } }))).status).toBe(403);
      expect((await call("DELETE", "/upgradeplans/kept", as(token))).status).toBe(403);
    }
    expect((await call<UpgradePlan>("GET", "/upgradeplans/kept", as(tokens.carol))).body.spec.paused).toBe(false);
  });

  it("checks bodies as for every kind: schema here (400), CEL rules in the API server (422)", async () => {
    const namespaced = await call("POST", "/upgradeplans", as(tokens.carol, { metadata: { name: "ns", namespace: "project-a" }, spec: { version: "1.37" } }));
    expect(namespaced.status).toBe(400);
    expect(namespaced.error.message).toMatch(/metadata/);
    const badCanary = await call("POST", "/upgradeplans", as(tokens.carol, plan("c", { canary: 101 })));
    expect(badCanary.error).toMatchObject({ status: 400, message: expect.stringContaining("canary") as unknown });
    const badBatch = await call("POST", "/upgradeplans", as(tokens.carol, plan("b", { batchSize: "150%" })));
    expect(badBatch.error).toMatchObject({ status: 422, message: expect.stringContaining("must be a count such as \"3\" or a percentage such as \"25%\"") as unknown });
    const notOffered = await call("POST", "/upgradeplans", as(tokens.carol, plan("v", { version: "1.20" })));
    expect(notOffered.error).toMatchObject({ status: 422, message: expect.stringContaining("Kubernetes 1.20 is not offered here") as unknown });
    const versionChange = await call("PATCH", "/upgradeplans/kept", as(tokens.carol, { spec: { version: "1.36" } }));
    expect(versionChange.error).toMatchObject({ status: 422, message: expect.stringContaining("spec.version of an UpgradePlan cannot change: create a new plan for another version") as unknown });
    expect((await call("GET", "/upgradeplans/Not_A_Name", as(tokens.carol))).status).toBe(400);
  });
});
