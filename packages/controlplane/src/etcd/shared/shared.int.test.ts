import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEtcdJSON } from "../json.ts";
import { bootstrapAuth } from "./auth.ts";
import { exportTenant, importTenant } from "./export.ts";
import { parseExportLine } from "./export-format.ts";
import { prefixRangeEnd } from "./keys.ts";
import { runEtcdctl, type SharedEtcdAccess } from "./run.ts";
import { ensureTenant, removeTenant, tenantUsage } from "./tenant.ts";
import { TestSharedEtcd, type TenantAPIServer } from "./test-shared-etcd.ts";

interface Stored {
  key: string;
  value: string;
  lease: boolean;
  modRevision: number;
}

/** Every key under `prefix` (as root), values in base64 so bytes compare exactly. */
async function dump(access: SharedEtcdAccess, prefix: string): Promise<Stored[]> {
  const out = JSON.parse(await runEtcdctl(access, ["get", prefix, prefixRangeEnd(prefix), "-w", "json"])) as { kvs?: { key: string; value?: string; lease?: number; mod_revision: number }[] };
  return (out.kvs ?? []).map((kv) => ({ key: Buffer.from(kv.key, "base64").toString(), value: kv.value ?? "", lease: (kv.lease ?? 0) !== 0, modRevision: kv.mod_revision }));
}

/** Every key in the whole store (as root). */
async function allKeys(root: SharedEtcdAccess): Promise<string[]> {
  const out = await runEtcdctl(root, ["get", "", "--from-key", "--keys-only"]);
  return out.split("\n").filter((line) => line !== "");
}

/** The key/value pairs an export file holds. */
function exported(file: string): { key: string; value: string }[] {
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  return lines.flatMap((line, i) => {
    const parsed = parseExportLine(line, i + 1);
    return parsed.kind === "record" ? [{ key: parsed.key.toString(), value: parsed.value.toString("base64") }] : [];
  });
}

function kubeClient(api: TenantAPIServer): CoreV1Api {
  const kc = new KubeConfig();
  const b64 = (file: string): string => Buffer.from(readFileSync(file)).toString("base64");
  kc.loadFromOptions({
    clusters: [{ name: "t", server: api.server, caData: b64(api.pki.caCert), skipTLSVerify: false }],
    users: [{ name: "admin", certData: b64(api.pki.adminCert), keyData: b64(api.pki.adminKey) }],
    contexts: [{ name: "t", cluster: "t", user: "admin" }],
    currentContext: "t",
  });
  return kc.makeApiClient(CoreV1Api);
}

describe("a shared etcd with a tenant per key prefix", () => {
  let etcd: TestSharedEtcd;
  let root: SharedEtcdAccess;
  let stranger: SharedEtcdAccess;
  let tenantA: SharedEtcdAccess;
  let tenantB: SharedEtcdAccess;
  let apiA: TenantAPIServer | undefined;
  let exportFile: string;

  beforeAll(async () => {
    etcd = await TestSharedEtcd.start();
    [root, stranger, tenantA, tenantB] = await Promise.all([etcd.user("root"), etcd.user("stranger"), etcd.user("tenant-a"), etcd.user("tenant-b")]);
    exportFile = join(etcd.dir, "tenant-a.export");
  });

  afterAll(async () => {
    await etcd.stopAll();
  });

  it("(a) refuses a certificate of an unknown user once auth is bootstrapped, idempotently", async () => {
    // Before auth, any certificate the CA signed may write: the refusal below is auth's doing.
    await runEtcdctl(stranger, ["put", "/stranger/x", "1"]);
    await expect(bootstrapAuth(tenantA)).rejects.toThrow(/CN=tenant-a.*CN=root/);
    expect(await bootstrapAuth(root)).toBe("enabled");
    expect(await bootstrapAuth(root)).toBe("already-enabled");
    // etcd takes the CN as the user; one it does not know is denied like a user without the grant.
    await expect(runEtcdctl(stranger, ["get", "/stranger/x"])).rejects.toThrow(/etcdserver: permission denied/);
    await expect(runEtcdctl(stranger, ["put", "/stranger/y", "1"])).rejects.toThrow(/etcdserver: permission denied/);
  });

  it("(b) confines each tenant to its own prefix, by etcd itself", async () => {
    await ensureTenant(root, "tenant-a");
    await ensureTenant(root, "tenant-a");
    await ensureTenant(root, "tenant-b");
    await runEtcdctl(tenantA, ["put", "/tenant-a/x", "a-value"]);
    expect(await runEtcdctl(tenantA, ["get", "/tenant-a/x", "--print-value-only"])).toBe("a-value\n");
    await runEtcdctl(tenantB, ["put", "/tenant-b/secret", "b-value"]);
    await runEtcdctl(root, ["put", "/tenant-aa/x", "aa-value"]);
    const denied = /permission denied/;
    await expect(runEtcdctl(tenantA, ["get", "/tenant-b/secret"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["get", "/tenant-b/", "--prefix"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["put", "/outside", "1"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["put", "compact_rev_key", "1"])).rejects.toThrow(denied);
    // The trailing slash: /tenant-a/ does not cover /tenant-aa/, while a grant on "/tenant-a" would.
    await expect(runEtcdctl(tenantA, ["get", "/tenant-aa/x"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["put", "/tenant-aa/y", "1"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["get", "/tenant-a", "--prefix"])).rejects.toThrow(denied);

    // Permissions and roles granted behind Seedbed's back are taken away by the next ensureTenant.
    await runEtcdctl(root, ["role", "grant-permission", "tenant-a", "--prefix=true", "read", "/tenant-b/"]);
    await runEtcdctl(root, ["role", "grant-permission", "tenant-a", "--from-key", "write", "/tenant-b/"]);
    await runEtcdctl(root, ["role", "grant-permission", "tenant-a", "readwrite", "/outside"]);
    await runEtcdctl(root, ["user", "grant-role", "tenant-a", "tenant-b"]);
    expect(await runEtcdctl(tenantA, ["get", "/tenant-b/secret", "--print-value-only"])).toBe("b-value\n");
    await ensureTenant(root, "tenant-a");
    await expect(runEtcdctl(tenantA, ["get", "/tenant-b/secret"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["put", "/tenant-b/secret", "overwritten"])).rejects.toThrow(denied);
    await expect(runEtcdctl(tenantA, ["put", "/outside", "1"])).rejects.toThrow(denied);
    expect(JSON.parse(await runEtcdctl(root, ["user", "get", "tenant-a", "-w", "json"]))).toMatchObject({ roles: ["tenant-a"] });
  });

  it("(c) runs a real kube-apiserver with only the tenant's grant", async () => {
    apiA = await etcd.startAPIServer("tenant-a", tenantA);
    const core = kubeClient(apiA);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cm-a" }, data: { hello: "shared" } } });
    expect((await core.readNamespacedConfigMap({ namespace: "default", name: "cm-a" })).data).toEqual({ hello: "shared" });
    const keys = await allKeys(root);
    expect(keys).toContain("/tenant-a/configmaps/default/cm-a");
    // Everything the API server wrote is under its prefix; the rest is this test's own.
    expect(keys.filter((k) => !k.startsWith("/tenant-a/"))).toEqual(["/stranger/x", "/tenant-aa/x", "/tenant-b/secret"]);
    // Nothing it did was denied (without --etcd-compaction-interval=0 its compactor is, every second).
    expect(readFileSync(apiA.logFile, "utf8")).not.toMatch(/permission denied/);
  });

  it("(d) counts a tenant's keys and bytes", async () => {
    const before = await tenantUsage(root, "tenant-b");
    expect(before.keys).toBe(1);
    const writes = [["/tenant-b/one", "1"], ["/tenant-b/two", "22"], ["/tenant-b/three", "x".repeat(1000)]] as const;
    for (const [key, value] of writes) await runEtcdctl(tenantB, ["put", key, value]);
    const after = await tenantUsage(root, "tenant-b", { pageSize: 2 });
    expect(after.keys).toBe(before.keys + 3);
    expect(after.bytes).toBe(before.bytes + writes.reduce((sum, [k, v]) => sum + k.length + v.length, 0));
    expect(after.revision).toBeGreaterThan(before.revision);
  });

  it("(e) restores one tenant from its export and leaves the other untouched", async () => {
    const taken = await exportTenant(root, "tenant-a", exportFile, { pageSize: 7 });
    expect(taken.keys).toBeGreaterThan(10);
    await apiA?.process.stop(3000);
    const b = await dump(root, "/tenant-b/");
    await runEtcdctl(root, ["del", "/tenant-a/configmaps/default/cm-a"]);
    await runEtcdctl(root, ["put", "/tenant-a/new-after-export", "1"]);

    await expect(importTenant(root, "tenant-b", exportFile)).rejects.toThrow(/holds tenant "tenant-a".*rename: true/);
    const restored = await importTenant(root, "tenant-a", exportFile, { maxTxnOps: 10 });
    expect(restored.writtenKeys).toBe(taken.keys);
    expect(restored.transactions).toBe(Math.ceil(taken.keys / 10));
    const now = (await dump(root, "/tenant-a/")).map(({ key, value }) => ({ key, value }));
    expect(now).toEqual(exported(exportFile));
    expect(now.map((kv) => kv.key)).toContain("/tenant-a/configmaps/default/cm-a");
    expect(await dump(root, "/tenant-b/")).toEqual(b);

    // The restored keys serve: a fresh API server finds the ConfigMap again.
    apiA = await etcd.startAPIServer("tenant-a", tenantA);
    expect((await kubeClient(apiA).readNamespacedConfigMap({ namespace: "default", name: "cm-a" })).data).toEqual({ hello: "shared" });
  });

  it("(f) moves keys between prefixes, bytes and leases intact", async () => {
    await runEtcdctl(root, ["put", "/registry/pods/default/p", "plain"]);
    await runEtcdctl(root, ["txn"], { input: `\nput -- "/registry/binary" "\\x00\\x0a\\x22\\x5c\\xff-"\nput -- "/registry/empty" ""\nput -- "/registry/dash" "-n"\n\n\n` });
    // A lease ID is an int64, above 2^53: parseEtcdJSON reads it as hex, the form put --lease takes.
    const lease = parseEtcdJSON(await runEtcdctl(root, ["lease", "grant", "600", "-w", "json"])) as { ID: string };
    await runEtcdctl(root, ["put", "/registry/events/e", "event", `--lease=${lease.ID}`]);
    const source = await dump(root, "/registry/");
    const file = join(etcd.dir, "dedicated.export");
    await exportTenant(root, "tenant-c", file, { prefix: "/registry/", pageSize: 2 });
    const moved = await importTenant(root, "tenant-c", file, { fromPrefix: "/registry/", toPrefix: "/tenant-c/registry/", maxTxnOps: 2 });
    expect(moved.writtenKeys).toBe(5);
    const target = await dump(root, "/tenant-c/registry/");
    expect(target.map(({ key, value, lease: l }) => ({ key, value, lease: l }))).toEqual(source.map(({ key, value, lease: l }) => ({ key: key.replace("/registry/", "/tenant-c/registry/"), value, lease: l })));
    // A txn that etcdctl cannot parse echoes the line; with redact, the value stays out of the error.
    const failed = await runEtcdctl(root, ["txn"], { input: '\nput --bogus "/tenant-c/k" "top-secret"\n\n\n', redact: true }).catch((e: unknown) => e);
    expect(String(failed)).toMatch(/invalid txn request: <redacted>/);
    expect(String(failed)).not.toMatch(/top-secret/);
    expect(target.find((kv) => kv.key.endsWith("/binary"))?.value).toBe(Buffer.from([0x00, 0x0a, 0x22, 0x5c, 0xff, 0x2d]).toString("base64"));
  });

  it("(g) removes a tenant: no key, no user, no role, even with its API server running", async () => {
    const removed = await removeTenant(root, "tenant-a");
    expect(removed).toMatchObject({ userDeleted: true, roleDeleted: true });
    expect(removed.deletedKeys).toBeGreaterThan(10);
    expect(await dump(root, "/tenant-a/")).toEqual([]);
    expect(await runEtcdctl(root, ["user", "list"])).not.toMatch(/tenant-a/);
    expect(await runEtcdctl(root, ["role", "list"])).not.toMatch(/tenant-a/);
    await expect(runEtcdctl(tenantA, ["put", "/tenant-a/again", "1"])).rejects.toThrow(/permission denied/);
    expect(await removeTenant(root, "tenant-a")).toEqual({ deletedKeys: 0, userDeleted: false, roleDeleted: false });
    expect((await dump(root, "/tenant-b/")).length).toBe(4);
    // Still nothing under the prefix a moment later, though its API server keeps trying.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await dump(root, "/tenant-a/")).toEqual([]);
  });
});
