import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// EtcdRestore and restore drills on the local driver, with snapshots in the real S3 server `seedbed up` runs.
describe("etcd restores and restore drills", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-rest";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-restore-test-"));
  let s3: EmbeddedS3;
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let tenant: KubeConfig;
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, plural, body: { apiVersion, kind, metadata: { name, namespace }, spec } });
  const settledBackup = (name: string): Promise<EtcdBackup> => eventually(() => read<EtcdBackup>("etcdbackups", name), (b) => b.status?.phase === "Completed" || b.status?.phase === "Failed", { timeoutMs: 90_000, description: `backup ${name} settled` });
  const settledRestore = (name: string): Promise<EtcdRestore> => eventually(() => read<EtcdRestore>("etcdrestores", name), (r) => r.status?.phase === "Completed" || r.status?.phase === "Failed", { timeoutMs: 180_000, description: `restore ${name} settled` });
  const running = (name: string): Promise<Cluster> => eventually(() => read<Cluster>("clusters", name), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: `cluster ${name} Running` });
  const configMaps = async (kc: KubeConfig, ns: string): Promise<Map<string, string>> => {
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns });
    return new Map(list.items.filter((c) => c.metadata?.name?.startsWith("obj-") === true).map((c) => [c.metadata?.name ?? "", c.data?.v ?? ""]));
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    platform = await startLocalOperator(kc, namespace, { backupStore: { location: s3.location, credentials: s3.credentials } });
    await create("clusters", "Cluster", "app", {});
    await running("app");
    tenant = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "app");
    const core = tenant.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "data" } } });
    // 200 objects, written 8 at a time.
    for (let i = 0; i < 200; i += 8) {
      await Promise.all(Array.from({ length: 8 }, (_, j) => core.createNamespacedConfigMap({ namespace: "data", body: { metadata: { name: `obj-${i + j}` }, data: { v: `original-${i + j}` } } })));
    }
    // A kwok machine, whose Node is in the snapshot.
    await create("nodepools", "NodePool", "workers", { clusterName: "app", replicas: 1 });
    await eventually(async () => (await core.listNode()).items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true).length, (n) => n === 1, { timeoutMs: 60_000, description: "the kwok Node Ready" });
    await create("etcdbackups", "EtcdBackup", "before", { clusterName: "app" });
    expect((await settledBackup("before")).status?.phase).toBe("Completed");
  });
  afterAll(async () => {
    await platform.stop();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("brings back exactly what the snapshot held; clients with an old watch relist, and the tenant's controllers work on", async () => {
    const core = tenant.makeApiClient(CoreV1Api);
    const snapshotState = await configMaps(tenant, "data");
    expect(snapshotState.size).toBe(200);
    // A client watching since before the restore.
    const informer = makeInformer(tenant, "/api/v1/namespaces/data/configmaps", () => core.listNamespacedConfigMap({ namespace: "data" }));
    // As client-node's documentation has it: an informer whose connection breaks is started again, and resumes from its revision.
    let stopped = false;
    informer.on("error", () => setTimeout(() => void (stopped ? undefined : informer.start().catch(() => undefined)), 500));
    await informer.start();
    // After the snapshot: 50 changed, 50 deleted, 50 made.
    for (let i = 0; i < 50; i++) await core.patchNamespacedConfigMap({ namespace: "data", name: `obj-${i}`, body: { data: { v: "changed" } } }, mergePatch);
    for (let i = 50; i < 100; i++) await core.deleteNamespacedConfigMap({ namespace: "data", name: `obj-${i}` });
    for (let i = 200; i < 250; i++) await core.createNamespacedConfigMap({ namespace: "data", body: { metadata: { name: `obj-${i}` }, data: { v: "after" } } });
    const seenBefore = Number((await core.listNamespacedConfigMap({ namespace: "data" })).metadata?.resourceVersion);
    // 200 objects (kube-root-ca.crt, which the tenant's controller-manager publishes in every namespace, aside).
    await eventually(() => Promise.resolve(informer.list().filter((c: V1ConfigMap) => c.metadata?.name?.startsWith("obj-") === true).length), (n) => n === 200, { timeoutMs: 10_000, description: "the informer saw the changes" });

    await create("etcdrestores", "EtcdRestore", "back", { clusterName: "app", backupName: "before" });
    const done = await settledRestore("back");
    expect(done.status?.phase).toBe("Completed");
    expect(done.status?.backupName).toBe("before");
    const backup = await read<EtcdBackup>("etcdbackups", "before");
    expect(done.status?.snapshotRevision).toBe(backup.status?.revision);
    // etcd continues past every revision a client saw before the restore.
    expect(done.status?.restoredRevision).toBeGreaterThan(seenBefore);
    expect(await configMaps(tenant, "data")).toEqual(snapshotState);
    const listedAfter = Number((await core.listNamespacedConfigMap({ namespace: "data" })).metadata?.resourceVersion);
    expect(listedAfter).toBeGreaterThan(seenBefore);
    // A watch from a revision seen before is told it is gone (410) instead of seeing time go backwards …
    expect(await firstWatchEvent(tenant, `/api/v1/namespaces/data/configmaps?watch=1&resourceVersion=${seenBefore}`)).toMatchObject({ type: "ERROR", object: { code: 410 } });
    // … and the informer that watched across the restore relisted: its cache is the restored state.
    const cached = (): Record<string, string> => Object.fromEntries(informer.list().filter((c: V1ConfigMap) => c.metadata?.name?.startsWith("obj-") === true).map((c) => [c.metadata?.name ?? "", c.data?.v ?? ""]));
    const relisted = await eventually(async () => Promise.resolve(cached()), (m) => Object.keys(m).length === 200 && m["obj-0"] === "original-0" && !("obj-200" in m), { timeoutMs: 60_000, description: "the informer relisted the restored state" });
    expect(new Map(Object.entries(relisted))).toEqual(snapshotState);
    stopped = true;
    await informer.stop();
    // The tenant's controller-manager works on the restored data: a Deployment gets its ReplicaSet.
    await tenant.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: "data", body: { metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "registry.k8s.io/pause:3.10" }] } } } } });
    await eventually(async () => (await tenant.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace: "data" })).items.length, (n) => n === 1, { timeoutMs: 60_000, description: "a ReplicaSet made by the restored cluster's controller-manager" });
    const cluster = await running("app");
    expect(cluster.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    // kwok came back with the control plane and keeps the restored Node alive: its Lease is renewed after the restore.
    const renewed = await eventually(async () => (await tenant.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: "kube-node-lease" })).items, (leases) => leases.length === 1 && Date.parse(String(leases[0]?.spec?.renewTime ?? "")) > Date.parse(done.status?.dataRestoredTime ?? ""), { timeoutMs: 60_000, description: "the kwok Node's Lease renewed after the restore" });
    expect(renewed).toHaveLength(1);
    expect((await core.listNode()).items.map((n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status)).toEqual(["True"]);
    // Nothing of the restore is left beside the cluster's data.
    const clusterDir = join(platform.stateDir, "clusters", cluster.status?.clusterID ?? "?");
    expect(() => readFileSync(join(clusterDir, "restore", "hold.json"))).toThrow();
    expect(JSON.parse(readFileSync(join(clusterDir, "restore.json"), "utf8"))).toMatchObject({ id: done.metadata.uid });
  });

  it("clones a backup into another cluster", async () => {
    await create("clusters", "Cluster", "copy", {});
    await running("copy");
    await create("etcdrestores", "EtcdRestore", "clone", { clusterName: "copy", backupName: "before" });
    const done = await settledRestore("clone");
    expect(done.status?.phase).toBe("Completed");
    await running("copy");
    const copy = await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "copy");
    const cloned = await eventually(() => configMaps(copy, "data"), (m) => m.size === 200, { timeoutMs: 30_000, description: "the clone serves the snapshot's objects" });
    expect(cloned.get("obj-7")).toBe("original-7");
  });

  it("drills a backup on demand: BackupVerified on the cluster, the drill's figures on the backup, and a metric", async () => {
    await objects.patchNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "before", body: { metadata: { annotations: { "seedbed.dev/verify": "2026-11-29T00:00:00Z" } } } }, mergePatch);
    const drilled = await eventually(() => read<EtcdBackup>("etcdbackups", "before"), (b) => b.status?.verification?.requestedAt === "2026-11-29T00:00:00Z", { timeoutMs: 60_000, description: "the drill recorded" });
    expect(drilled.status?.verification).toMatchObject({ passed: true, message: expect.stringMatching(/^restored into a scratch etcd at revision \d+: \d+ keys, \d+ of them read back$/) as unknown });
    expect(drilled.status?.verification?.message).toContain(`revision ${drilled.status?.revision ?? "?"}`);
    const cluster = await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.conditions?.some((x) => x.type === "BackupVerified") === true, { timeoutMs: 30_000, description: "BackupVerified on the cluster" });
    expect(cluster.status?.conditions?.find((c) => c.type === "BackupVerified")).toMatchObject({ status: "True", reason: "DrillPassed" });
    expect(cluster.status?.lastVerifiedBackupTime).toBe(drilled.status?.verification?.time);
    expect(await platform.operator.manager.metrics.registry.metrics()).toMatch(/^seedbed_etcd_backup_last_verified_timestamp_seconds\{namespace="project-rest",cluster="app"\} \d+/m);
  });

  it("refuses a damaged snapshot in the drill and in a restore, and leaves the cluster as it was", async () => {
    await create("etcdbackups", "EtcdBackup", "damaged", { clusterName: "app" });
    const backup = await settledBackup("damaged");
    // The stored object is damaged behind the platform's back.
    const key = (backup.status?.location ?? "").replace("s3://seedbed-backups/", "");
    const broken = join(dir, "broken.db");
    writeFileSync(broken, Buffer.alloc(4096, 7));
    await s3.store.putFile(key, broken);
    const core = tenant.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "data", body: { metadata: { name: "obj-late" }, data: { v: "late" } } });

    await objects.patchNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "damaged", body: { metadata: { annotations: { "seedbed.dev/verify": "now-1" } } } }, mergePatch);
    const drilled = await eventually(() => read<EtcdBackup>("etcdbackups", "damaged"), (b) => b.status?.verification?.requestedAt === "now-1", { timeoutMs: 60_000, description: "the drill of the damaged backup recorded" });
    expect(drilled.status?.verification?.passed).toBe(false);
    expect(drilled.status?.verification?.message).toContain("does not match backup damaged: its SHA-256 is");
    const cluster = await eventually(() => read<Cluster>("clusters", "app"), (c) => c.status?.conditions?.find((x) => x.type === "BackupVerified")?.status === "False", { timeoutMs: 30_000, description: "BackupVerified False" });
    expect(cluster.status?.conditions?.find((c) => c.type === "BackupVerified")?.message).toContain("the last good drill was of backup before");
    expect(await platform.operator.manager.metrics.registry.metrics()).toMatch(/^seedbed_etcd_backup_drill_failures_total\{namespace="project-rest",cluster="app"\} 1$/m);

    await create("etcdrestores", "EtcdRestore", "from-damaged", { clusterName: "app", backupName: "damaged" });
    const refused = await settledRestore("from-damaged");
    expect(refused.status?.phase).toBe("Failed");
    expect(refused.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "ChecksumMismatch", message: expect.stringContaining("the cluster was left as it was") as unknown });
    // The cluster kept serving, with what was written after the snapshot.
    expect((await core.readNamespacedConfigMap({ namespace: "data", name: "obj-late" })).data?.v).toBe("late");
    expect((await read<Cluster>("clusters", "app")).status?.phase).toBe("Running");
  });

  it("refuses a snapshot written by a newer etcd than the platform's, naming both", async () => {
    await create("etcdbackups", "EtcdBackup", "future", { clusterName: "app" });
    const backup = await settledBackup("future");
    // As a backup taken by a platform with a newer etcd would say (the status is the operator's record of the file).
    await objects.patchNamespacedCustomObjectStatus({ ...group, plural: "etcdbackups", name: "future", body: { status: { ...backup.status, etcdVersion: "3.99.0" } } }, mergePatch);
    await create("etcdrestores", "EtcdRestore", "from-future", { clusterName: "app", backupName: "future" });
    const refused = await settledRestore("from-future");
    expect(refused.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "VersionTooNew", message: expect.stringContaining("the snapshot was written by etcd 3.99.0, newer than this platform's etcd 3.6.16") as unknown });
    expect((await read<Cluster>("clusters", "app")).status?.phase).toBe("Running");
  });

  it("fails a restore of a backup that does not exist, naming the field", async () => {
    await create("etcdrestores", "EtcdRestore", "nothing", { clusterName: "app", backupName: "missing" });
    const refused = await settledRestore("nothing");
    expect(refused.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "BackupNotFound", message: expect.stringContaining("spec.backupName: EtcdBackup missing does not exist") as unknown });
    // Made without an owner (as through the REST API): it goes with its cluster all the same.
    expect(refused.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Cluster", name: "app" })]);
  });
});

/** The first event of a watch request, parsed (the stream is closed after it). */
async function firstWatchEvent(kc: KubeConfig, path: string): Promise<{ type: string; object: { code?: number } }> {
  const options = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(`${kc.getCurrentCluster()?.server ?? ""}${path}`, options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        const line = text.split("\n")[0];
        if (line !== undefined && text.includes("\n")) {
          resolve(JSON.parse(line) as { type: string; object: { code?: number } });
          req.destroy();
        }
      });
      res.on("end", () => reject(new Error(`watch ${path} ended without an event: ${res.statusCode ?? 0} ${text}`)));
    });
    req.on("error", reject);
    req.end();
  });
}
