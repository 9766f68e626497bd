import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenantKubeConfig } from "./local-platform.ts";
import { startRealSeedOperator, type RealSeedOperator } from "./real-seed-platform.ts";

const namespace = "project-kept";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** The loopback ports this process listens on (the operator runs in it): connectEtcd's forwards must not outlive a backup. */
const listeningPorts = (): string[] =>
  execFileSync("ss", ["-ltnpH"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(`pid=${process.pid},`))
    .map((line) => line.split(/\s+/)[3] ?? "")
    .sort();
/** The directories connectEtcd writes the etcd client PEMs to. */
const etcdClientDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith("seedbed-etcd-")).sort();

// Backups of a cluster whose etcd runs as a pod of a real seed: the operator
// reaches it through a port-forward via the seed's API (no Job in the seed).
describe("etcd backups of a cluster on a real seed", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-seed-backup-"));
  let platform: RealSeedOperator | undefined;
  let s3: EmbeddedS3 | undefined;
  let objects: CustomObjectsApi;
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;

  beforeAll(async () => {
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    const kc = api().kubeConfig();
    platform = await startRealSeedOperator(kc, namespace, dir, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"], { backupStore: { location: s3.location, credentials: s3.credentials } });
    objects = kc.makeApiClient(CustomObjectsApi);
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "kept", namespace }, spec: {} } });
    await eventually(() => read<Cluster>("clusters", "kept"), (c) => c.status?.phase === "Running", { timeoutMs: 180_000, description: "cluster kept Running on the real seed" });
  }, 420_000);
  afterAll(async () => {
    await platform?.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      process.stderr.write(`\n[real-seed] logs:\n${platform?.logTails() ?? ""}\n`);
    });
  });

  it("stores a checked snapshot taken through a port-forward, passes a restore drill of it, and leaves no forward or file behind", async () => {
    const ports = listeningPorts();
    const dirs = etcdClientDirs();
    // A write to the tenant: the snapshot is of its live etcd when it holds a revision at least as new.
    const tenant = await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "kept");
    const written = await tenant.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "before-the-snapshot" }, data: { kept: "yes" } } });

    await objects.createNamespacedCustomObject({ ...group, plural: "etcdbackups", body: { apiVersion, kind: "EtcdBackup", metadata: { name: "kept-1", namespace }, spec: { clusterName: "kept" } } });
    const backup = await eventually(() => read<EtcdBackup>("etcdbackups", "kept-1"), (b) => b.status?.phase === "Completed" || b.status?.phase === "Failed", { timeoutMs: 120_000, description: "backup kept-1 settled" });
    expect(backup.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "Completed" });
    expect(backup.status?.revision).toBeGreaterThanOrEqual(Number(written.metadata?.resourceVersion));
    // The stored object is the snapshot the status describes, byte for byte.
    expect(backup.status?.location).toMatch(/^s3:\/\/seedbed-backups\/kept--kept\/kept-1-[0-9a-f]{8}\.db$/);
    const hash = createHash("sha256");
    for await (const chunk of await (s3 as EmbeddedS3).store.get((backup.status?.location ?? "").replace("s3://seedbed-backups/", ""))) hash.update(chunk as Buffer);
    expect(hash.digest("hex")).toBe(backup.status?.sha256);

    await objects.patchNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "kept-1", body: { metadata: { annotations: { "seedbed.dev/verify": "drill-1" } } } }, mergePatch);
    const drilled = await eventually(() => read<EtcdBackup>("etcdbackups", "kept-1"), (b) => b.status?.verification?.requestedAt === "drill-1", { timeoutMs: 120_000, description: "drill-1 recorded" });
    expect(drilled.status?.verification).toMatchObject({ passed: true, message: expect.stringMatching(/^restored into a scratch etcd/) as unknown });

    // connectEtcd's listener closed and its PEMs removed once the snapshot was taken.
    await eventually(() => Promise.resolve({ ports: listeningPorts(), dirs: etcdClientDirs() }), (now) => now.ports.join() === ports.join() && now.dirs.join() === dirs.join(), { timeoutMs: 10_000, description: "no etcd port-forward or PEM directory left" });
  }, 300_000);

  it("refuses a restore on the kubernetes driver, naming it, and leaves the cluster Running", async () => {
    await objects.createNamespacedCustomObject({ ...group, plural: "etcdrestores", body: { apiVersion, kind: "EtcdRestore", metadata: { name: "back", namespace }, spec: { clusterName: "kept" } } });
    const restore = await eventually(() => read<EtcdRestore>("etcdrestores", "back"), (r) => r.status?.phase === "Failed" || r.status?.phase === "Completed", { timeoutMs: 60_000, description: "restore back settled" });
    expect(restore.status?.phase).toBe("Failed");
    expect(restore.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "NotSupported", message: expect.stringContaining("(driver kubernetes)") as unknown });
    const cluster = await read<Cluster>("clusters", "kept");
    expect(cluster.status?.phase).toBe("Running");
    expect(cluster.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  }, 120_000);
});
