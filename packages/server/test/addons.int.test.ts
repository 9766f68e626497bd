import { CustomObjectsApi } from "@kubernetes/client-node";
import type { Addon, AddonStatus, Cluster } from "@seedbed/api";
import { silentLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import type { AddonView } from "../src/routes/addon-view.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions } from "./http.ts";

const chart = { repository: "oci://charts.example.com/team", chart: "podinfo", version: "6.9.0" };

/**
 * GET …/clusters/:cluster/addons, PUT and DELETE …/addons/:addon against a
 * real kube-apiserver with the CRDs (their CEL rules on spec.addons), as
 * each caller: alice owns project a, carol edits it (group team-c), bob
 * views it. No operator runs: the test writes status.addons as the add-on
 * controller would.
 */
describe("the REST API's cluster add-ons", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace: "project-a" };
  const specAddons = async (name: string): Promise<Addon[] | undefined> => ((await objects().getNamespacedCustomObject({ ...coordinates, plural: "clusters", name })) as Cluster).spec.addons;
  const writeStatus = async (name: string, addons: AddonStatus[]): Promise<void> => {
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, plural: "clusters", name, body: [{ op: "add", path: "/status", value: { phase: "Running", addons } }] });
  };

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), { logger: silentLogger() });
    call = client(server.url);
    expect((await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name: "web" }, spec: {} }))).status).toBe(201);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("refuses a viewer's PUT and DELETE with RBAC's 403, leaving spec.addons as it was", async () => {
    const put = await call("PUT", "/projects/a/clusters/web/addons/metrics-server", as(tokens.bob, {}));
    expect(put.error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot patch resource "clusters"') as unknown });
    expect((await call("DELETE", "/projects/a/clusters/web/addons/coredns", as(tokens.bob))).error).toMatchObject({ status: 403, reason: "Forbidden" });
    expect(await specAddons("web")).toBeUndefined();
  });

  it("lets an editor add a built-in add-on (201), an owner alone a Helm chart (it runs as the cluster's admin), then change the chart (200)", async () => {
    const builtin = await call<AddonView>("PUT", "/projects/a/clusters/web/addons/metrics-server", as(tokens.carol, {}));
    expect(builtin.status).toBe(201);
    expect(builtin.body).toEqual({ name: "metrics-server", source: "BuiltIn", phase: "Pending", ready: false, spec: { name: "metrics-server", enabled: true } });
    const refused = await call("PUT", "/projects/a/clusters/web/addons/podinfo", as(tokens.carol, { helm: { ...chart, values: { replicaCount: 2 } } }));
    expect(refused.error).toMatchObject({ status: 403, message: expect.stringContaining("a Helm add-on runs as the cluster's admin, so only those who may write ClusterPolicies in project-a (the project's owners)") as unknown });
    const helm = await call<AddonView>("PUT", "/projects/a/clusters/web/addons/podinfo", as(tokens.alice, { helm: { ...chart, values: { replicaCount: 2 } } }));
    expect(helm.status).toBe(201);
    expect(helm.body).toMatchObject({ name: "podinfo", source: "Helm", phase: "Pending", spec: { name: "podinfo", enabled: true, helm: { ...chart, namespace: "default", values: { replicaCount: 2 } } } });
    const upgraded = await call<AddonView>("PUT", "/projects/a/clusters/web/addons/podinfo", as(tokens.alice, { helm: { ...chart, version: "6.10.0", namespace: "apps" } }));
    expect(upgraded.status).toBe(200);
    expect(await specAddons("web")).toEqual([
      { name: "metrics-server", enabled: true },
      { name: "podinfo", enabled: true, helm: { ...chart, version: "6.10.0", namespace: "apps" } },
    ]);
  });

  it("answers an unknown built-in without a chart with the apiserver's 422, naming the field", async () => {
    const res = await call("PUT", "/projects/a/clusters/web/addons/grafana", as(tokens.carol, { enabled: true }));
    expect(res.error).toMatchObject({ status: 422, reason: "Invalid", field: "spec.addons[2].name" });
    expect(res.error.message).toContain("unknown built-in add-on 'grafana'");
    const repository = await call("PUT", "/projects/a/clusters/web/addons/grafana", as(tokens.carol, { helm: { ...chart, repository: "charts.example.com" } }));
    expect(repository.error).toMatchObject({ status: 422, field: "spec.addons[2].helm.repository" });
    const caBundle = await call("PUT", "/projects/a/clusters/web/addons/grafana", as(tokens.carol, { helm: { ...chart, caBundle: "MIIB" } }));
    expect(caBundle.error).toMatchObject({ status: 422, field: "spec.addons[2].helm.caBundle" });
    expect(caBundle.error.message).toContain("must be PEM certificates");
    expect((await specAddons("web"))?.map((a) => a.name)).toEqual(["metrics-server", "podinfo"]);
  });

  it("answers a body that breaks the schema with 400 naming the field, and 404 for a cluster that does not exist", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: "podinfo" }, "name", /^body\/name is not a known field$/],
      [{ enabled: "yes" }, "enabled", /^body\/enabled must be boolean$/],
      [{ helm: { repository: chart.repository, chart: "podinfo" } }, "helm.version", /^body\/helm\/version is required$/],
      [{ helm: { ...chart, namespace: "Apps" } }, "helm.namespace", /^body\/helm\/namespace must match pattern/],
      [{ helm: { ...chart, values: [1, 2] } }, "helm.values", /^body\/helm\/values must be object$/],
    ];
    for (const [body, field, message] of cases) {
      const res = await call("PUT", "/projects/a/clusters/web/addons/podinfo", as(tokens.carol, body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.error.field, JSON.stringify(body)).toBe(field);
      expect(res.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await call("PUT", "/projects/a/clusters/web/addons/Bad_Name", as(tokens.carol, {}))).error).toMatchObject({ status: 400, field: "params.addon" });
    expect((await call("PUT", "/projects/a/clusters/ghost/addons/coredns", as(tokens.carol, {}))).error).toMatchObject({ status: 404, message: 'clusters.seedbed.dev "ghost" not found' });
  });

  it("shows what is asked for beside what is installed, to a viewer too", async () => {
    await writeStatus("web", [
      { name: "coredns", source: "BuiltIn", version: "1.15.0", ready: true, phase: "Installed", lastAppliedTime: "2026-03-04T05:00:00Z" },
      { name: "podinfo", source: "Helm", version: "6.9.0", ready: false, phase: "Failed", namespace: "default", release: "podinfo", message: "helm: chart not found" },
    ]);
    const res = await call<{ items: AddonView[] }>("GET", "/projects/a/clusters/web/addons", as(tokens.bob));
    expect(res.status).toBe(200);
    expect(res.body.items.map((v) => ({ name: v.name, phase: v.phase, ready: v.ready, asked: v.spec !== undefined, installed: v.status?.version }))).toEqual([
      { name: "coredns", phase: "Installed", ready: true, asked: false, installed: "1.15.0" },
      { name: "metrics-server", phase: "Pending", ready: false, asked: true, installed: undefined },
      { name: "podinfo", phase: "Failed", ready: false, asked: true, installed: "6.9.0" },
    ]);
    expect(res.body.items[2]).toMatchObject({ spec: { helm: { version: "6.10.0" } }, status: { message: "helm: chart not found" } });
    expect((await call("GET", "/projects/b/clusters/web/addons", as(tokens.bob))).error).toMatchObject({ status: 403, reason: "Forbidden" });
  });

  it("takes a Helm add-on away by removing its entry (an owner), and turns the platform's CoreDNS off with enabled: false (an editor)", async () => {
    expect((await call("DELETE", "/projects/a/clusters/web/addons/podinfo", as(tokens.carol))).error).toMatchObject({ status: 403 });
    const helm = await call<AddonView>("DELETE", "/projects/a/clusters/web/addons/podinfo", as(tokens.alice));
    expect(helm.status).toBe(200);
    expect(helm.body).toMatchObject({ name: "podinfo", phase: "Failed" });
    expect(helm.body.spec).toBeUndefined();
    const dns = await call<AddonView>("DELETE", "/projects/a/clusters/web/addons/coredns", as(tokens.carol));
    expect(dns.body).toMatchObject({ name: "coredns", phase: "Installed", spec: { name: "coredns", enabled: false } });
    expect(await specAddons("web")).toEqual([{ name: "metrics-server", enabled: true }, { name: "coredns", enabled: false }]);
    const again = await call("DELETE", "/projects/a/clusters/web/addons/podinfo", as(tokens.alice));
    expect(again.error).toMatchObject({ status: 404, message: expect.stringContaining("cluster web has no add-on podinfo in spec.addons") as unknown });
    expect((await call<AddonView>("PUT", "/projects/a/clusters/web/addons/coredns", as(tokens.carol, {}))).body.spec).toEqual({ name: "coredns", enabled: true });
  });

  it("keeps a Helm add-on of the cluster's template, off, when it is taken away", async () => {
    await objects().createNamespacedCustomObject({ ...coordinates, plural: "clustertemplates", body: { apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterTemplate", metadata: { name: "standard" }, spec: { addons: [{ name: "podinfo", helm: chart }] } } });
    expect((await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name: "templated" }, spec: { template: "standard" } }))).status).toBe(201);
    const res = await call<AddonView>("DELETE", "/projects/a/clusters/templated/addons/podinfo", as(tokens.alice));
    expect(res.status).toBe(200);
    expect(await specAddons("templated")).toEqual([{ name: "podinfo", enabled: false, helm: { ...chart, namespace: "default" } }]);
  });

  it("sets add-ons asked for at once without losing one (a conflicting patch is made again on the cluster read anew)", async () => {
    const names = ["dashboard", "calico", "flannel"];
    const answers = await Promise.all(names.map((name) => call("PUT", "/projects/a/clusters/web/addons/" + name, as(tokens.alice, {}))));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect((await specAddons("web"))?.map((a) => a.name).sort()).toEqual(["calico", "coredns", "dashboard", "flannel", "metrics-server"]);
  });

  it("documents the three routes in /openapi.json with the statuses they answer", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> };
    const list = doc.paths["/api/v1/projects/{project}/clusters/{cluster}/addons"]?.get;
    const one = doc.paths["/api/v1/projects/{project}/clusters/{cluster}/addons/{addon}"];
    expect(Object.keys(list?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "404", "429", "502"]);
    expect(Object.keys(one?.put?.responses ?? {}).sort()).toEqual(["200", "201", "400", "401", "403", "404", "409", "413", "415", "422", "429", "502"]);
    expect(one?.put?.requestBody).toBeDefined();
    expect(Object.keys(one?.delete?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "502"]);
  });
});
