import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, policyUIDLabel, type Cluster, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareManagementAPI, tenantKubeConfig } from "./local-platform.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What the policy below keeps on a cluster, read from its tenant: undefined for what is not there. */
interface Kept {
  readonly namespace: string | undefined;
  readonly roles: string[];
  readonly binding: string | undefined;
}

// Issue 20's fleet: two prod clusters and one dev, real local control
// planes, the operator in a process of its own (killed like a crash), each
// cluster's agent a real process with its own identity.
describe("policies kept on a fleet by pull agents", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-fleet";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-policy-sync-"));
  const stateDir = join(dir, "state");
  const agentsDir = join(stateDir, "agents");
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const tenants = new Map<string, KubeConfig>();
  const uids = new Map<string, string>();
  let objects: CustomObjectsApi;
  let kubeconfigFile: string;
  let operator: ChildProcess | undefined;

  const startOperatorProcess = async (): Promise<void> => {
    const child = spawn(process.execPath, [new URL("./fixtures/operator-process.ts", import.meta.url).pathname], {
      env: { ...process.env, SEEDBED_TEST_KUBECONFIG: kubeconfigFile, SEEDBED_TEST_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    operator = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => (chunk.toString().includes("operator started") ? resolve() : undefined));
      child.once("exit", (code) => reject(new Error(`the operator exited with ${String(code)} before it started`)));
    });
  };
  const killOperator = async (): Promise<void> => {
    const child = operator;
    operator = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
  };
  const agentPids = (cluster: string): number[] => findProcessesByMarker(`seedbed-agent:${agentsDir}/${uids.get(cluster) ?? "?"}`);
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const kept = async (cluster: string): Promise<Kept> => {
    const kc = tenants.get(cluster);
    if (kc === undefined) throw new Error(`no tenant ${cluster}`);
    const core = kc.makeApiClient(CoreV1Api);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const ns = await core.readNamespace({ name: "team-x" }).catch(() => undefined);
    const alive = ns !== undefined && ns.metadata?.deletionTimestamp === undefined;
    const roles = alive ? (await rbac.listNamespacedRole({ namespace: "team-x", labelSelector: policyUIDLabel })).items.map((r) => r.metadata?.name ?? "").sort() : [];
    const binding = alive ? await rbac.readNamespacedRoleBinding({ namespace: "team-x", name: "readers" }).catch(() => undefined) : undefined;
    return { namespace: alive ? ns.metadata?.labels?.team : undefined, roles, binding: binding?.subjects?.[0]?.name };
  };
  const policy = (roles: string[]): object => ({
    apiVersion,
    kind: "ClusterPolicy",
    metadata: { name: "prod-access", namespace },
    spec: {
      clusterSelector: { matchLabels: { env: "prod" } },
      namespaces: [{ name: "team-x", labels: { team: "x" } }],
      roles: roles.map((name) => ({ name, namespace: "team-x", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] })),
      bindings: [{ name: "readers", namespace: "team-x", roleRef: { kind: "Role", name: roles[0] }, subjects: [{ kind: "Group", name: "team-x-readers" }] }],
    },
  });
  const synced = (generation: number, selected: number): Promise<ClusterPolicy> =>
    eventually(() => read<ClusterPolicy>("clusterpolicies", "prod-access"), (p) => p.metadata.generation === generation && p.status?.observedGeneration === generation && p.status.selectedClusters === selected && p.status.inSyncClusters === selected, { timeoutMs: 90_000, description: `the policy in sync on ${String(selected)} clusters at generation ${String(generation)}` });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    await prepareManagementAPI(kc, namespace);
    kubeconfigFile = join(dir, "management.kubeconfig");
    writeFileSync(kubeconfigFile, kc.exportConfig(), { mode: 0o600 });
    await startOperatorProcess();
    for (const [name, env] of [["prod-a", "prod"], ["prod-b", "prod"], ["dev-c", "dev"]] as const) {
      await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace, labels: { env } }, spec: {} } });
    }
    for (const name of ["prod-a", "prod-b", "dev-c"]) {
      const cluster = await eventually(() => read<Cluster>("clusters", name), (c) => c.status?.phase === "Running", { timeoutMs: 180_000, description: `${name} Running` });
      uids.set(name, cluster.metadata.uid ?? "");
      tenants.set(name, await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, name));
    }
  }, 300_000);
  afterAll(async () => {
    await killOperator();
    for (const prefix of [`seedbed:${join(stateDir, "clusters")}`, `seedbed-agent:${agentsDir}`]) {
      for (const pid of findProcessesByMarker(prefix, { prefix: true })) process.kill(pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a namespace, a Role and a RoleBinding on both prod clusters and nothing on dev", async () => {
    await objects.createNamespacedCustomObject({ ...group, plural: "clusterpolicies", body: policy(["pod-reader"]) });
    const expected: Kept = { namespace: "x", roles: ["pod-reader"], binding: "team-x-readers" };
    for (const cluster of ["prod-a", "prod-b"]) await eventually(() => kept(cluster), (k) => JSON.stringify(k) === JSON.stringify(expected), { timeoutMs: 60_000, description: `the policy's objects on ${cluster}` });
    const status = await synced(1, 2);
    expect(status.status).toMatchObject({ phase: "Synced", conflictedClusters: 0, failedClusters: 0 });
    expect(await kept("dev-c")).toEqual({ namespace: undefined, roles: [], binding: undefined });
    // The dev cluster never had a policy: no agent, no ClusterSync.
    expect(agentPids("dev-c")).toEqual([]);
    expect(await read<ClusterSync>("clustersyncs", "dev-c").then(() => true, () => false)).toBe(false);
    expect(agentPids("prod-a")).toHaveLength(1);
  });

  it("puts back an object deleted in a tenant within seconds, by watch", async () => {
    const rbac = tenants.get("prod-a")?.makeApiClient(RbacAuthorizationV1Api);
    const deletedAt = performance.now();
    await rbac?.deleteNamespacedRoleBinding({ namespace: "team-x", name: "readers" });
    await eventually(() => kept("prod-a"), (k) => k.binding === "team-x-readers", { timeoutMs: 10_000, intervalMs: 100, description: "the RoleBinding back on prod-a" });
    process.stderr.write(`[policy-sync] a deleted RoleBinding was back after ${String(Math.round(performance.now() - deletedAt))} ms\n`);
  });

  it("removes them from a cluster relabelled to dev, and its agent goes once it has", async () => {
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "prod-b", body: { metadata: { labels: { env: "dev" } } } }, mergePatch);
    await eventually(() => kept("prod-b"), (k) => k.namespace === undefined && k.roles.length === 0, { timeoutMs: 60_000, description: "the policy's objects gone from prod-b" });
    await synced(1, 1);
    // Nothing left to prune there: the agent stops, and no inventory is left in the tenant.
    await eventually(() => Promise.resolve(agentPids("prod-b")), (pids) => pids.length === 0, { timeoutMs: 30_000, description: "prod-b's agent stopped" });
    const inventories = await tenants.get("prod-b")?.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: "kube-system", labelSelector: "policy.seedbed.dev/inventory" });
    expect(inventories?.items).toEqual([]);
  });

  it("converges after the agent and the operator are killed at random points of a change", async () => {
    // Random points, printed so a failure can be replayed.
    const agentDelayMs = Math.floor(Math.random() * 1500);
    const operatorDelayMs = Math.floor(Math.random() * 1500);
    process.stderr.write(`[policy-sync] killing prod-a's agent ${String(agentDelayMs)} ms and the operator ${String(operatorDelayMs)} ms into a change\n`);
    const before = agentPids("prod-a");
    expect(before).toHaveLength(1);
    const current = await read<ClusterPolicy>("clusterpolicies", "prod-access");
    await objects.replaceNamespacedCustomObject({ ...group, plural: "clusterpolicies", name: "prod-access", body: { ...policy(["pod-reader", "pod-lister"]), metadata: { name: "prod-access", namespace, resourceVersion: current.metadata.resourceVersion } } });
    await Promise.all([
      sleep(agentDelayMs).then(() => before.forEach((pid) => process.kill(pid, "SIGKILL"))),
      sleep(operatorDelayMs).then(killOperator),
    ]);
    await startOperatorProcess();
    await eventually(() => kept("prod-a"), (k) => k.roles.join() === "pod-lister,pod-reader" && k.binding === "team-x-readers", { timeoutMs: 60_000, description: "both roles on prod-a" });
    await synced(2, 1);
    // Exactly one agent for prod-a (a new one), none for the others; prod-b's objects stayed gone.
    await eventually(() => Promise.resolve(agentPids("prod-a")), (pids) => pids.length === 1 && pids[0] !== before[0], { timeoutMs: 30_000, description: "one new agent for prod-a" });
    expect(agentPids("prod-b")).toEqual([]);
    expect((await kept("prod-b")).roles).toEqual([]);
  });

  it("prunes everything it made when the policy is deleted", async () => {
    await objects.deleteNamespacedCustomObject({ ...group, plural: "clusterpolicies", name: "prod-access" });
    await eventually(() => kept("prod-a"), (k) => k.namespace === undefined && k.roles.length === 0, { timeoutMs: 60_000, description: "the policy's objects gone from prod-a" });
    await eventually(() => Promise.resolve(agentPids("prod-a")), (pids) => pids.length === 0, { timeoutMs: 30_000, description: "prod-a's agent stopped" });
  });
});
