import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiException, AuthorizationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type V1ResourceAttributes } from "@kubernetes/client-node";
import { agentRevokedForAnnotation, apiVersion, policyAgentRoleName, policyAgentServiceAccount, revokeAgentAnnotation, type Cluster } from "@seedbed/api";
import { findProcessesByMarker, isRunning } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { prepareManagementAPI } from "./local-platform.ts";

// A cluster a ClusterPolicy selects gets a policy agent with an identity of
// its own; the operator is killed (SIGKILL, in a process of its own) and a
// new one adopts the agent; a revoke replaces the identity; deleting the
// cluster removes everything.
describe("the policy-agent host", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-agents";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-policy-agent-"));
  const stateDir = join(dir, "state");
  const workDir = join(stateDir, "agents");
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const account = policyAgentServiceAccount("alpha");
  let child: ChildProcess | undefined;
  let operator: Operator | undefined;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let uid = "";
  const marker = (): string => `seedbed-agent:${workDir}/${uid}`;
  const agentKubeconfig = (): string => join(workDir, uid, "management.kubeconfig");
  const tokenInFile = (): string => (JSON.parse(readFileSync(agentKubeconfig(), "utf8")) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
  /** The HTTP status of reading a ClusterSync with the agent's kubeconfig as it was when `text` was read. */
  const readSyncAs = async (text: string, name: string): Promise<number> => {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    try {
      await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...group, plural: "clustersyncs", name });
      return 200;
    } catch (error) {
      if (error instanceof ApiException) return error.code;
      throw error;
    }
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await prepareManagementAPI(kc, namespace);
    const kubeconfigFile = join(dir, "management.kubeconfig");
    writeFileSync(kubeconfigFile, kc.exportConfig(), { mode: 0o600 });
    // An operator in a process of its own, so the test can kill it as a crash would.
    child = spawn(process.execPath, [new URL("./fixtures/operator-process.ts", import.meta.url).pathname], {
      env: { ...process.env, SEEDBED_TEST_KUBECONFIG: kubeconfigFile, SEEDBED_TEST_STATE_DIR: stateDir },
      stdio: ["ignore", "ignore", "inherit"],
    });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await operator?.stop();
    for (const prefix of [`seedbed:${join(stateDir, "clusters")}`, `seedbed-agent:${workDir}`]) {
      for (const pid of findProcessesByMarker(prefix, { prefix: true })) process.kill(pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives a selected cluster an agent that may read its own objects and the policies selecting it, and nothing else", async () => {
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "alpha", namespace, labels: { env: "prod" } }, spec: {} } });
    const cluster = await eventually(() => objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "alpha" }) as Promise<Cluster>, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "alpha Running" });
    uid = cluster.metadata.uid ?? "";
    // Before any policy: no agent, no identity.
    await sleep(1000);
    expect(await core.readNamespacedServiceAccount({ namespace, name: account }).then(() => true, () => false)).toBe(false);
    expect(findProcessesByMarker(marker())).toEqual([]);

    const policy = (name: string, env: string): object => ({ apiVersion, kind: "ClusterPolicy", metadata: { name, namespace }, spec: { clusterSelector: { matchLabels: { env } }, namespaces: [{ name: `team-${env}` }] } });
    await objects.createNamespacedCustomObject({ ...group, plural: "clusterpolicies", body: policy("prod-baseline", "prod") });
    await objects.createNamespacedCustomObject({ ...group, plural: "clusterpolicies", body: policy("dev-baseline", "dev") });
    await eventually(() => Promise.resolve(findProcessesByMarker(marker())), (pids) => pids.length === 1, { timeoutMs: 60_000, description: "one agent process" });
    const sa = await core.readNamespacedServiceAccount({ namespace, name: account });
    expect(sa.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Cluster", name: "alpha", uid });
    const role = await kcRbac().readNamespacedRole({ namespace, name: policyAgentRoleName(namespace, "alpha") });
    expect(role.rules?.find((r) => r.resources?.includes("clusterpolicies"))?.resourceNames).toEqual(["prod-baseline"]);
    expect(statSync(join(workDir, uid)).mode & 0o777).toBe(0o700);
    expect(statSync(agentKubeconfig()).mode & 0o777).toBe(0o600);
    expect(statSync(join(workDir, uid, "tenant.kubeconfig")).mode & 0o777).toBe(0o600);

    const user = `system:serviceaccount:${namespace}:${account}`;
    const may = async (attributes: V1ResourceAttributes): Promise<boolean> => {
      const review = await api().kubeConfig().makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"], resourceAttributes: Object.assign({ namespace }, attributes) } },
      });
      return review.status?.allowed === true;
    };
    const seedbed = (resource: string, verb: string, name?: string, subresource?: string): V1ResourceAttributes => ({ group: "seedbed.dev", resource, verb, ...(name === undefined ? {} : { name }), ...(subresource === undefined ? {} : { subresource }) });
    const allowed: [string, V1ResourceAttributes][] = [
      ["get its Cluster", seedbed("clusters", "get", "alpha")],
      ["watch its Cluster", seedbed("clusters", "watch", "alpha")],
      ["get its ClusterSync", seedbed("clustersyncs", "get", "alpha")],
      ["patch its ClusterSync's status", seedbed("clustersyncs", "patch", "alpha", "status")],
      ["get the policy selecting it", seedbed("clusterpolicies", "get", "prod-baseline")],
    ];
    const refused: [string, V1ResourceAttributes][] = [
      ["list ClusterPolicies", seedbed("clusterpolicies", "list")],
      ["get a policy that does not select it", seedbed("clusterpolicies", "get", "dev-baseline")],
      ["get another cluster's ClusterSync", seedbed("clustersyncs", "get", "beta")],
      ["get another Cluster", seedbed("clusters", "get", "beta")],
      ["update its Cluster", seedbed("clusters", "update", "alpha")],
      ["patch its ClusterSync's spec", seedbed("clustersyncs", "patch", "alpha")],
      ["patch another ClusterSync's status", seedbed("clustersyncs", "patch", "beta", "status")],
      ["get a Secret", { resource: "secrets", verb: "get", name: "alpha-admin-kubeconfig" }],
      ["list Secrets", { resource: "secrets", verb: "list" }],
      ["list Secrets anywhere", { resource: "secrets", verb: "list", namespace: "" }],
      ["create a Cluster", seedbed("clusters", "create")],
      ["create a ClusterPolicy", seedbed("clusterpolicies", "create")],
      ["create a ConfigMap", { resource: "configmaps", verb: "create" }],
      ["create a token", { resource: "serviceaccounts", subresource: "token", verb: "create", name: account }],
    ];
    const answers = await Promise.all([...allowed, ...refused].map(async ([what, attributes]) => [what, await may(attributes)] as const));
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries([...allowed.map(([w]) => [w, true]), ...refused.map(([w]) => [w, false])]));

    // The issued token, really used: its own ClusterSync yes, another's no.
    const text = readFileSync(agentKubeconfig(), "utf8");
    expect(await eventually(() => readSyncAs(text, "alpha"), (code) => code === 200, { timeoutMs: 30_000, description: "own ClusterSync readable" })).toBe(200);
    expect(await readSyncAs(text, "beta")).toBe(403);
  }, 240_000);

  it("leaves the agent running when the operator is killed; the next operator adopts it and gives it a new token", async () => {
    const [pid] = findProcessesByMarker(marker());
    const before = tokenInFile();
    child?.kill("SIGKILL");
    await new Promise((resolve) => child?.once("exit", resolve));
    child = undefined;
    expect(isRunning(pid ?? 0)).toBe(true);
    operator = await startOperator({ kubeConfig: api().kubeConfig(), stateDir, unsafeNoFsync: true });
    // A restarted operator cannot know when the file's token expires: it issues a new one.
    await eventually(() => Promise.resolve(tokenInFile()), (token) => token !== "" && token !== before, { timeoutMs: 60_000, description: "a new token in the agent's kubeconfig" });
    await sleep(2000);
    expect(findProcessesByMarker(marker())).toEqual([pid]);
    expect(await readSyncAs(readFileSync(agentKubeconfig(), "utf8"), "alpha")).toBe(200);
    const metrics = await operator.manager.registry.metrics();
    expect(metrics).toMatch(/^seedbed_policy_agents 1$/m);
    expect(metrics).toMatch(/^seedbed_policy_agent_token_rotations_total\{reason="start"\} 1$/m);
  }, 120_000);

  it("revokes: the old token is refused within the API server's 10 s authentication cache, a new agent runs with a new token", async () => {
    const [oldPid] = findProcessesByMarker(marker());
    const oldText = readFileSync(agentKubeconfig(), "utf8");
    expect(await readSyncAs(oldText, "alpha")).toBe(200);
    const oldUID = (await core.readNamespacedServiceAccount({ namespace, name: account })).metadata?.uid;
    const value = new Date().toISOString();
    const asked = Date.now();
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "alpha", body: { metadata: { annotations: { [revokeAgentAnnotation]: value } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await eventually(() => readSyncAs(oldText, "alpha"), (code) => code === 401, { timeoutMs: 30_000, intervalMs: 100, description: "the old token refused" });
    const refusedAfterMs = Date.now() - asked;
    process.stderr.write(`[policy-agent] old token refused ${String(refusedAfterMs)} ms after the revoke was asked\n`);
    // The API server caches a token's successful authentication for 10 s (kube-apiserver's token cache): that, plus a reconcile, is the bound.
    expect(refusedAfterMs).toBeLessThanOrEqual(12_000);
    const sa = await eventually(() => core.readNamespacedServiceAccount({ namespace, name: account }), (s) => s.metadata?.annotations?.[agentRevokedForAnnotation] === value, { timeoutMs: 30_000, description: "a new ServiceAccount" });
    expect(sa.metadata?.uid).not.toBe(oldUID);
    const pids = await eventually(() => Promise.resolve(findProcessesByMarker(marker())), (p) => p.length === 1 && p[0] !== oldPid, { timeoutMs: 30_000, description: "a new agent process" });
    expect(isRunning(oldPid ?? 0)).toBe(false);
    expect(await eventually(() => readSyncAs(readFileSync(agentKubeconfig(), "utf8"), "alpha"), (code) => code === 200, { timeoutMs: 30_000, description: "the new token works" })).toBe(200);
    await sleep(1000);
    expect(findProcessesByMarker(marker())).toEqual(pids);
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: "involvedObject.name=alpha,reason=AgentRevoked" });
    expect(events.items.length).toBeGreaterThan(0);
  }, 120_000);

  it("removes the agent, its files and its identity when the cluster is deleted", async () => {
    await objects.deleteNamespacedCustomObject({ ...group, plural: "clusters", name: "alpha" });
    await eventually(() => Promise.resolve(findProcessesByMarker(marker()).length + (existsSync(join(workDir, uid)) ? 1 : 0)), (left) => left === 0, { timeoutMs: 120_000, description: "no agent process and no files" });
    const selector = "policy.seedbed.dev/agent-cluster=alpha";
    await eventually(
      async () => (await core.listServiceAccountForAllNamespaces({ labelSelector: selector })).items.length + (await kcRbac().listRoleForAllNamespaces({ labelSelector: selector })).items.length + (await kcRbac().listRoleBindingForAllNamespaces({ labelSelector: selector })).items.length,
      (left) => left === 0,
      { timeoutMs: 60_000, description: "no ServiceAccount, Role or RoleBinding left" },
    );
  }, 180_000);

  it("stops every agent it runs when it stops: a platform that stops leaves no agent process", async () => {
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "beta", namespace, labels: { env: "prod" } }, spec: {} } });
    const beta = await eventually(() => objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "beta" }) as Promise<Cluster>, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "beta Running" });
    const betaMarker = `seedbed-agent:${workDir}/${beta.metadata.uid ?? ""}`;
    await eventually(() => Promise.resolve(findProcessesByMarker(betaMarker).length), (n) => n === 1, { timeoutMs: 60_000, description: "beta's agent running" });
    await operator?.stop();
    operator = undefined;
    expect(findProcessesByMarker(`seedbed-agent:${workDir}`, { prefix: true })).toEqual([]);
  }, 180_000);

  function kcRbac(): RbacAuthorizationV1Api {
    return api().kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  }
});
