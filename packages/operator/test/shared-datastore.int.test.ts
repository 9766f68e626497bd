import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type Seed } from "@seedbed/api";
import { findProcessesByMarker, isPermissionDenied, runEtcdctl, tenantUsage, type SharedEtcdAccess } from "@seedbed/controlplane";
import { eventually, repeat } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-shared";
const group = { group: "seedbed.dev", version: "v1alpha1" };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// Two clusters keep their data in the local seed's shared etcd: each under
// its own prefix, with an etcd user that etcd itself confines to it.
describe("a shared datastore on a local seed", () => {
  const api = useKubeAPI({ controllers: true });
  let local: LocalOperator;
  let objects: CustomObjectsApi;
  const cluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, namespace, plural: "clusters", name })) as Cluster;
  const clusterID = async (name: string): Promise<string> => (await cluster(name)).status?.clusterID ?? "?";
  const root = (): SharedEtcdAccess => local.operator.driver?.sharedDatastoreAccess("local") ?? { endpoints: [], caFile: "", certFile: "", keyFile: "" };
  /** The client certificate a cluster's API servers reach the shared etcd with (CN = its id). */
  const tenantAccess = async (name: string): Promise<SharedEtcdAccess> => {
    const dir = join(local.stateDir, "clusters", await clusterID(name), "shared-etcd");
    return { endpoints: root().endpoints, caFile: join(dir, "ca.crt"), certFile: join(dir, "client.crt"), keyFile: join(dir, "client.key"), timeoutMs: 10_000 };
  };
  const core = async (name: string): Promise<CoreV1Api> => (await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, name)).makeApiClient(CoreV1Api);

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    local = await startLocalOperator(kc, namespace);
    await objects.patchClusterCustomObject({ ...group, plural: "seeds", name: "local", body: { spec: { sharedDatastore: { members: 3 } } } }, mergePatch);
  }, 60_000);
  afterAll(async () => {
    const stateDir = local.stateDir;
    await local.stop();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "shared-etcd")}`, { prefix: true })) process.kill(pid, "SIGKILL");
  });

  it("runs the seed's shared etcd, and two clusters on it each reach only their own prefix", async () => {
    const seed = await eventually(async () => (await objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" })) as Seed, (s) => s.status?.sharedDatastore?.ready === true, { timeoutMs: 60_000, description: "the shared etcd ready" });
    expect(seed.status?.sharedDatastore?.members).toBe("3/3");
    for (const name of ["alpha", "beta"]) {
      await objects.createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: { controlPlane: { datastore: { type: "Shared", storage: "64Mi" } } } } });
    }
    for (const name of ["alpha", "beta"]) {
      const running = await eventually(() => cluster(name), (c) => c.status?.phase === "Running" && (c.status.controlPlane?.datastore?.keys ?? 0) > 0, { timeoutMs: 120_000, description: `${name} Running on the shared etcd` });
      expect(running.status?.controlPlane?.datastore).toMatchObject({ type: "Shared", sharedWith: "local", limitBytes: 64 * 1024 ** 2 });
      expect(running.status?.controlPlane?.datastore?.bytes).toBeGreaterThan(0);
      // The shared etcd's three members, not an etcd of its own.
      expect(running.status?.controlPlane?.etcd).toBe("3/3");
      expect(findProcessesByMarker(`seedbed:${join(local.stateDir, "clusters", running.status?.clusterID ?? "?")}/etcd`)).toEqual([]);
    }
    await (await core("alpha")).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "alphas-own" }, data: { secret: "of alpha" } } });
    const betaNames = (await (await core("beta")).listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(betaNames).not.toContain("alphas-own");

    // etcd itself refuses alpha's certificate everything outside /<alpha id>/.
    const [alpha, beta] = [await clusterID("alpha"), await clusterID("beta")];
    const asAlpha = await tenantAccess("alpha");
    const own = await runEtcdctl(asAlpha, ["get", `/${alpha}/configmaps/default/alphas-own`, "--print-value-only"]);
    expect(own).toContain("of alpha");
    for (const args of [["get", `/${beta}/`, "--prefix", "--keys-only"], ["get", "/", "--prefix", "--keys-only", "--limit=1"], ["put", `/${beta}/configmaps/default/planted`, "x"], ["del", `/${beta}/`, "--prefix"]]) {
      const refused = await runEtcdctl(asAlpha, args).then(() => undefined, (error: unknown) => error);
      expect(isPermissionDenied(refused), `alpha's certificate: etcdctl ${args.join(" ")}`).toBe(true);
    }
    expect((await tenantUsage(root(), beta)).keys).toBeGreaterThan(0);
    const seedNow = (await objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" })) as Seed;
    await eventually(async () => (await objects.getClusterCustomObject({ ...group, plural: "seeds", name: "local" })) as Seed, (s) => s.status?.sharedDatastore?.tenants === 2, { timeoutMs: 60_000, description: `two tenants on the seed (was ${JSON.stringify(seedNow.status?.sharedDatastore)})` });
  }, 300_000);

  it("refuses creates in a cluster at its limit, naming the fix, keeps updates and the other cluster working, and takes creates again once the limit is raised", async () => {
    await objects.patchNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "alpha", body: { spec: { controlPlane: { datastore: { storage: "100Ki" } } } } }, mergePatch);
    const full = await eventually(() => cluster("alpha"), (c) => c.status?.conditions?.find((x) => x.type === "DatastoreWithinLimit")?.status === "False", { timeoutMs: 60_000, description: "alpha at its limit" });
    const condition = full.status?.conditions?.find((x) => x.type === "DatastoreWithinLimit");
    expect(condition?.reason).toBe("LimitReached");
    expect(condition?.message).toMatch(/of its 100\.0 KiB limit .*raise spec\.controlPlane\.datastore\.storage of Cluster project-shared\/alpha/);
    const alphaCore = await core("alpha");
    const refusal = await eventually(
      () => alphaCore.createNamespacedConfigMap({ namespace: "default", body: { metadata: { generateName: "more-" } } }).then(() => undefined, (error: unknown) => String(error)),
      (e) => e !== undefined,
      { timeoutMs: 30_000, description: "a create refused in alpha" },
    );
    expect(refusal).toMatch(/raise spec\.controlPlane\.datastore\.storage/);
    // Updates still work (leases, status, freeing space), and beta is not limited by alpha.
    await alphaCore.patchNamespacedConfigMap({ namespace: "default", name: "alphas-own", body: { data: { secret: "changed" } } }, mergePatch);
    await (await core("beta")).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "betas-own" } } });
    const events = await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: "involvedObject.name=alpha,reason=LimitReached" });
    expect(events.items.length).toBeGreaterThan(0);

    await objects.patchNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "alpha", body: { spec: { controlPlane: { datastore: { storage: "64Mi" } } } } }, mergePatch);
    await eventually(() => cluster("alpha"), (c) => c.status?.conditions?.find((x) => x.type === "DatastoreWithinLimit")?.status === "True", { timeoutMs: 60_000, description: "alpha within its limit again" });
    await eventually(
      () => alphaCore.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-the-raise" } } }).then(() => true, () => false),
      (created) => created,
      { timeoutMs: 30_000, description: "a create accepted in alpha again" },
    );
  }, 180_000);

  it("removes a deleted cluster's keys, user and role, and leaves the other cluster's data", async () => {
    const alpha = await clusterID("alpha");
    await objects.deleteNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "alpha" });
    await eventually(() => objects.listNamespacedCustomObject({ ...group, namespace, plural: "clusters" }) as Promise<{ items: Cluster[] }>, (l) => !l.items.some((c) => c.metadata.name === "alpha"), { timeoutMs: 60_000, description: "alpha gone" });
    expect((await tenantUsage(root(), alpha)).keys).toBe(0);
    const users = JSON.parse(await runEtcdctl(root(), ["user", "list", "-w", "json"])) as { users?: string[] };
    expect(users.users).not.toContain(alpha);
    const roles = JSON.parse(await runEtcdctl(root(), ["role", "list", "-w", "json"])) as { roles?: string[] };
    expect(roles.roles).not.toContain(alpha);
    const betaNames = (await (await core("beta")).listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(betaNames).toContain("betas-own");
  }, 120_000);

  it("moves a running cluster's data to the shared etcd and back, with its objects, stopping its API only for the copy", async () => {
    await objects.createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "gamma", namespace }, spec: {} } });
    const dedicated = await eventually(() => cluster("gamma"), (c) => c.status?.phase === "Running" && c.status.controlPlane?.datastore?.type === "Dedicated", { timeoutMs: 120_000, description: "gamma Running on an etcd of its own" });
    const id = dedicated.status?.clusterID ?? "?";
    const gamma = await core("gamma");
    await gamma.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "moved-along" }, data: { payload: "x".repeat(4096) } } });
    // A reader all along: the longest time it got no answer is the move's downtime.
    const loop = readLoop(() => gamma.readNamespacedConfigMap({ namespace: "default", name: "moved-along" }).then((c) => c.data?.payload?.length === 4096));

    await objects.patchNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "gamma", body: { spec: { controlPlane: { datastore: { type: "Shared" } } } } }, mergePatch);
    await eventually(() => cluster("gamma"), (c) => c.status?.phase === "Running" && c.status.controlPlane?.datastore?.type === "Shared", { timeoutMs: 120_000, description: "gamma Running on the shared etcd" }).catch(async (error: unknown) => {
      const c = await cluster("gamma");
      throw new Error(`${String(error).slice(0, 200)}; phase ${c.status?.phase ?? "?"}, datastore ${JSON.stringify(c.status?.controlPlane?.datastore)}, conditions ${JSON.stringify(c.status?.conditions?.map((x) => `${x.type}=${x.status} ${x.reason}: ${x.message}`))}`);
    });
    await eventually(() => gamma.readNamespacedConfigMap({ namespace: "default", name: "moved-along" }).then(() => true, () => false), (ok) => ok, { timeoutMs: 30_000, description: "gamma answers after the move" });
    const toShared = await loop.stop();
    expect(toShared.wrong, "reads that answered with other data").toBe(0);
    expect(toShared.longestGapMs).toBeLessThan(60_000);
    expect(findProcessesByMarker(`seedbed:${join(local.stateDir, "clusters", id)}/etcd`, { prefix: true })).toEqual([]);
    expect((await tenantUsage(root(), id)).keys).toBeGreaterThan(0);
    const events = await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: "involvedObject.name=gamma,reason=DatastoreMoved" });
    expect(events.items[0]?.message ?? "").toMatch(/moved the cluster's \d+ keys to the shared etcd of seed local/);
    console.log(`[shared-datastore] move to Shared: longest time without an answer ${toShared.longestGapMs} ms (${toShared.failures} failed reads of ${toShared.reads})`);

    await gamma.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "made-while-shared" } } });
    const back = readLoop(() => gamma.readNamespacedConfigMap({ namespace: "default", name: "moved-along" }).then((c) => c.data?.payload?.length === 4096));
    await objects.patchNamespacedCustomObject({ ...group, namespace, plural: "clusters", name: "gamma", body: { spec: { controlPlane: { datastore: { type: "Dedicated" } } } } }, mergePatch);
    await eventually(() => cluster("gamma"), (c) => c.status?.phase === "Running" && c.status.controlPlane?.datastore?.type === "Dedicated", { timeoutMs: 120_000, description: "gamma Running on an etcd of its own again" });
    await eventually(() => gamma.readNamespacedConfigMap({ namespace: "default", name: "made-while-shared" }).then(() => true, () => false), (ok) => ok, { timeoutMs: 30_000, description: "gamma has what was made while shared" });
    const toDedicated = await back.stop();
    expect(toDedicated.wrong).toBe(0);
    expect(toDedicated.longestGapMs).toBeLessThan(60_000);
    console.log(`[shared-datastore] move to Dedicated: longest time without an answer ${toDedicated.longestGapMs} ms (${toDedicated.failures} failed reads of ${toDedicated.reads})`);
    // Nothing of it is left in the shared etcd.
    expect((await tenantUsage(root(), id)).keys).toBe(0);
    const users = JSON.parse(await runEtcdctl(root(), ["user", "list", "-w", "json"])) as { users?: string[] };
    expect(users.users).not.toContain(id);
  }, 400_000);
});

/** Reads in a loop (every 100 ms, each bounded by 5 s) until stopped; counts failures and the longest time between two good answers. */
function readLoop(read: () => Promise<boolean>): { stop(): Promise<{ reads: number; failures: number; wrong: number; longestGapMs: number }> } {
  const counts = { reads: 0, failures: 0, wrong: 0, longestGapMs: 0 };
  let lastGood = Date.now();
  const { state, done } = repeat(async () => {
    counts.reads += 1;
    const answer = await Promise.race([read().then((ok) => (ok ? "good" : "wrong"), () => "failed"), new Promise<string>((resolve) => setTimeout(() => resolve("failed"), 5000))]);
    if (answer === "good") {
      counts.longestGapMs = Math.max(counts.longestGapMs, Date.now() - lastGood);
      lastGood = Date.now();
    } else if (answer === "wrong") counts.wrong += 1;
    else counts.failures += 1;
  }, 100);
  return {
    async stop() {
      state.running = false;
      await done;
      return counts;
    },
  };
}
