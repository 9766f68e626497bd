import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, quorumRecoveryAnnotation, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { prepareManagementAPI, tenantKubeConfig } from "./local-platform.ts";

const namespace = "project-quorum";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };

// Two of three etcd members lose their data: no quorum will form again, and
// the operator brings the cluster back from its newest backup by itself.
describe("recovery from a lost etcd quorum", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-quorum-"));
  const stateDir = join(dir, "state");
  let s3: EmbeddedS3;
  let operator: Operator;
  let objects: CustomObjectsApi;
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    await prepareManagementAPI(kc, namespace);
    operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true, backupStore: { location: s3.location, credentials: s3.credentials } });
  });
  afterAll(async () => {
    await operator.stop();
    for (const prefix of ["clusters", "balancer"]) {
      for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, prefix)}`, { prefix: true })) process.kill(pid, "SIGKILL");
    }
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores the newest backup when a majority of members lost their data, says which writes are lost, and grows back to three members", async () => {
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "fragile", namespace }, spec: { controlPlane: { datastore: { members: 3 } } } } });
    const cluster = await eventually(() => read<Cluster>("clusters", "fragile"), (c) => c.status?.phase === "Running" && c.status.controlPlane?.etcd === "3/3" && c.status.controlPlane.membership === undefined, { timeoutMs: 240_000, description: "fragile Running with 3 members" });
    const core = (await tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "fragile")).makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "in-the-backup" } } });
    await objects.createNamespacedCustomObject({ ...group, plural: "etcdbackups", body: { apiVersion, kind: "EtcdBackup", metadata: { name: "last-good", namespace }, spec: { clusterName: "fragile" } } });
    const taken = await eventually(() => read<EtcdBackup>("etcdbackups", "last-good"), (b) => b.status?.phase === "Completed", { timeoutMs: 90_000, description: "backup Completed" });
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-the-backup" } } });

    // Two followers' data gone, their processes killed: one member left of three.
    const clusterDir = join(stateDir, "clusters", cluster.status?.clusterID ?? "?");
    const followers = (cluster.status?.controlPlane?.members ?? []).filter((m) => m.role === "Follower").map((m) => m.name);
    expect(followers).toHaveLength(2);
    for (const name of followers) {
      const process_ = name === "default" ? "etcd" : `etcd-${name}`;
      rmSync(join(clusterDir, process_), { recursive: true, force: true });
      for (const pid of findProcessesByMarker(`seedbed:${clusterDir}/${process_}`)) process.kill(pid, "SIGKILL");
    }

    const lost = await eventually(() => read<Cluster>("clusters", "fragile"), (c) => c.status?.conditions?.find((x) => x.type === "EtcdReady")?.reason === "QuorumLost", { timeoutMs: 60_000, description: "EtcdReady QuorumLost" });
    const message = lost.status?.conditions?.find((x) => x.type === "EtcdReady")?.message ?? "";
    expect(message).toMatch(/2 of 3 etcd members lost their data/);
    expect(message).toMatch(/restoring the newest completed backup last-good .*writes after .* are lost/);
    const restores = (await objects.listNamespacedCustomObject({ ...group, plural: "etcdrestores" })) as { items: EtcdRestore[] };
    const recovery = restores.items.find((r) => r.metadata.annotations?.[quorumRecoveryAnnotation] !== undefined);
    expect(recovery?.spec).toMatchObject({ clusterName: "fragile", backupName: "last-good" });

    await eventually(() => read<EtcdRestore>("etcdrestores", recovery?.metadata.name ?? "?"), (r) => r.status?.phase === "Completed", { timeoutMs: 180_000, description: "the recovery restore Completed" });
    const back = await eventually(() => read<Cluster>("clusters", "fragile"), (c) => c.status?.phase === "Running" && c.status.controlPlane?.etcd === "3/3" && c.status.controlPlane.membership === undefined, { timeoutMs: 240_000, description: "fragile back with 3 members" });
    expect(back.status?.conditions?.find((x) => x.type === "EtcdReady")?.status).toBe("True");
    const names = (await core.listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name);
    expect(names).toContain("in-the-backup");
    expect(names).not.toContain("after-the-backup");
    // A Completed backup is never taken again (a reconcile on a stale cache once overwrote it with newer data).
    const kept = await read<EtcdBackup>("etcdbackups", "last-good");
    expect({ revision: kept.status?.revision, sha256: kept.status?.sha256, completionTime: kept.status?.completionTime }).toEqual({ revision: taken.status?.revision, sha256: taken.status?.sha256, completionTime: taken.status?.completionTime });
  }, 600_000);
});
