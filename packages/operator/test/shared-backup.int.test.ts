import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { startEmbeddedS3, type EmbeddedS3 } from "@seedbed/backup";
import { findProcessesByMarker, runEtcdctl, type SharedEtcdAccess } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientLoop } from "./client-loop.ts";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-shbak";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Every key under a prefix of the shared etcd: its value (base64) and the revision it was last written at. */
async function keysUnder(root: SharedEtcdAccess, prefix: string): Promise<Keys> {
  const out = JSON.parse(await runEtcdctl(root, ["get", prefix, "--prefix", "-w", "json"])) as { kvs?: { key: string; value?: string; mod_revision?: number }[] };
  return new Map((out.kvs ?? []).map((kv) => [Buffer.from(kv.key, "base64").toString("utf8"), { value: kv.value ?? "", modRevision: kv.mod_revision ?? 0 }]));
}

type Keys = Map<string, { value: string; modRevision: number }>;

/** Keys a cluster rewrites by itself all the time (leases renewed, events, the API servers' own leases): not what a restore of another cluster could change. */
const volatile = (prefix: string) => (key: string): boolean => ["leases/", "events/", "masterleases/", "peerserverleases/"].some((p) => key.startsWith(`${prefix}${p}`));

/** The keys under `prefix` but the volatile ones, in key order. */
const stable = (prefix: string, keys: Keys): [string, { value: string; modRevision: number }][] => [...keys].filter(([k]) => !volatile(prefix)(k)).sort(([x], [y]) => x.localeCompare(y));

/** The keys under `prefix` once the cluster has settled: two reads 5 s apart alike (a new cluster's controllers write for a while). */
async function settledKeys(root: SharedEtcdAccess, prefix: string): Promise<Keys> {
  let last = await keysUnder(root, prefix);
  return eventually(
    async () => {
      await sleep(5000);
      const [before, now] = [last, await keysUnder(root, prefix)];
      last = now;
      return { before, now };
    },
    ({ before, now }) => isDeepStrictEqual(stable(prefix, before), stable(prefix, now)),
    { timeoutMs: 120_000, description: `the keys under ${prefix} settled` },
  ).then(({ now }) => now);
}

/** A watch event as the API server writes it (one JSON object a line). */
interface WatchEvent {
  readonly type: string;
  readonly object: { readonly code?: number; readonly metadata?: { readonly name?: string; readonly resourceVersion?: string } };
}

/** The events a watch from `resourceVersion` answers with, until `enough` holds of them (or the server ends it). */
async function watchEvents(kc: KubeConfig, path: string, resourceVersion: string, enough: (events: readonly WatchEvent[]) => boolean): Promise<WatchEvent[]> {
  const options = {};
  await kc.applyToHTTPSOptions(options);
  const url = `${kc.getCurrentCluster()?.server ?? ""}${path}?watch=1&resourceVersion=${resourceVersion}`;
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const req = request(url, { ...options, timeout: 20_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        const lines = text.split("\n");
        text = lines.pop() ?? "";
        events.push(...lines.filter((l) => l !== "").map((l) => JSON.parse(l) as WatchEvent));
        if (enough(events)) {
          resolve(events);
          req.destroy();
        }
      });
      res.on("end", () => resolve(events));
    });
    req.on("timeout", () => req.destroy(new Error(`the watch did not get there within 20 s: ${JSON.stringify(events.map((e) => [e.type, e.object.metadata?.name]))}`)));
    req.on("error", reject);
    req.end();
  });
}

// Two clusters in the local seed's shared etcd: one is backed up (its prefix
// alone) and restored, the other keeps its data and serves throughout.
describe("backup and restore of one tenant of a shared etcd", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-shared-backup-test-"));
  let s3: EmbeddedS3;
  let local: LocalOperator;
  let objects: CustomObjectsApi;
  const read = async <T>(plural: string, name: string): Promise<T> => (await objects.getNamespacedCustomObject({ ...group, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object): Promise<unknown> => objects.createNamespacedCustomObject({ ...group, plural, body: { apiVersion, kind, metadata: { name, namespace }, spec } });
  const root = (): SharedEtcdAccess => local.operator.driver?.sharedDatastoreAccess("local") ?? { endpoints: [], caFile: "", certFile: "", keyFile: "" };
  const ids = new Map<string, string>();
  const kubeconfigs = new Map<string, KubeConfig>();
  const core = (name: string): CoreV1Api => (kubeconfigs.get(name) as KubeConfig).makeApiClient(CoreV1Api);
  const configMapNames = async (name: string): Promise<string[]> => (await core(name).listNamespacedConfigMap({ namespace: "default" })).items.map((c) => c.metadata?.name ?? "");

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    s3 = await startEmbeddedS3({ dataDir: join(dir, "s3") });
    local = await startLocalOperator(kc, namespace, { backupStore: { location: s3.location, credentials: s3.credentials } });
    await objects.patchClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local", body: { spec: { sharedDatastore: { members: 3 } } } }, mergePatch);
    for (const name of ["a", "b"]) await create("clusters", "Cluster", name, { controlPlane: { datastore: { type: "Shared", storage: "64Mi" } } });
    for (const name of ["a", "b"]) {
      const running = await eventually(() => read<Cluster>("clusters", name), (c) => c.status?.phase === "Running" && c.status.controlPlane?.datastore?.type === "Shared", { timeoutMs: 180_000, description: `${name} Running on the shared etcd` });
      ids.set(name, running.status?.clusterID ?? "?");
      kubeconfigs.set(name, await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, name));
    }
  }, 300_000);
  afterAll(async () => {
    const stateDir = local.stateDir;
    await local.stop();
    for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "shared-etcd")}`, { prefix: true })) process.kill(pid, "SIGKILL");
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores an export of only the cluster's prefix, checked, and drills it by verifying and counting", async () => {
    const [a, b] = [`/${ids.get("a") ?? "?"}/`, `/${ids.get("b") ?? "?"}/`];
    await core("a").createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "before" }, data: { v: "in the backup" } } });
    await create("etcdbackups", "EtcdBackup", "a-1", { clusterName: "a" });
    const backup = await eventually(() => read<EtcdBackup>("etcdbackups", "a-1"), (x) => x.status?.phase === "Completed" || x.status?.phase === "Failed", { timeoutMs: 90_000, description: "backup a-1 settled" });
    expect(backup.status?.phase, JSON.stringify(backup.status?.conditions)).toBe("Completed");
    expect(backup.status).toMatchObject({ format: "PrefixExport" });
    expect(backup.status?.location).toMatch(/^s3:\/\/seedbed-backups\/.+\/a-1-[0-9a-f]{8}\.prefix\.jsonl$/);
    expect(backup.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(/keys under \/.+\/ of the shared etcd at revision \d+ \(a prefix export: no other tenant's keys\)/);

    // The stored object: the header, then A's keys only, then the trailer; its SHA-256 is the one recorded.
    const stored = await s3.store.getFile(backup.status?.store?.key ?? "?", join(dir, "a-1.jsonl"));
    expect(stored.sha256).toBe(backup.status?.sha256);
    const text = readFileSync(join(dir, "a-1.jsonl"), "utf8");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as { prefix?: string; k?: string; end?: boolean; keys?: number });
    expect(lines[0]).toMatchObject({ format: "seedbed.io/etcd-prefix-export/v1", prefix: a, keys: backup.status?.keys });
    expect(lines.at(-1)).toMatchObject({ end: true, keys: backup.status?.keys });
    const keys = lines.slice(1, -1).map((l) => Buffer.from(l.k ?? "", "base64").toString("utf8"));
    expect(keys.length).toBe(backup.status?.keys);
    expect(keys.every((k) => k.startsWith(a))).toBe(true);
    expect(keys.some((k) => k.startsWith(b))).toBe(false);
    expect(keys).toContain(`${a}configmaps/default/before`);

    // A drill of an export checks the file whole, and says it restored nothing.
    await objects.patchNamespacedCustomObject({ ...group, plural: "etcdbackups", name: "a-1", body: { metadata: { annotations: { "seedbed.dev/verify": "drill-1" } } } }, mergePatch);
    const drilled = await eventually(() => read<EtcdBackup>("etcdbackups", "a-1"), (x) => x.status?.verification?.requestedAt === "drill-1", { timeoutMs: 60_000, description: "drill-1 recorded" });
    expect(drilled.status?.verification).toMatchObject({ passed: true, message: expect.stringMatching(/^checked the prefix export \(not restored into a scratch etcd.*\d+ keys under .* at revision \d+/) as unknown });
  }, 180_000);

  it("restores the cluster's prefix alone: it is back to the backup, the other cluster keeps its keys and serves throughout", async () => {
    const b = `/${ids.get("b") ?? "?"}/`;
    await core("a").createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after" }, data: { v: "not in the backup" } } });
    await core("b").createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "b-data" }, data: { v: "b's own" } } });
    const seenBefore = (await core("a").listNamespacedConfigMap({ namespace: "default" })).metadata?.resourceVersion ?? "0";
    const bBefore = await settledKeys(root(), b);
    expect(bBefore.has(`${b}configmaps/default/b-data`)).toBe(true);

    const loop = clientLoop(kubeconfigs.get("b") as KubeConfig);
    await create("etcdrestores", "EtcdRestore", "a-back", { clusterName: "a", backupName: "a-1" });
    const restore = await eventually(() => read<EtcdRestore>("etcdrestores", "a-back"), (r) => r.status?.phase === "Completed" || r.status?.phase === "Failed", { timeoutMs: 180_000, description: "restore a-back settled" });
    const seen = await loop.stop();
    expect(restore.status?.phase, JSON.stringify(restore.status?.conditions)).toBe("Completed");
    expect(restore.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(/shared etcd were written anew .* their watches see each object deleted and the backup.s added again, or relist/);
    const backup = await read<EtcdBackup>("etcdbackups", "a-1");
    expect(restore.status?.restoredRevision).toBeGreaterThan(backup.status?.revision ?? Infinity);

    // A is back to the backup.
    const names = await eventually(() => configMapNames("a"), (n) => n.includes("before"), { timeoutMs: 60_000, description: "a serves the restored keys" });
    expect(names).not.toContain("after");
    expect((await core("a").readNamespacedConfigMap({ namespace: "default", name: "before" })).data).toEqual({ v: "in the backup" });
    // A watch resumed from before the restore ends at the restored state: it replays the prefix emptied and
    // written again (new, later resourceVersions), or is told 410 Gone (to list again) once that history is compacted.
    const restoredAdded = (events: readonly WatchEvent[]): boolean => events.some((e) => e.type === "ERROR") || events.some((e) => e.type === "ADDED" && e.object.metadata?.name === "before");
    const events = await watchEvents(kubeconfigs.get("a") as KubeConfig, "/api/v1/namespaces/default/configmaps", seenBefore, restoredAdded);
    const error = events.find((e) => e.type === "ERROR");
    if (error !== undefined) {
      expect(error.object.code).toBe(410);
    } else {
      const state = new Set(["before", "after"]);
      for (const e of events) {
        const name = e.object.metadata?.name ?? "";
        if (e.type === "DELETED") state.delete(name);
        if (e.type === "ADDED") state.add(name);
        expect(BigInt(e.object.metadata?.resourceVersion ?? "0")).toBeGreaterThan(BigInt(seenBefore));
      }
      expect(state.has("before")).toBe(true);
      expect(state.has("after")).toBe(false);
    }

    // B: its keys untouched (same values, same revisions; what it rewrites by itself aside), its API answered every request.
    const bAfter = await keysUnder(root(), b);
    expect(stable(b, bAfter)).toEqual(stable(b, bBefore));
    expect(await configMapNames("b")).toContain("b-data");
    expect(seen.failures).toEqual([]);
    expect(seen.ok).toBeGreaterThan(10);
  }, 300_000);

  it("resumes a restore from what an operator killed mid-import leaves: the hold, the staged export and a half-emptied prefix", async () => {
    const id = ids.get("a") ?? "?";
    const a = `/${id}/`;
    const driver = local.operator.driver;
    if (driver === undefined) throw new Error("the local operator has no driver");
    await core("a").createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-restore" } } });
    // What the driver had on disk when the operator died: the export staged, the hold written, the prefix being emptied.
    const restoreDir = join(local.stateDir, "clusters", id, "restore");
    mkdirSync(join(restoreDir, "staged"), { recursive: true });
    copyFileSync(join(dir, "a-1.jsonl"), join(restoreDir, "staged", "export.jsonl"));
    writeFileSync(join(restoreDir, "hold.json"), JSON.stringify({ id: "killed-1" }));
    await runEtcdctl(root(), ["del", `${a}configmaps/`, "--prefix"]);

    const result = await driver.restoreSharedTenant(id, { id: "killed-1", stage: () => Promise.reject(new Error("a held restore must not stage again")) });
    expect(result).toMatchObject({ seed: "local", prefix: a });
    const staged = readFileSync(join(dir, "a-1.jsonl"), "utf8").trimEnd().split("\n").length - 2;
    expect(result.writtenKeys, `${JSON.stringify(result)}; ${staged} keys in the export`).toBe((await read<EtcdBackup>("etcdbackups", "a-1")).status?.keys);
    // Asked again, it does nothing more and says what it did.
    expect(await driver.restoreSharedTenant(id, { id: "killed-1", stage: () => Promise.reject(new Error("a completed restore must not stage again")) })).toEqual(result);
    expect(existsSync(restoreDir)).toBe(false);
    const names = await eventually(() => configMapNames("a").catch(() => [] as string[]), (n) => n.includes("before"), { timeoutMs: 90_000, description: "a serves the restored keys again" });
    expect(names).not.toContain("after-restore");
    expect(names).not.toContain("after");
  }, 180_000);
});
