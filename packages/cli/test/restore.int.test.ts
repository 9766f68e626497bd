import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type Condition, type EtcdRestore } from "@seedbed/api";
import { eventually, run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const group = "seedbed.dev";
const version = "v1alpha1";

/**
 * `seedbed restore` against a real management API with the CRDs. No
 * operator runs: the test plays its part by writing the backups' and the
 * restores' status through the status subresource, as the operator would,
 * so what is tested is what the CLI creates and how it reports each step.
 */
describe("seedbed restore", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const seedbed = (...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const readRestore = async (name: string): Promise<EtcdRestore> => (await objects().getNamespacedCustomObject({ group, version, namespace, plural: "etcdrestores", name })) as EtcdRestore;
  const listRestores = async (): Promise<EtcdRestore[]> => ((await objects().listNamespacedCustomObject({ group, version, namespace, plural: "etcdrestores" })) as { items: EtcdRestore[] }).items;
  /** Writes an object's status as the operator would: through the status subresource. */
  const setStatus = async (plural: string, name: string, status: object): Promise<void> => {
    await objects().patchNamespacedCustomObjectStatus({ group, version, namespace, plural, name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const ready = (status: Condition["status"], reason: string, message: string): Condition[] => [{ type: "Ready", status, reason, message, lastTransitionTime: new Date().toISOString() }];
  /** The restore a `--wait` run created: the one not among `before`, once it exists. */
  const created = async (before: Set<string | undefined>): Promise<EtcdRestore> => {
    const added = await eventually(listRestores, (items) => items.some((r) => !before.has(r.metadata.name)), { timeoutMs: 30_000, description: "the restore created" });
    return added.find((r) => !before.has(r.metadata.name)) as EtcdRestore;
  };
  /** Plays the operator for a `--wait` run: once the restore exists, after a second, each status in turn. */
  const playSteps = async (before: Set<string | undefined>, steps: NonNullable<EtcdRestore["status"]>[]): Promise<EtcdRestore> => {
    const restore = await created(before);
    await sleep(1000);
    for (const status of steps) {
      await setStatus("etcdrestores", restore.metadata.name ?? "", status);
      await sleep(300);
    }
    return restore;
  };
  const names = async (): Promise<Set<string | undefined>> => new Set((await listRestores()).map((r) => r.metadata.name));
  let cluster: Cluster;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const create = async (plural: string, kind: string, name: string, spec: object): Promise<object> =>
      (await objects().createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion, kind, metadata: { name, namespace }, spec } })) as object;
    cluster = (await create("clusters", "Cluster", "c", {})) as Cluster;
    await create("clusters", "Cluster", "copy", {});
    // Same second: the later name is the newer (as generated names are).
    for (const name of ["c-b0", "c-b1", "c-bad", "c-running"]) await create("etcdbackups", "EtcdBackup", name, { clusterName: "c" });
    await setStatus("etcdbackups", "c-b0", { phase: "Completed", revision: 700 });
    await setStatus("etcdbackups", "c-b1", { phase: "Completed", revision: 812 });
    await setStatus("etcdbackups", "c-bad", { phase: "Failed", conditions: ready("False", "SnapshotFailed", "no leader") });
    await setStatus("etcdbackups", "c-running", { phase: "Running" });
  });

  it("creates a restore of the cluster from the named backup, labelled with it and owned by it", async () => {
    const done = await seedbed("restore", "c", "--backup", "c-b0", "--name", "r1");
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toBe("Restore r1 of cluster c from backup c-b0 requested.\nFollow it: seedbed cluster get c --project default (phase Restoring until it is done)\n");
    const restore = await readRestore("r1");
    expect(restore.spec).toEqual({ clusterName: "c", backupName: "c-b0" });
    expect(restore.metadata.labels).toEqual({ "seedbed.dev/cluster": "c" });
    expect(restore.metadata.ownerReferences).toEqual([{ apiVersion, kind: "Cluster", name: "c", uid: cluster.metadata.uid, controller: false, blockOwnerDeletion: false }]);
  });

  it("without --backup, leaves the choice to the operator, says which backup is the newest completed one, and names the restore after the cluster and the time", async () => {
    const before = await names();
    const done = await seedbed("restore", "c");
    expect(done.status).toBe(0);
    const restore = await created(before);
    expect(restore.metadata.name).toMatch(/^c-restore-\d{8}-\d{6}$/);
    expect(restore.spec).toEqual({ clusterName: "c" });
    expect(done.stdout).toContain(`Restore ${restore.metadata.name ?? "?"} of cluster c from its newest completed backup (now c-b1) requested.\n`);
  });

  it.each([
    { args: ["nope", "--backup", "c-b1"], status: 3, stderr: "seedbed: cluster nope not found in project default: restore one of its clusters (seedbed cluster list --project default), create it first to clone a backup into it (seedbed cluster create nope --project default), or pass the --project it is in\n" },
    { args: ["c", "--backup", "ghost"], status: 3, stderr: "seedbed: --backup ghost: no backup ghost in project default; list the backups with: seedbed backup list --cluster c --project default, or leave --backup out for the cluster's newest completed backup\n" },
    { args: ["c", "--backup", "c-bad"], status: 8, stderr: "seedbed: --backup c-bad: that backup failed and holds no snapshot; choose a Completed one (list the backups with: seedbed backup list --cluster c --project default)\n" },
    { args: ["copy"], status: 3, stderr: "seedbed: cluster copy has no completed backup to restore: take one with seedbed backup create --cluster copy --project default --wait, or name one with --backup (another cluster's backup clones its data)\n" },
    { args: ["C"], status: 2, stderr: `seedbed: CLUSTER must be a cluster's name (lowercase letters, digits and '-'; seedbed cluster list shows them), got "C"\n` },
  ])("refuses $args with the fix, and creates nothing", async ({ args, status, stderr }) => {
    const before = (await listRestores()).length;
    const refused = await seedbed("restore", ...args);
    expect(refused.stderr).toBe(stderr);
    expect(refused.status).toBe(status);
    expect(await listRestores()).toHaveLength(before);
  });

  it("refuses a name that is taken, as the API server does", async () => {
    const taken = await seedbed("restore", "c", "--backup", "c-b1", "--name", "r1");
    expect(taken.status).toBe(4);
    expect(taken.stderr).toBe("seedbed: restore r1 already exists in project default: choose another name\n");
  });

  it("with --wait, prints each phase and step as the operator reports it, then both revisions", async () => {
    const before = await names();
    const waiting = seedbed("restore", "c", "--backup", "c-running", "--wait", "--timeout", "60s");
    const steps: NonNullable<EtcdRestore["status"]>[] = [
      { phase: "Pending", conditions: ready("False", "Waiting", "EtcdBackup c-running is Running; the restore starts once it has completed") },
      { phase: "Restoring", backupName: "c-running", conditions: ready("False", "Restoring", "downloading and checking the snapshot") },
      { phase: "Restoring", backupName: "c-running", conditions: ready("False", "AttemptFailed", "the store did not answer; retrying with backoff") },
      { phase: "Restoring", backupName: "c-running", snapshotRevision: 900, conditions: ready("False", "Restoring", "etcd holds the snapshot's data; the control plane is starting again on it") },
      { phase: "Completed", backupName: "c-running", snapshotRevision: 900, restoredRevision: 1_000_900, conditions: ready("True", "Completed", "cluster c is back at revision 900") },
    ];
    const restore = await playSteps(before, steps);
    const done = await waiting;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toBe([
      `Restore ${restore.metadata.name ?? "?"} of cluster c from backup c-running requested.`,
      "phase Pending: EtcdBackup c-running is Running; the restore starts once it has completed (Waiting)",
      "phase Restoring: downloading and checking the snapshot",
      "phase Restoring: the store did not answer; retrying with backoff (AttemptFailed)",
      "phase Restoring: etcd holds the snapshot's data; the control plane is starting again on it",
      "phase Completed: cluster c is back at revision 900",
      "Restored cluster c from backup c-running: revision 900 (etcd continues at revision 1000900).",
      "",
    ].join("\n"));
  });

  it("clones a backup of another cluster, saying so from the start to the end", async () => {
    const before = await names();
    const waiting = seedbed("restore", "copy", "--backup", "c-b1", "--name", "clone-1", "--wait", "--timeout", "60s");
    await playSteps(before, [{ phase: "Completed", backupName: "c-b1", snapshotRevision: 812, restoredRevision: 1_000_812, conditions: ready("True", "Completed", "done") }]);
    const done = await waiting;
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/^Cloning backup c-b1 of cluster c into cluster copy: restore clone-1 requested\.\n/);
    expect(done.stdout).toMatch(/\nCloned backup c-b1 of cluster c into cluster copy: revision 812 \(etcd continues at revision 1000812\)\.\n$/);
    expect((await readRestore("clone-1")).spec).toEqual({ clusterName: "copy", backupName: "c-b1" });
  });

  it("with --wait, exits 8 with the operator's reason when the restore Failed", async () => {
    const before = await names();
    const waiting = seedbed("restore", "c", "--backup", "c-b1", "--name", "r-fail", "--wait", "--timeout", "60s");
    await playSteps(before, [{ phase: "Failed", conditions: ready("False", "ChecksumMismatch", "the snapshot's sha256 differs from the backup's; the cluster was left as it was") }]);
    const failed = await waiting;
    expect(failed.status).toBe(8);
    expect(failed.stdout).toContain("phase Failed: the snapshot's sha256 differs from the backup's; the cluster was left as it was (ChecksumMismatch)\n");
    expect(failed.stderr).toBe("seedbed: restore r-fail of cluster c failed: the snapshot's sha256 differs from the backup's; the cluster was left as it was (ChecksumMismatch)\n");
  });

  it("with --wait, gives up after --timeout with exit 7, saying the restore goes on", async () => {
    const waited = await seedbed("restore", "c", "--backup", "c-b1", "--name", "r-slow", "--wait", "--timeout", "2s");
    expect(waited.status).toBe(7);
    expect(waited.stderr).toBe("seedbed: gave up waiting for restore r-slow after 2 s; it goes on in the background: seedbed cluster get c --project default\n");
  });
});
