import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shiftedClock, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

// EtcdBackup on the local driver, stored in the real S3 server `seedbed up` runs.
describe("etcd backups", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-keep";
  const dir = mkdtempSync(join(tmpdir(), "seedbed-backup-test-"));
  let s3: EmbeddedS3;
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  const clock = shiftedClock();
  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const readBackup = async (name: string): Promise<EtcdBackup> => (await objects.getNamespacedCustomObject({ ...group, plural: "etcdbackups", name })) as EtcdBackup;
  const createBackup = (name: string, clusterName = "keep"): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, plural: "etcdbackups", body: { apiVersion, kind: "EtcdBackup", metadata: { name, namespace }, spec: { clusterName } } });
  const settled = (name: string): Promise<EtcdBackup> => eventually(() => readBackup(name), (b) => b.status?.phase === "Completed" || b.status?.phase === "Failed", { timeoutMs: 90_000, description: `backup ${name} settled` });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    platform = await startLocalOperator(kc, namespace, { backupStore: { location: s3.location, credentials: s3.credentials }, clock });
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "keep", namespace }, spec: {} } });
    await eventually(async () => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "keep" })) as Cluster, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster Running" });
  });
  afterAll(async () => {
    await platform.stop();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores a checked snapshot of the cluster's etcd, and deleting the EtcdBackup deletes it", async () => {
    const tenant = (await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "keep")).makeApiClient(CoreV1Api);
    for (let i = 0; i < 20; i++) await tenant.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `kept-${i}` }, data: { i: String(i) } } });
    await createBackup("first");
    const backup = await settled("first");
    expect(backup.status?.phase).toBe("Completed");
    expect(backup.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "Completed" });
    expect(backup.status?.location).toMatch(/^s3:\/\/seedbed-backups\/keep--keep\/first-[0-9a-f]{8}\.db$/);
    expect(backup.status?.revision).toBeGreaterThan(20);
    // Made without an owner: the operator makes its cluster the owner, so that it goes with it.
    expect(backup.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Cluster", name: "keep" })]);
    // The stored object is the snapshot the status describes, byte for byte.
    const key = (backup.status?.location ?? "").replace("s3://seedbed-backups/", "");
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of await s3.store.get(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(hash.digest("hex")).toBe(backup.status?.sha256);
    expect(size).toBe(backup.status?.sizeBytes);
    // On /metrics: when the cluster's last backup completed, and its size.
    const metrics = await platform.operator.manager.metrics.registry.metrics();
    const labels = `{namespace="${namespace}",cluster="keep"}`;
    expect(Number(new RegExp(`^seedbed_etcd_backup_last_success_timestamp_seconds${labels} (\\S+)$`, "m").exec(metrics)?.[1])).toBe(Date.parse(backup.status?.completionTime ?? "") / 1000);
    expect(metrics).toContain(`seedbed_etcd_backup_size_bytes${labels} ${String(backup.status?.sizeBytes)}`);

    await objects.deleteNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "first" });
    await eventually(() => readBackup("first").then(() => false, () => true), (gone) => gone, { timeoutMs: 30_000, description: "EtcdBackup gone" });
    expect(await s3.store.list("keep--keep/")).toEqual([]);
  });

  it("fails a backup of a cluster that does not exist, naming it", async () => {
    await createBackup("orphan", "nowhere");
    const backup = await settled("orphan");
    expect(backup.status?.phase).toBe("Failed");
    expect(backup.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "ClusterNotFound", message: expect.stringContaining("Cluster nowhere does not exist") as unknown });
  });

  it("reports a store that does not answer and retries until it does", async () => {
    const { port } = new URL(s3.location.endpoint);
    await s3.stop();
    await createBackup("outage");
    const failing = await eventually(() => readBackup("outage"), (b) => b.status?.conditions?.some((c) => c.reason === "AttemptFailed") === true, { timeoutMs: 60_000, description: "the failed attempt reported" });
    expect(failing.status?.phase).toBe("Running");
    expect(failing.status?.conditions?.find((c) => c.type === "Ready")?.message).toContain(`storing the snapshot at ${s3.location.endpoint} bucket seedbed-backups`);
    expect(JSON.stringify(failing)).not.toContain(s3.credentials.secretAccessKey);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3"), port: Number(port) });
    const done = await settled("outage");
    expect(done.status?.phase).toBe("Completed");
    const failures = /^seedbed_etcd_backup_failures_total\{namespace="project-keep",cluster="keep"\} (\d+)$/m.exec(await platform.operator.manager.metrics.registry.metrics());
    expect(Number(failures?.[1])).toBeGreaterThan(0);
  });

  it("takes scheduled backups as spec.backup says, keeps as many as its retention, and reports them on the Cluster", async () => {
    const readCluster = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "sched" })) as Cluster;
    const scheduled = async (): Promise<EtcdBackup[]> => ((await objects.listNamespacedCustomObject({ ...group, plural: "etcdbackups", labelSelector: "seedbed.dev/scheduled=true" })) as { items: EtcdBackup[] }).items.filter((b) => b.spec.clusterName === "sched");
    // The first look must see no run due: a real hour starting while the cluster comes up would make one (the hours below are the shifted clock's).
    const untilNextHour = 3_600_000 - (Date.now() % 3_600_000);
    if (untilNextHour < 4 * 60_000) await new Promise((resolve) => setTimeout(resolve, untilNextHour + 10_000));
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "sched", namespace }, spec: { backup: { schedule: "@hourly", retention: 2, verify: "@hourly" } } } });
    const running = await eventually(readCluster, (c) => c.status?.phase === "Running" && c.status.conditions?.some((x) => x.type === "BackupsHealthy") === true, { timeoutMs: 120_000, description: "sched Running with BackupsHealthy" });
    expect(running.status?.conditions?.find((c) => c.type === "SpecSupported")?.status).toBe("True");
    expect(running.status?.conditions?.find((c) => c.type === "BackupsHealthy")).toMatchObject({ status: "True", reason: "NoneDueYet" });
    // Three hours pass, one at a time: a scheduled backup each hour (a poke makes the operator look at once).
    for (let hour = 1; hour <= 3; hour++) {
      clock.offsetMs = hour * 3_600_000;
      await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "sched", body: [{ op: "add", path: "/metadata/annotations", value: { "test.seedbed.dev/hour": String(hour) } }] });
      await eventually(scheduled, (list) => list.filter((b) => b.status?.phase === "Completed").length === Math.min(hour, 2) && list.length === Math.min(hour, 2), { timeoutMs: 60_000, description: `hour ${hour}: ${Math.min(hour, 2)} scheduled backups kept` });
    }
    const kept = await scheduled();
    expect(kept.every((b) => b.status?.scheduled === true)).toBe(true);
    // Each stands for the hour it was taken in (the operator's clock), the newest two of three.
    expect(kept.map((b) => Math.round((Date.parse(b.metadata.annotations?.["seedbed.dev/scheduled-for"] ?? "") - Date.now()) / 3_600_000)).sort()).toEqual([2, 3]);
    // The oldest went with its stored snapshot: the store holds exactly the two kept.
    expect((await s3.store.list("keep--sched/")).map((o) => o.key).sort()).toEqual(kept.map((b) => (b.status?.location ?? "").replace("s3://seedbed-backups/", "")).sort());
    const cluster = await eventually(readCluster, (c) => c.status?.conditions?.find((x) => x.type === "BackupsHealthy")?.reason === "BackupsSucceeding", { timeoutMs: 30_000, description: "BackupsHealthy succeeding" });
    const newest = kept.map((b) => b.status?.completionTime ?? "").sort().at(-1);
    expect(cluster.status?.lastBackupTime).toBe(newest);
    // The drill schedule (hourly here) had the newest snapshot restored into a scratch etcd and checked.
    const verified = await eventually(readCluster, (c) => c.status?.conditions?.find((x) => x.type === "BackupVerified")?.status === "True", { timeoutMs: 60_000, description: "a scheduled drill passed" });
    expect(verified.status?.conditions?.find((c) => c.type === "BackupVerified")?.message).toMatch(/^the restore drill of backup sched-\d{8}-\d{4} at .* passed: restored into a scratch etcd at revision \d+/);
    expect(Date.parse(verified.status?.lastVerifiedBackupTime ?? "")).toBeGreaterThan(Date.now());
  }, 480_000);

  it("stores the snapshots of a cluster that names its own S3 store, with the credentials of its Secret, which never show", async () => {
    // Back to the real time: certificates issued in the shifted future would not be valid yet.
    clock.offsetMs = 0;
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: "s3-credentials" }, stringData: { credentials: JSON.stringify(s3.credentials) } } });
    const storage = { s3: { endpoint: s3.location.endpoint, bucket: s3.location.bucket, region: "us-east-1", prefix: "own-store/", credentialsSecretRef: { name: "s3-credentials", key: "credentials" } } };
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "own", namespace }, spec: { backup: { schedule: "0 0 1 1 *", retention: 1, storage } } } });
    await eventually(async () => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "own" })) as Cluster, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "own Running" });
    await createBackup("own-first", "own");
    const backup = await settled("own-first");
    expect(backup.status?.phase).toBe("Completed");
    expect(backup.status?.location).toMatch(/^s3:\/\/seedbed-backups\/own-store\/keep--own\/own-first-[0-9a-f]{8}\.db$/);
    expect((await s3.store.list("own-store/keep--own/")).map((o) => o.key)).toHaveLength(1);
    expect(JSON.stringify(backup)).not.toContain(s3.credentials.secretAccessKey);
    // A Secret without the key named is reported on the backup, naming the field and the fix.
    await core.patchNamespacedSecret({ namespace, name: "s3-credentials", body: [{ op: "remove", path: "/data/credentials" }] });
    await createBackup("own-second", "own");
    const refused = await settled("own-second");
    expect(refused.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "NoStore", message: "spec.backup.storage.s3.credentialsSecretRef: Secret project-keep/s3-credentials has no key credentials; add it" });
  });

  it("stores a cluster's snapshots where its seed says, and deletes each from where it was recorded after the settings changed", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: "seed-s3" }, stringData: { credentials: JSON.stringify(s3.credentials) } } });
    const backupStorage = { s3: { endpoint: s3.location.endpoint, bucket: s3.location.bucket, region: "us-east-1", prefix: "seed-store/", credentialsSecretRef: { namespace, name: "seed-s3", key: "credentials" } } };
    const seed = { group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local" };
    await objects.patchClusterCustomObject({ ...seed, body: { spec: { backupStorage } } }, mergePatch);
    await createBackup("at-seed", "keep");
    const backup = await settled("at-seed");
    expect(backup.status?.location).toMatch(/^s3:\/\/seedbed-backups\/seed-store\/keep--keep\/at-seed-[0-9a-f]{8}\.db$/);
    expect(backup.status?.store).toMatchObject({ from: "seed", bucket: "seedbed-backups", credentialsSecretRef: { namespace, name: "seed-s3", key: "credentials" } });
    expect(backup.status?.store?.key).toBe((backup.status?.location ?? "").replace("s3://seedbed-backups/", ""));
    // The seed's setting goes; the snapshot is still deleted from where it was stored.
    await objects.patchClusterCustomObject({ ...seed, body: { spec: { backupStorage: null } } }, mergePatch);
    expect((await s3.store.list("seed-store/keep--keep/")).length).toBe(1);
    await objects.deleteNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "at-seed" });
    await eventually(() => readBackup("at-seed").then(() => false, () => true), (gone) => gone, { timeoutMs: 30_000, description: "EtcdBackup gone" });
    expect(await s3.store.list("seed-store/")).toEqual([]);
  });
});
