import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { reservePorts, startStandaloneControlPlane, type StandaloneControlPlane } from "@seedbed/controlplane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectSnapshot, saveSnapshot, type EtcdClient } from "../src/index.ts";

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
});
