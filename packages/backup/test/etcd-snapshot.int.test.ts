import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { reservePorts, startStandaloneControlPlane, type StandaloneControlPlane } from "@seedbed/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { DrillFailedError, drillSnapshot, etcdStatus, inspectSnapshot, restoreSnapshot, saveSnapshot, snapshotVersionError, SnapshotRefusedError, SnapshotUploadError, startEmbeddedS3, streamSnapshotToStore, type EtcdClient } from "../src/index.ts";

// Snapshots of a real etcd behind a real kube-apiserver.
describe("etcd snapshots", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-snapshot-"));
  let plane: StandaloneControlPlane;
  let etcd: EtcdClient;
  let release: () => void;
  beforeAll(async () => {
    const reservation = await reservePorts(3);
    release = reservation.release;
    const [apiServer = 0, etcdClient = 0, etcdPeer = 0] = reservation.ports;
    plane = await startStandaloneControlPlane({ dir: join(dir, "plane"), ports: { apiServer, etcdClient, etcdPeer }, unsafeNoFsync: true, stopGraceMs: 3000 });
    etcd = { endpoint: `https://127.0.0.1:${etcdClient}`, caFile: plane.pki.etcdCACert, certFile: plane.pki.apiServerEtcdClientCert, keyFile: plane.pki.apiServerEtcdClientKey };
  });
  afterAll(async () => {
    await plane.stop();
    release();
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes a snapshot through the maintenance API that holds every key written before it, and reads its facts back", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(plane.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const empty = await saveSnapshot(etcd, join(dir, "before.db"));
    for (let i = 0; i < 50; i++) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } } });
    const snapshot = await saveSnapshot(etcd, join(dir, "after.db"));
    expect(snapshot.totalKeys - empty.totalKeys).toBeGreaterThanOrEqual(50);
    expect(snapshot.revision).toBeGreaterThan(empty.revision + 49);
    expect(snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshot.sizeBytes).toBeGreaterThan(0);
    expect(await inspectSnapshot(join(dir, "after.db"))).toEqual(snapshot);
  });

  it("refuses a damaged snapshot, and an unreachable etcd, saying which", async () => {
    const damaged = join(dir, "damaged.db");
    const bytes = readFileSync(join(dir, "after.db"));
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(inspectSnapshot(damaged)).rejects.toThrow(/damaged\.db is not a readable etcd snapshot/);
    await expect(saveSnapshot({ ...etcd, endpoint: "https://127.0.0.1:1" }, join(dir, "x.db"), 5000)).rejects.toThrow(/etcd snapshot of https:\/\/127\.0\.0\.1:1 failed/);
  });

  it("restores a snapshot into a data directory with the revision raised past every revision clients saw", async () => {
    const facts = await inspectSnapshot(join(dir, "after.db"));
    const live = await etcdStatus(etcd);
    expect(live.revision).toBeGreaterThanOrEqual(facts.revision);
    expect(live.version).toMatch(/^3\.6\./);
    expect(facts.storageVersion).toMatch(/^3\.6\./);
    await restoreSnapshot(join(dir, "after.db"), join(dir, "restored"), { member: { name: "default", peerURL: "https://127.0.0.1:2380" }, bumpRevision: 1000 });
    expect(readFileSync(join(dir, "restored", "member", "snap", "db")).length).toBeGreaterThan(0);
    // A damaged file is refused by etcdutl, and nothing is left in its target.
    const damaged = join(dir, "damaged.db");
    await expect(restoreSnapshot(damaged, join(dir, "never"), { member: { name: "default", peerURL: "https://127.0.0.1:2380" } })).rejects.toThrow(SnapshotRefusedError);
  });

  it("drills a snapshot in a scratch etcd: revision, keys and a sample read back; then nothing of it is left", async () => {
    const facts = await inspectSnapshot(join(dir, "after.db"));
    const place = { dir: join(dir, "drill"), marker: `seedbed-test-drill:${dir}/one` };
    const report = await drillSnapshot(join(dir, "after.db"), { revision: facts.revision, requiredKeys: ["/registry/namespaces/kube-system", "/registry/configmaps/default/cm-49"] }, place);
    expect(report.revision).toBe(facts.revision);
    expect(report.keys).toBeGreaterThan(50);
    expect(report.sampled).toBeGreaterThanOrEqual(2);
    expect(findProcessesByMarker(place.marker)).toEqual([]);
    // A revision other than the one recorded, or a key the cluster must have, fails the drill, saying which.
    await expect(drillSnapshot(join(dir, "after.db"), { revision: facts.revision + 1 }, place)).rejects.toThrow(`the restored etcd is at revision ${facts.revision}, the backup recorded ${facts.revision + 1}`);
    await expect(drillSnapshot(join(dir, "after.db"), { revision: facts.revision, requiredKeys: ["/registry/nothing"] }, place)).rejects.toThrow("the restored etcd lacks /registry/nothing");
    await expect(drillSnapshot(join(dir, "damaged.db"), { revision: facts.revision }, place)).rejects.toThrow(DrillFailedError);
    expect(findProcessesByMarker(place.marker)).toEqual([]);
  });

  it("refuses a snapshot written by a newer etcd minor, naming both versions", () => {
    expect(snapshotVersionError("3.6.0", "3.6.16")).toBeUndefined();
    expect(snapshotVersionError("3.5.0", "3.6.16")).toBeUndefined();
    expect(snapshotVersionError("3.7.0", "3.6.16")).toBe("the snapshot was written by etcd 3.7.0, newer than this platform's etcd 3.6.16: restore it with a platform that runs etcd 3.7 or newer");
  });

  it("uploads a snapshot as etcdctl writes it: the stored object is the file, byte for byte, with the facts etcdutl reads", async () => {
    const s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(plane.kubeconfig);
      // Enough data that the upload overlaps the snapshot: 40 objects of 512 KiB.
      const core = kc.makeApiClient(CoreV1Api);
      for (let i = 0; i < 40; i++) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `big-${i}` }, data: { v: "x".repeat(512 * 1024) } } });
      const stored = await streamSnapshotToStore(etcd, join(dir, "streamed.db"), s3.store, "streamed.db");
      const local = await inspectSnapshot(join(dir, "streamed.db"));
      expect(stored).toMatchObject({ revision: local.revision, totalKeys: local.totalKeys, hash: local.hash, sizeBytes: local.sizeBytes, sha256: local.sha256 });
      expect(stored.sizeBytes).toBeGreaterThan(20 * 1024 * 1024);
      const downloaded = await s3.store.getFile("streamed.db", join(dir, "downloaded.db"));
      expect(downloaded).toEqual({ sha256: local.sha256, sizeBytes: local.sizeBytes });
      // An etcd that does not answer: the snapshot fails, saying so, and nothing is stored.
      const failed = streamSnapshotToStore({ ...etcd, endpoint: "https://127.0.0.1:1" }, join(dir, "never.db"), s3.store, "never.db", { timeoutMs: 5000 });
      await expect(failed).rejects.toThrow(SnapshotUploadError);
      await expect(failed).rejects.toThrow(/etcd snapshot of https:\/\/127\.0\.0\.1:1 failed/);
      expect((await s3.store.list()).map((o) => o.key)).toEqual(["streamed.db"]);
    } finally {
      await s3.stop();
    }
  });
});
