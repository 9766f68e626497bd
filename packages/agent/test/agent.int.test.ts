import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { installCRDs, policyInventoryName, policyNameAnnotation, policyUIDLabel, type ClusterPolicy, type ClusterSyncPolicyStatus } from "@seedbed/api";
import { isNotFound, statusCodeOf, type ObjectClient } from "@seedbed/runtime";
import { eventually, processesMentioning } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyAgent } from "../src/index.ts";
import { clientFor, createAgentIdentity, createPolicy, issueAgentToken, patchPolicy, readSync, setSyncPolicies, writeTokenKubeConfig } from "./hub.ts";

const management = useKubeAPI();
const tenant = useKubeAPI();

const namespace = "team-a";
const cluster = "prod";
const rbac = "/apis/rbac.authorization.k8s.io/v1";
const reader = { apiGroups: [""], resources: ["pods"], verbs: ["get" as const, "list" as const] };
const appsNamespace = { name: "apps", labels: { env: "prod" } };
const readersBinding = { name: "readers", namespace: "apps", roleRef: { kind: "Role" as const, name: "reader" }, subjects: [{ kind: "User" as const, name: "alice" }] };
const settingsManifest = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "apps" }, data: { level: "1" } };
const baselineSpec: Partial<ClusterPolicy["spec"]> = {
  namespaces: [appsNamespace],
  roles: [{ name: "reader", namespace: "apps", rules: [reader] }],
  bindings: [readersBinding],
  manifests: [settingsManifest],
};

let hub: ObjectClient;
let cell: ObjectClient;
let dir: string;
let kubeconfigFile: string;
let baseline: ClusterPolicy;
let agent: PolicyAgent;

async function tenantGet<T = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string } }>(path: string): Promise<T | undefined> {
  try {
    return await cell.request<T>("GET", path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function policyEntry(name: string): Promise<ClusterSyncPolicyStatus | undefined> {
  return (await readSync(hub, namespace, cluster)).status?.policies?.find((entry) => entry.name === name);
}

/** Waits until the agent reports `name` at its current generation in `state`. */
async function reported(policy: ClusterPolicy, state: ClusterSyncPolicyStatus["state"], timeoutMs = 20_000): Promise<ClusterSyncPolicyStatus> {
  const found = await eventually(() => policyEntry(policy.metadata.name ?? ""), (entry) => entry !== undefined && entry.observedGeneration === policy.metadata.generation && entry.state === state, {
    timeoutMs,
    description: `${policy.metadata.name ?? ""} ${state} at generation ${policy.metadata.generation ?? 0}`,
  });
  if (!found) throw new Error("unreachable");
  return found;
}

function newAgent(): PolicyAgent {
  return new PolicyAgent({ managementKubeConfigFile: kubeconfigFile, tenantKubeConfig: tenant().kubeConfig(), namespace, cluster, debounceMs: 100, reloadIntervalMs: 300 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seedbed-agent-"));
  kubeconfigFile = join(dir, "management.kubeconfig");
  const admin = management().kubeConfig();
  await installCRDs(admin);
  hub = clientFor(admin);
  cell = clientFor(tenant().kubeConfig());
  await hub.request("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } } });
  baseline = await createPolicy(hub, namespace, "baseline", baselineSpec);
  await setSyncPolicies(hub, namespace, cluster, [baseline]);
  await createAgentIdentity(hub, namespace, cluster, ["baseline", "extras"]);
  writeTokenKubeConfig(kubeconfigFile, admin, await issueAgentToken(admin, hub, namespace, cluster, "agent-token-1"), namespace);
  agent = newAgent();
  await agent.start();
}, 120_000);

afterAll(async () => {
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the policy agent", () => {
  it("keeps the policy's namespace, Role, RoleBinding and ConfigMap on the tenant, labelled as the policy's", async () => {
    const ns = await eventually(() => tenantGet("/api/v1/namespaces/apps"), (obj) => obj !== undefined, { timeoutMs: 10_000 });
    expect(ns?.metadata.labels).toMatchObject({ env: "prod", [policyUIDLabel]: baseline.metadata.uid });
    expect(ns?.metadata.annotations?.[policyNameAnnotation]).toBe("team-a/baseline");
    for (const path of [`${rbac}/namespaces/apps/roles/reader`, `${rbac}/namespaces/apps/rolebindings/readers`, "/api/v1/namespaces/apps/configmaps/settings"]) {
      expect((await tenantGet(path))?.metadata.labels?.[policyUIDLabel], path).toBe(baseline.metadata.uid);
    }
    const inventory = await tenantGet<{ data: { objects: string; prune: string } }>(`/api/v1/namespaces/kube-system/configmaps/${policyInventoryName(baseline.metadata.uid ?? "")}`);
    expect(JSON.parse(inventory?.data.objects ?? "[]")).toHaveLength(4);
  });

  it("reports the policy InSync with its object count and the ClusterSync generation it applied", async () => {
    const entry = await reported(baseline, "InSync");
    expect(entry).toMatchObject({ namespace, name: "baseline", uid: baseline.metadata.uid, objects: 4, problemCount: 0 });
    const sync = await readSync(hub, namespace, cluster);
    expect(sync.status?.observedGeneration).toBe(sync.metadata.generation);
    expect(sync.status?.pruning).toBe(0);
  });

  it("recreates a deleted Role within seconds", async () => {
    await cell.request("DELETE", `${rbac}/namespaces/apps/roles/reader`);
    const started = Date.now();
    await eventually(() => tenantGet(`${rbac}/namespaces/apps/roles/reader`), (role) => role !== undefined, { timeoutMs: 5000, intervalMs: 100 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("sets a RoleBinding subject someone changed back (changed: Overwrite)", async () => {
    const binding = await cell.request<{ subjects: unknown[] }>("GET", `${rbac}/namespaces/apps/rolebindings/readers`);
    binding.subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }];
    await cell.request("PUT", `${rbac}/namespaces/apps/rolebindings/readers`, { body: binding, query: { fieldManager: "kubectl-edit" } });
    await eventually(
      () => cell.request<{ subjects: { name: string }[] }>("GET", `${rbac}/namespaces/apps/rolebindings/readers`),
      (current) => current.subjects.length === 1 && current.subjects[0]?.name === "alice",
      { timeoutMs: 5000, intervalMs: 100, description: "the subject set back to alice" },
    );
  });

  it("reports a changed field as a conflict naming the manager when changed is Report", async () => {
    baseline = await patchPolicy(hub, baseline, { bindings: [{ ...readersBinding, conflicts: { changed: "Report" } }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    await reported(baseline, "InSync");
    const binding = await cell.request<{ subjects: unknown[] }>("GET", `${rbac}/namespaces/apps/rolebindings/readers`);
    binding.subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }];
    await cell.request("PUT", `${rbac}/namespaces/apps/rolebindings/readers`, { body: binding, query: { fieldManager: "kubectl-edit" } });
    const entry = await reported(baseline, "Conflicted");
    expect(entry.problems?.[0]).toMatchObject({ kind: "RoleBinding", namespace: "apps", name: "readers", reason: "Conflict" });
    expect(entry.problems?.[0]?.message).toContain("kubectl-edit");
    expect(entry.problems?.[0]?.message).toContain("set conflicts.changed: Overwrite");
    baseline = await patchPolicy(hub, baseline, { bindings: baselineSpec.bindings });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    await reported(baseline, "InSync");
    const fixed = await cell.request<{ subjects: { name: string }[] }>("GET", `${rbac}/namespaces/apps/rolebindings/readers`);
    expect(fixed.subjects.map((subject) => subject.name)).toEqual(["alice"]);
  });

  it("reports an existing Namespace it did not make (existing: Report), then adopts it (existing: Adopt)", async () => {
    await cell.request("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy", labels: { owner: "someone" } } } });
    baseline = await patchPolicy(hub, baseline, { namespaces: [appsNamespace, { name: "legacy", labels: { team: "a" } }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    const conflicted = await reported(baseline, "Conflicted");
    expect(conflicted.problems).toEqual([
      { apiVersion: "v1", kind: "Namespace", name: "legacy", reason: "Conflict", message: "exists and was not made by policy team-a/baseline; set conflicts.existing: Adopt to take it over" },
    ]);
    expect((await tenantGet("/api/v1/namespaces/legacy"))?.metadata.labels?.[policyUIDLabel]).toBeUndefined();

    baseline = await patchPolicy(hub, baseline, { namespaces: [appsNamespace, { name: "legacy", labels: { team: "a" }, conflicts: { existing: "Adopt" } }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    expect(await reported(baseline, "InSync")).toMatchObject({ objects: 5, problemCount: 0 });
    expect((await tenantGet("/api/v1/namespaces/legacy"))?.metadata.labels).toMatchObject({ owner: "someone", team: "a", [policyUIDLabel]: baseline.metadata.uid });
  });

  it("makes no requests and writes no status while nothing changes", async () => {
    await agent.idle();
    await sleep(500);
    await agent.idle();
    const before = agent.stats();
    const version = (await readSync(hub, namespace, cluster)).metadata.resourceVersion;
    await sleep(4000);
    expect(agent.stats()).toEqual(before);
    expect((await readSync(hub, namespace, cluster)).metadata.resourceVersion).toBe(version);
  });

  it("keeps working when its token file is rewritten and the old token revoked", async () => {
    const admin = management().kubeConfig();
    const oldFile = join(dir, "old.kubeconfig");
    writeTokenKubeConfig(oldFile, admin, readFileSync(kubeconfigFile, "utf8").match(/token: (\S+)/)?.[1] ?? "", namespace);
    writeTokenKubeConfig(kubeconfigFile, admin, await issueAgentToken(admin, hub, namespace, cluster, "agent-token-2"), namespace);
    await sleep(1500);
    await hub.request("DELETE", `/api/v1/namespaces/${namespace}/secrets/agent-token-1`);
    const oldKc = new KubeConfig();
    oldKc.loadFromFile(oldFile);
    await eventually(
      () => clientFor(oldKc).request("GET", `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/clustersyncs/${cluster}`).then(() => 200, (error: unknown) => statusCodeOf(error)),
      (code) => code === 401,
      { timeoutMs: 10_000, description: "the old token refused" },
    );
    baseline = await patchPolicy(hub, baseline, { manifests: [settingsManifest, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "rotated", namespace: "apps" }, data: { a: "b" } }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    expect(await reported(baseline, "InSync")).toMatchObject({ objects: 6 });
    expect(await tenantGet("/api/v1/namespaces/apps/configmaps/rotated")).toBeDefined();
  });

  it("converges after a restart, removing what the policy stopped listing while it was down", async () => {
    await agent.stop();
    baseline = await patchPolicy(hub, baseline, { manifests: [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "auditor" }, rules: [reader] }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    await cell.request("DELETE", `${rbac}/namespaces/apps/roles/reader`);
    agent = newAgent();
    await agent.start();
    expect(await reported(baseline, "InSync", 10_000)).toMatchObject({ objects: 5 });
    expect(await tenantGet("/api/v1/namespaces/apps/configmaps/settings")).toBeUndefined();
    expect(await tenantGet("/api/v1/namespaces/apps/configmaps/rotated")).toBeUndefined();
    expect((await tenantGet(`${rbac}/clusterroles/auditor`))?.metadata.labels?.[policyUIDLabel]).toBe(baseline.metadata.uid);
    expect(await tenantGet(`${rbac}/namespaces/apps/roles/reader`)).toBeDefined();
  });

  it("orphans a deselected policy's objects when it says prune: false, and removes its inventory", async () => {
    const extras = await createPolicy(hub, namespace, "extras", { prune: false, namespaces: [{ name: "kept" }], roles: [{ name: "kept-viewer", rules: [reader] }] });
    await setSyncPolicies(hub, namespace, cluster, [baseline, extras]);
    await reported(extras, "InSync");
    const inventoryPath = `/api/v1/namespaces/kube-system/configmaps/${policyInventoryName(extras.metadata.uid ?? "")}`;
    expect(await tenantGet(inventoryPath)).toBeDefined();
    await setSyncPolicies(hub, namespace, cluster, [baseline]);
    await eventually(() => tenantGet(inventoryPath), (inventory) => inventory === undefined, { timeoutMs: 10_000, description: "the inventory removed" });
    for (const path of ["/api/v1/namespaces/kept", `${rbac}/clusterroles/kept-viewer`]) {
      const obj = await tenantGet(path);
      expect(obj, path).toBeDefined();
      expect(obj?.metadata.labels?.[policyUIDLabel], path).toBeUndefined();
      expect(obj?.metadata.annotations?.[policyNameAnnotation], path).toBeUndefined();
    }
    await eventually(() => readSync(hub, namespace, cluster), (sync) => sync.status?.policies?.length === 1 && sync.status.pruning === 0, { timeoutMs: 10_000 });
  });

  it("removes everything a policy made once it no longer selects the cluster", async () => {
    await setSyncPolicies(hub, namespace, cluster, []);
    const inventoryPath = `/api/v1/namespaces/kube-system/configmaps/${policyInventoryName(baseline.metadata.uid ?? "")}`;
    await eventually(() => tenantGet(inventoryPath), (inventory) => inventory === undefined, { timeoutMs: 10_000, description: "the inventory removed" });
    expect(await tenantGet(`${rbac}/namespaces/apps/roles/reader`)).toBeUndefined();
    expect(await tenantGet(`${rbac}/namespaces/apps/rolebindings/readers`)).toBeUndefined();
    expect(await tenantGet(`${rbac}/clusterroles/auditor`)).toBeUndefined();
    // No namespace controller runs in this tenant: a deleted namespace stays Terminating.
    for (const name of ["apps", "legacy"]) {
      const ns = await tenantGet(`/api/v1/namespaces/${name}`);
      expect(ns === undefined || ns.metadata.deletionTimestamp !== undefined, name).toBe(true);
    }
    const sync = await eventually(() => readSync(hub, namespace, cluster), (current) => current.status?.policies?.length === 0, { timeoutMs: 10_000 });
    expect(sync.status?.pruning).toBe(0);
  });
});

describe("the seedbed-agent binary", () => {
  it("syncs its cluster, logs JSON lines without the token, and exits 0 on SIGTERM leaving no process", async () => {
    const admin = management().kubeConfig();
    const dev = "dev";
    const policy = await createPolicy(hub, namespace, "dev-baseline", { namespaces: [{ name: "dev-apps", labels: { env: "dev" } }] });
    await setSyncPolicies(hub, namespace, dev, [policy]);
    await createAgentIdentity(hub, namespace, dev, ["dev-baseline"]);
    const token = await issueAgentToken(admin, hub, namespace, dev, "dev-token");
    const file = join(dir, "dev.kubeconfig");
    writeTokenKubeConfig(file, admin, token, namespace);
    const marker = `agent-int-test-${process.pid}-${Date.now()}`;
    const bin = fileURLToPath(new URL("../src/bin/seedbed-agent.ts", import.meta.url));
    const child = spawn(process.execPath, [bin, "--management-kubeconfig", file, "--tenant-kubeconfig", tenant().kubeconfigPath, "--namespace", namespace, "--cluster", dev, "--marker", marker], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");
    try {
      const ns = await eventually(() => tenantGet("/api/v1/namespaces/dev-apps"), (obj) => obj !== undefined, { timeoutMs: 20_000, description: "dev-apps made by the binary" });
      expect(ns?.metadata.labels?.[policyUIDLabel]).toBe(policy.metadata.uid);
      await eventually(() => readSync(hub, namespace, dev), (sync) => sync.status?.policies?.[0]?.state === "InSync", { timeoutMs: 10_000 });
      expect(processesMentioning(marker)).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(processesMentioning(marker)).toEqual([]);
    const lines = stdout.trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(lines.some((line) => line.includes("Policy agent started"))).toBe(true);
    expect(lines.some((line) => line.includes("Policy agent stopped"))).toBe(true);
    expect(stdout).not.toContain(token);
  });
});
