import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type EtcdBackup } from "@seedbed/api";
import { eventually, run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const group = "seedbed.dev";
const version = "v1alpha1";

/**
 * `seedbed backup create|list|delete` against a real management API with
 * the CRDs. No operator runs: the test plays its part by writing the
 * backups' status through the status subresource, as the operator would.
 */
describe("seedbed backup", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const seedbed = (...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const readBackup = async (name: string): Promise<EtcdBackup> => (await objects().getNamespacedCustomObject({ group, version, namespace, plural: "etcdbackups", name })) as EtcdBackup;
  const listBackups = async (): Promise<EtcdBackup[]> => ((await objects().listNamespacedCustomObject({ group, version, namespace, plural: "etcdbackups" })) as { items: EtcdBackup[] }).items;
  /** Writes a backup's status as the operator would: through the status subresource. */
  const setStatus = async (name: string, status: NonNullable<EtcdBackup["status"]>): Promise<void> => {
    await objects().patchNamespacedCustomObjectStatus({ group, version, namespace, plural: "etcdbackups", name, body: [{ op: "add", path: "/status", value: status }] });
  };
  /** Plays the operator for a `--wait` run: once the backup exists, after a second, it is Running, then `status`. */
  const finishInBackground = async (name: string, status: NonNullable<EtcdBackup["status"]>): Promise<void> => {
    await eventually(() => readBackup(name), () => true, { timeoutMs: 30_000, description: `backup ${name} created` });
    await sleep(1000);
    await setStatus(name, { phase: "Running", startTime: new Date().toISOString() });
    await sleep(300);
    await setStatus(name, status);
  };
  let cluster: Cluster;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    cluster = (await objects().createNamespacedCustomObject({ group, version, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "c", namespace }, spec: {} } })) as Cluster;
  });

  it("creates a backup of the cluster, labelled with it and owned by it", async () => {
    const created = await seedbed("backup", "create", "--cluster", "c", "--name", "b1");
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    expect(created.stdout).toBe("Backup b1 of cluster c requested.\nFollow it: seedbed backup list --cluster c --project default\n");
    const backup = await readBackup("b1");
    expect(backup.spec.clusterName).toBe("c");
    expect(backup.metadata.labels).toEqual({ "seedbed.dev/cluster": "c" });
    expect(backup.metadata.ownerReferences).toEqual([{ apiVersion, kind: "Cluster", name: "c", uid: cluster.metadata.uid, controller: false, blockOwnerDeletion: false }]);
  });

  it("names a backup after its cluster and the UTC time without --name", async () => {
    const before = new Set((await listBackups()).map((b) => b.metadata.name));
    const created = await seedbed("backup", "create", "--cluster", "c");
    expect(created.status).toBe(0);
    const added = (await listBackups()).filter((b) => !before.has(b.metadata.name));
    expect(added.map((b) => b.metadata.name)).toEqual([expect.stringMatching(/^c-\d{8}-\d{6}$/)]);
    expect(created.stdout).toContain(`Backup ${added[0]?.metadata.name ?? "?"} of cluster c requested.`);
  });

  it("refuses a cluster that does not exist, naming it, and creates nothing", async () => {
    const before = (await listBackups()).length;
    const refused = await seedbed("backup", "create", "--cluster", "nope", "--name", "orphan");
    expect(refused.status).toBe(3);
    expect(refused.stderr).toBe("seedbed: cluster nope not found in project default: back up one of its clusters (seedbed cluster list --project default), or pass the --project it is in\n");
    expect(await listBackups()).toHaveLength(before);
  });

  it("refuses a bad --name as a usage error naming the flag, before it calls the API", async () => {
    const refused = await seedbed("backup", "create", "--cluster", "c", "--name", "B_1");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^seedbed: --name must be at most 63 lowercase letters, .* got "B_1"; or leave it out for c-\d{8}-\d{6}\n$/);
  });

  it("lists backups with their phase, size, revision and location, newest first", async () => {
    await setStatus("b1", { phase: "Completed", sizeBytes: 2_621_440, revision: 812, location: "s3://seedbed/default/c/b1.db", completionTime: new Date().toISOString() });
    const list = await seedbed("backup", "list", "--cluster", "c");
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+CLUSTER\s+PHASE\s+SIZE\s+REVISION\s+VERIFIED\s+LOCATION\s+COMPLETED\s+AGE$/);
    expect(list.stdout).toMatch(/^b1\s+c\s+Completed\s+2\.5 MiB\s+812\s+-\s+s3:\/\/seedbed\/default\/c\/b1\.db\s+\d+s ago\s+\d+s$/m);
    // The generated name was created after b1: it comes first.
    expect(lines[1]).toMatch(/^c-\d{8}-\d{6}\s+c\s+Pending\s/);
    const json = await seedbed("backup", "list", "-o", "json");
    const items = (JSON.parse(json.stdout) as { items: EtcdBackup[] }).items;
    expect(items.find((b) => b.metadata.name === "b1")?.status?.location).toBe("s3://seedbed/default/c/b1.db");
    const none = await seedbed("backup", "list", "--cluster", "other");
    expect(none.stdout).toBe("No backups of cluster other of project default. Take one: seedbed backup create --cluster other --project default --wait\n");
  });

  it("with --wait, follows the backup until it is Completed and prints where it is stored", async () => {
    const waiting = seedbed("backup", "create", "--cluster", "c", "--name", "w1", "--wait", "--timeout", "40s");
    await finishInBackground("w1", { phase: "Completed", sizeBytes: 1536, revision: 42, location: "s3://seedbed/default/c/w1.db", completionTime: new Date().toISOString() });
    const done = await waiting;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toContain("phase Running\nphase Completed\n");
    expect(done.stdout).toContain("Backup w1 of cluster c completed: 1.5 KiB at etcd revision 42, stored at s3://seedbed/default/c/w1.db.\n");
  });

  it("with --wait, exits non-zero with the reason when the backup Failed", async () => {
    const waiting = seedbed("backup", "create", "--cluster", "c", "--name", "f1", "--wait", "--timeout", "40s");
    const now = new Date().toISOString();
    await finishInBackground("f1", { phase: "Failed", conditions: [{ type: "Ready", status: "False", reason: "SnapshotFailed", message: "etcd of cluster c answered: no leader", lastTransitionTime: now }] });
    const failed = await waiting;
    expect(failed.status).toBe(8);
    expect(failed.stdout).toContain("phase Failed\n");
    expect(failed.stderr).toBe("seedbed: backup f1 of cluster c failed: etcd of cluster c answered: no leader (SnapshotFailed)\n");
  });

  /** Plays the operator's restore drill: once the annotation is set, answers it with `passed` and `message`. */
  const answerDrill = async (name: string, passed: boolean, message: string): Promise<string> => {
    const asked = await eventually(() => readBackup(name), (b) => b.metadata.annotations?.["seedbed.dev/verify"] !== undefined, { timeoutMs: 30_000, description: `drill of ${name} requested` });
    const requestedAt = asked.metadata.annotations?.["seedbed.dev/verify"] ?? "";
    await sleep(500);
    await objects().patchNamespacedCustomObjectStatus({ group, version, namespace, plural: "etcdbackups", name, body: [{ op: "add", path: "/status/verification", value: { requestedAt, time: new Date().toISOString(), passed, message } }] });
    return requestedAt;
  };

  it("asks for a restore drill with the annotation, and with --wait prints what it found; backup list shows it", async () => {
    const before = Date.now();
    const waiting = seedbed("backup", "verify", "w1", "--wait", "--timeout", "40s");
    const requestedAt = await answerDrill("w1", true, "42 keys at revision 42; 5 of 5 sampled keys read back");
    expect(new Date(requestedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const done = await waiting;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toBe(`Restore drill of backup w1 requested (seedbed.dev/verify=${requestedAt}).\nBackup w1 passed its restore drill: 42 keys at revision 42; 5 of 5 sampled keys read back\n`);
    const list = await seedbed("backup", "list", "--cluster", "c");
    expect(list.stdout).toMatch(/^w1\s+c\s+Completed\s+1\.5 KiB\s+42\s+passed\s+s3:/m);
  });

  it("exits 8 with the drill's message when the backup fails it, and waits for the drill it asked for, not an earlier one", async () => {
    const waiting = seedbed("backup", "verify", "w1", "--wait", "--timeout", "40s");
    // The earlier drill's answer is still in status: only the new request's counts.
    await eventually(() => readBackup("w1"), (b) => b.metadata.annotations?.["seedbed.dev/verify"] !== b.status?.verification?.requestedAt, { timeoutMs: 30_000, description: "a new drill requested" });
    await answerDrill("w1", false, "etcdutl refused the snapshot: bad magic");
    const failed = await waiting;
    expect(failed.status).toBe(8);
    expect(failed.stderr).toBe("seedbed: backup w1 failed its restore drill: etcdutl refused the snapshot: bad magic\n");
    expect((await seedbed("backup", "list", "--cluster", "c")).stdout).toMatch(/^w1\s.*\sFAILED\s/m);
  });

  it("without --wait, sets the annotation to the time of the request and says where the result shows", async () => {
    const done = await seedbed("backup", "verify", "b1");
    expect(done.status).toBe(0);
    const requestedAt = (await readBackup("b1")).metadata.annotations?.["seedbed.dev/verify"] ?? "";
    expect(requestedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(done.stdout).toBe(`Restore drill of backup b1 requested (seedbed.dev/verify=${requestedAt}).\nSee the result: seedbed backup list --cluster c --project default (column VERIFIED)\n`);
  });

  it.each([
    { name: "f1", status: 8, stderr: "seedbed: backup f1 failed and holds no snapshot to drill; take another: seedbed backup create --cluster c --project default --wait\n" },
    { name: "ghost", status: 3, stderr: "seedbed: backup ghost not found in project default: list them with seedbed backup list --project default\n" },
  ])("refuses to drill $name, saying why", async ({ name, status, stderr }) => {
    const refused = await seedbed("backup", "verify", name);
    expect(refused.stderr).toBe(stderr);
    expect(refused.status).toBe(status);
  });

  it("deletes a backup, and with --wait returns once it is gone", async () => {
    const deleted = await seedbed("backup", "delete", "b1");
    expect(deleted.status).toBe(0);
    expect(deleted.stdout).toBe("Backup b1 is being deleted; its stored snapshot is removed first.\n");
    await expect(readBackup("b1")).rejects.toThrow(/404|not found/i);
    const waited = await seedbed("backup", "delete", "w1", "--wait");
    expect(waited.status).toBe(0);
    expect(waited.stdout).toContain("Backup w1 and its snapshot are gone.\n");
    await expect(readBackup("w1")).rejects.toThrow(/404|not found/i);
    const missing = await seedbed("backup", "delete", "b1");
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe("seedbed: backup b1 not found in project default\n");
  });
});
