import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type ClusterPolicy } from "@seedbed/api";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const group = { group: "seedbed.dev", version: "v1alpha1" };

/** A table's lines, cells split at runs of two or more spaces. */
const cells = (stdout: string): string[][] => stdout.trimEnd().split("\n").map((line) => line.trim().split(/\s{2,}/));

/**
 * `seedbed cluster list -l/-L/-A`, `cluster label` and `seedbed policy
 * list|get|status` against a real management API with the CRDs. No
 * operator or agent runs: the test writes the policies' status and the
 * ClusterSyncs (spec and status) with the admin client, as they would.
 */
describe("seedbed cluster registry and policy commands", () => {
  const api = useKubeAPI();
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const seedbed = (args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });

  const createPolicy = async (namespace: string, name: string, spec: object, status: object): Promise<ClusterPolicy> => {
    const created = (await objects().createNamespacedCustomObject({ ...group, namespace, plural: "clusterpolicies", body: { apiVersion, kind: "ClusterPolicy", metadata: { name, namespace }, spec } })) as ClusterPolicy;
    await objects().patchNamespacedCustomObjectStatus({ ...group, namespace, plural: "clusterpolicies", name, body: [{ op: "add", path: "/status", value: status }] });
    return created;
  };
  /** The ClusterSync of a cluster listing `policies`, with the agent's reports on them. */
  const writeSync = async (namespace: string, cluster: string, policies: ClusterPolicy[], reports: object[]): Promise<void> => {
    const refs = policies.map((p) => ({ namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "", generation: p.metadata.generation ?? 0 }));
    await objects().createNamespacedCustomObject({ ...group, namespace, plural: "clustersyncs", body: { apiVersion, kind: "ClusterSync", metadata: { name: cluster, namespace }, spec: { policies: refs } } });
    const status = { policies: reports.map((r, i) => ({ ...refs[i], observedGeneration: refs[i]?.generation ?? 0, lastSyncTime: new Date().toISOString(), ...r })) };
    await objects().patchNamespacedCustomObjectStatus({ ...group, namespace, plural: "clustersyncs", name: cluster, body: [{ op: "add", path: "/status", value: status }] });
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    for (const name of ["project-default", "project-other", "seedbed-system"]) await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    const clusters: [string, string, Record<string, string>][] = [["project-default", "web", { env: "prod", region: "eu" }], ["project-default", "api", { env: "prod", region: "us" }], ["project-default", "lab", { env: "dev" }], ["project-other", "shop", { env: "prod", region: "eu" }]];
    for (const [namespace, name, labels] of clusters) {
      await objects().createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace, labels }, spec: { version: "1.37" } } });
    }
    const prodSpec = {
      clusterSelector: { matchLabels: { env: "prod" } },
      namespaces: [{ name: "team" }],
      roles: [{ name: "dev", namespace: "team", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] }],
      bindings: [{ name: "dev", namespace: "team", roleRef: { kind: "Role", name: "dev" }, subjects: [{ kind: "Group", name: "devs" }] }],
      prune: true,
    };
    const baseline = await createPolicy("project-default", "baseline", prodSpec, {
      phase: "Partial", selectedClusters: 2, inSyncClusters: 1, conflictedClusters: 1, offenders: [{ namespace: "project-default", name: "api", state: "Conflicted", message: "1 object in conflict" }],
    });
    const fleet = await createPolicy("seedbed-system", "fleet", { clusterSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["eu"] }] }, namespaces: [{ name: "audit" }], prune: false }, { phase: "Synced", selectedClusters: 2, inSyncClusters: 2 });
    await writeSync("project-default", "web", [baseline, fleet], [{ state: "InSync", objects: 3 }, { state: "InSync", objects: 1 }]);
    await writeSync("project-default", "api", [baseline], [{ state: "Conflicted", objects: 2, problemCount: 1, problems: [{ kind: "RoleBinding", namespace: "team", name: "dev", reason: "Conflict", message: "exists and is not the policy's (conflicts.existing: Report)" }] }]);
    await writeSync("project-other", "shop", [fleet], [{ state: "InSync", objects: 1 }]);
  });

  it("lists the clusters a selector matches, with label columns, in one project or all", async () => {
    const prod = await seedbed(["cluster", "list", "-l", "env=prod", "-L", "env,region"]);
    expect([prod.status, prod.stderr]).toEqual([0, ""]);
    expect(cells(prod.stdout).map((row) => [row[0], ...row.slice(-2)])).toEqual([["NAME", "ENV", "REGION"], ["api", "prod", "us"], ["web", "prod", "eu"]]);
    const eu = await seedbed(["cluster", "list", "-A", "--selector", "region in (eu),env!=dev", "--label-columns", "region"]);
    expect(eu.status).toBe(0);
    expect(cells(eu.stdout).map((row) => [row[0], row[1], row.at(-1)])).toEqual([["PROJECT", "NAME", "REGION"], ["default", "web", "eu"], ["other", "shop", "eu"]]);
    const none = await seedbed(["cluster", "list", "-l", "env=staging"]);
    expect(none.stdout).toBe("No clusters in project default match env=staging.\n");
    const bad = await seedbed(["cluster", "list", "-l", "env=prod,region in ()"]);
    expect([bad.status, bad.stderr.trim()]).toEqual([2, 'seedbed: --selector: "region in ()" is not a label requirement; use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, joined by commas, e.g. env=prod,region in (eu,us)']);
  });

  it("sets and removes a cluster's labels, and the selector follows", async () => {
    const label = await seedbed(["cluster", "label", "lab", "env=prod", "team=ml", "region-"]);
    expect([label.status, label.stderr]).toEqual([0, ""]);
    expect(label.stdout).toBe("Cluster lab labelled: env=prod, team=ml, region removed. Its labels: env=prod,team=ml\n");
    const cluster = (await objects().getNamespacedCustomObject({ ...group, namespace: "project-default", plural: "clusters", name: "lab" })) as Cluster;
    expect(cluster.metadata.labels).toEqual({ env: "prod", team: "ml" });
    const list = await seedbed(["cluster", "list", "-l", "team"]);
    expect(cells(list.stdout).map((row) => row[0])).toEqual(["NAME", "lab"]);
    expect((await seedbed(["cluster", "label", "lab", "env=dev", "team-"])).status).toBe(0);
    const missing = await seedbed(["cluster", "label", "gone", "env=prod"]);
    expect([missing.status, missing.stderr.trim()]).toEqual([3, "seedbed: cluster gone not found in project default"]);
    const bad = await seedbed(["cluster", "label", "lab", "env"]);
    expect(bad.status).toBe(2);
  });

  it("lists policies with their counts, in a project or everywhere", async () => {
    const list = await seedbed(["policy", "list"]);
    expect([list.status, list.stderr]).toEqual([0, ""]);
    expect(cells(list.stdout).map((row) => row.slice(0, 7))).toEqual([
      ["NAMESPACE", "NAME", "SELECTED", "IN SYNC", "CONFLICTED", "FAILED", "PHASE"],
      ["project-default", "baseline", "2", "1", "1", "0", "Partial"],
    ]);
    const all = await seedbed(["policy", "list", "-A"]);
    expect(cells(all.stdout).slice(1).map((row) => [row[0], row[1], row[6]])).toEqual([["project-default", "baseline", "Partial"], ["seedbed-system", "fleet", "Synced"]]);
    const platform = await seedbed(["policy", "ls", "--platform", "-o", "json"]);
    expect((JSON.parse(platform.stdout) as { items: ClusterPolicy[] }).items.map((p) => p.metadata.name)).toEqual(["fleet"]);
  });

  it("shows a policy, as a summary or as YAML, and says where to look when it is not there", async () => {
    const get = await seedbed(["policy", "get", "baseline"]);
    expect(get.status).toBe(0);
    expect(get.stdout).toContain("Clusters:    env=prod\n");
    expect(get.stdout).toContain("Keeps:       1 namespace, 1 role, 1 binding, 0 manifests\n");
    expect(get.stdout).toContain("Status:      2 selected, 1 in sync, 0 pending, 0 drifted, 1 conflicted, 0 failed\n");
    const yaml = await seedbed(["policy", "get", "fleet", "--platform", "-o", "yaml"]);
    expect(parse(yaml.stdout)).toMatchObject({ kind: "ClusterPolicy", metadata: { name: "fleet", namespace: "seedbed-system" }, spec: { prune: false } });
    const missing = await seedbed(["policy", "get", "fleet"]);
    expect([missing.status, missing.stderr.trim()]).toEqual([3, "seedbed: policy fleet not found in project default: list them with seedbed policy list --project default (or -A), or pass --project or --platform"]);
  });

  it("shows each cluster's state and problems from the ClusterSyncs", async () => {
    const status = await seedbed(["policy", "status", "baseline"]);
    expect([status.status, status.stderr]).toEqual([0, ""]);
    const lines = status.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "Policy project-default/baseline (generation 1): Partial",
      "Clusters: 2 selected, 1 in sync, 0 pending, 0 drifted, 1 conflicted, 0 failed",
      "",
      "Worst off (the policy's status):",
      "  api  Conflicted: 1 object in conflict",
    ]);
    expect(cells(lines.slice(6, 9).join("\n")).map((row) => row.slice(0, 4))).toEqual([["CLUSTER", "STATE", "OBJECTS", "PROBLEMS"], ["api", "Conflicted", "2", "1"], ["web", "InSync", "3", "0"]]);
    expect(lines.slice(9)).toEqual(["", "Problems:", "  api  Conflict  RoleBinding team/dev: exists and is not the policy's (conflicts.existing: Report)", ""]);
  });

  it("reads a platform policy's clusters across projects, and prints the detail as JSON", async () => {
    const status = await seedbed(["policy", "status", "fleet", "--platform"]);
    expect(cells(status.stdout.split("\n").slice(3).join("\n")).map((row) => row.slice(0, 3))).toEqual([["CLUSTER", "STATE", "OBJECTS"], ["default/web", "InSync", "1"], ["other/shop", "InSync", "1"]]);
    const json = await seedbed(["policy", "status", "fleet", "--platform", "-o", "json"]);
    const detail = JSON.parse(json.stdout) as { name: string; clusters: { namespace: string; cluster: string; state: string; current: boolean }[] };
    expect(detail.name).toBe("fleet");
    expect(detail.clusters.map((c) => [c.namespace, c.cluster, c.state, c.current])).toEqual([["project-default", "web", "InSync", true], ["project-other", "shop", "InSync", true]]);
  });
});
