import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Addon, type Cluster } from "@seedbed/api";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;

/**
 * `seedbed addon` against a real management API with the CRDs (their CEL
 * rules on spec.addons): what the command line writes must pass the API
 * server's validation, and its refusals must reach the user with the field
 * they name. No operator runs: the test writes status.addons as the add-on
 * controller would.
 */
describe("seedbed addon: a cluster's add-ons through the management API", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-addon-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters" };
  const specAddons = async (): Promise<Addon[] | undefined> => ((await objects().getNamespacedCustomObject({ ...coordinates, name: "web" })) as Cluster).spec.addons;

  /** Runs the command line, with `input` on its standard input. */
  const seedbed = (args: string[], input = ""): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000, input });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await objects().createNamespacedCustomObject({ ...coordinates, body: { apiVersion, kind: "Cluster", metadata: { name: "web", namespace }, spec: {} } });
  });

  it("enables a built-in add-on and installs a Helm chart with values from a file", async () => {
    const builtin = await seedbed(["addon", "enable", "web", "metrics-server"]);
    expect([builtin.status, builtin.stderr]).toEqual([0, ""]);
    expect(builtin.stdout).toBe("Add-on metrics-server of cluster web enabled. Follow it: seedbed addon list web --project default\n");
    const values = join(dir, "values.yaml");
    writeFileSync(values, "replicaCount: 2\nui:\n  message: hello\n");
    const helm = await seedbed(["addon", "enable", "web", "podinfo", "--chart", "oci://ghcr.io/stefanprodan/charts/podinfo", "--version", "6.9.0", "--values", values]);
    expect([helm.status, helm.stderr]).toEqual([0, ""]);
    expect(await specAddons()).toEqual([
      { name: "metrics-server", enabled: true },
      { name: "podinfo", enabled: true, helm: { repository: "oci://ghcr.io/stefanprodan/charts", chart: "podinfo", version: "6.9.0", namespace: "default", values: { replicaCount: 2, ui: { message: "hello" } } } },
    ]);
  });

  it("replaces a chart's values from standard input (JSON is YAML too)", async () => {
    const set = await seedbed(["addon", "set-values", "web", "podinfo", "--values", "-"], '{"replicaCount": 3}');
    expect([set.status, set.stderr]).toEqual([0, ""]);
    expect((await specAddons())?.find((a) => a.name === "podinfo")?.helm).toMatchObject({ version: "6.9.0", values: { replicaCount: 3 } });
  });

  it("shows the API server's refusal with the field it names, and changes nothing", async () => {
    const refused = await seedbed(["addon", "enable", "web", "grafana"]);
    expect(refused.status).toBe(5);
    expect(refused.stderr).toContain("cluster web is invalid:");
    expect(refused.stderr).toMatch(/spec\.addons\[2\]\.name: .*unknown built-in add-on 'grafana'/);
    expect((await specAddons())?.map((a) => a.name)).toEqual(["metrics-server", "podinfo"]);
    const values = await seedbed(["addon", "set-values", "web", "metrics-server", "--values", "-"], "a: 1");
    expect([values.status, values.stderr.trim()]).toEqual([5, "seedbed: add-on metrics-server of cluster web is a built-in one, without a Helm chart; values go to Helm add-ons: seedbed addon enable web metrics-server --chart URL/CHART --version V --values FILE"]);
  });

  it("lists what is installed beside what is asked for", async () => {
    const status = { phase: "Running", addons: [{ name: "coredns", source: "BuiltIn", version: "1.15.0", ready: true, phase: "Installed" }, { name: "podinfo", source: "Helm", version: "6.9.0", ready: false, phase: "Installing", message: "Deployment default/podinfo: 0 of 3 replicas available" }] };
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name: "web", body: [{ op: "add", path: "/status", value: status }] });
    const list = await seedbed(["addon", "list", "web"]);
    expect(list.status).toBe(0);
    expect(list.stdout.split("\n").map((line) => line.split(/\s{2,}/))).toEqual([
      ["NAME", "SOURCE", "VERSION", "PHASE", "READY", "MESSAGE"],
      ["coredns", "BuiltIn", "1.15.0", "Installed", "True"],
      ["metrics-server", "BuiltIn", "Pending", "False", "not installed yet"],
      ["podinfo", "Helm", "6.9.0", "Installing", "False", "Deployment default/podinfo: 0 of 3 replicas available"],
      [""],
    ]);
  });

  it("turns the platform's CoreDNS off with enabled: false and removes a Helm add-on's entry", async () => {
    const dns = await seedbed(["addon", "disable", "web", "coredns"]);
    expect([dns.status, dns.stdout]).toEqual([0, "Add-on coredns of cluster web disabled (enabled: false); it is uninstalled. Turn it on again: seedbed addon enable web coredns --project default\n"]);
    const helm = await seedbed(["addon", "disable", "web", "podinfo"]);
    expect([helm.status, helm.stdout]).toEqual([0, "Add-on podinfo removed from cluster web; its release is uninstalled.\n"]);
    expect(await specAddons()).toEqual([{ name: "metrics-server", enabled: true }, { name: "coredns", enabled: false }]);
    const none = await seedbed(["addon", "disable", "web", "podinfo"]);
    expect([none.status, none.stderr.trim()]).toEqual([3, "seedbed: cluster web has no add-on podinfo: list them with seedbed addon list web --project default"]);
  });
});
