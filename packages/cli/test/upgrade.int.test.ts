import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type ClusterUpgradeStatus } from "@seedbed/api";
import { minorOf, offeredKubernetesVersions } from "@seedbed/binaries";
import { eventually, run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { rollbackCluster } from "../src/commands/cluster/rollback.ts";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const group = "seedbed.dev";
const version = "v1alpha1";
// The two minors offered (tools/k8s/versions.json), newest first.
const [newPinned = "", oldPinned = ""] = offeredKubernetesVersions();
const newer = minorOf(newPinned);
const older = minorOf(oldPinned);
const notOffered = `1.${String(Number(newer.split(".")[1]) + 1)}`;

/**
 * `seedbed cluster upgrade|rollback|get` against a real management API
 * with the CRDs, whose admission (the CEL rules on spec.version) has the
 * last word. No operator runs: the test plays its part by writing the
 * Cluster's status.upgrade through the status subresource, step by step,
 * as the Cluster reconciler would.
 */
describe("seedbed cluster upgrade and rollback", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const seedbed = (...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const readCluster = async (name: string): Promise<Cluster> => (await objects().getNamespacedCustomObject({ group, version, namespace, plural: "clusters", name })) as Cluster;
  /** Creates a cluster asking for `spec` that runs `running`, as the operator would report it. */
  const createCluster = async (name: string, spec: object, status: NonNullable<Cluster["status"]>): Promise<void> => {
    await objects().createNamespacedCustomObject({ group, version, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec } });
    await setStatus(name, status);
  };
  /** Writes a cluster's status as the operator would: through the status subresource. */
  const setStatus = async (name: string, status: NonNullable<Cluster["status"]>): Promise<void> => {
    await objects().patchNamespacedCustomObjectStatus({ group, version, namespace, plural: "clusters", name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const upgradeRecord = (fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => ({ from: oldPinned, to: newPinned, phase: "Upgrading", step: "Snapshot", startedTime: new Date().toISOString(), ...fields });
  /** Plays the Cluster reconciler for a `--wait` run: once spec.version is `until`, after a second, each status.upgrade in turn. */
  const playSteps = async (name: string, until: string, steps: ClusterUpgradeStatus[], version: string = oldPinned): Promise<void> => {
    await eventually(() => readCluster(name), (c) => c.spec.version === until, { timeoutMs: 30_000, description: `spec.version of ${name} set to ${until}` });
    await sleep(1000);
    for (const upgrade of steps) {
      await setStatus(name, { phase: upgrade.phase === "Completed" ? "Running" : "Upgrading", version: upgrade.phase === "Completed" ? upgrade.to : version, upgrade });
      await sleep(300);
    }
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  it("sets spec.version to the next minor, and says what follows", async () => {
    await createCluster("up", { version: older }, { phase: "Running", version: oldPinned });
    const done = await seedbed("cluster", "upgrade", "up", "--version", newer);
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toBe(`Cluster up is upgrading from ${older} to ${newer} (spec.version set): snapshot, etcd, kube-apiserver, controllers, then node pools.\nFollow it: seedbed cluster get up --project default\n`);
    expect((await readCluster("up")).spec.version).toBe(newer);
    const again = await seedbed("cluster", "upgrade", "up", "--version", newPinned);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`Cluster up asks for Kubernetes ${newPinned} already (spec.version ${newer}) and runs ${oldPinned}: its upgrade is about to start.\n`);
  });

  it("refuses a downgrade, a version not offered and a skipped minor, naming the flag and the fix, and changes nothing", async () => {
    await createCluster("stay", { version: newer }, { phase: "Running", version: newPinned });
    const down = await seedbed("cluster", "upgrade", "stay", "--version", older);
    expect(down.status).toBe(5);
    expect(down.stderr).toBe(`seedbed: --version ${older}: cluster stay is at ${newer}, and Kubernetes does not downgrade; only the last upgrade can be undone, back to the version it came from: seedbed cluster rollback stay --project default\n`);
    const unknown = await seedbed("cluster", "upgrade", "stay", "--version", notOffered);
    expect(unknown.status).toBe(5);
    expect(unknown.stderr).toBe(`seedbed: --version ${notOffered}: Kubernetes ${notOffered} is not offered here; choose one of ${offeredKubernetesVersions().join(", ")}\n`);
    const malformed = await seedbed("cluster", "upgrade", "stay", "--version", "latest");
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/^seedbed: --version must be MAJOR\.MINOR or MAJOR\.MINOR\.PATCH, .* got "latest"\n$/);
    // A cluster whose version came from the platform (spec.version unset) and runs a minor two below: admission sees no old value, the CLI does.
    await createCluster("old", {}, { phase: "Running", version: "1.35.4" });
    const skip = await seedbed("cluster", "upgrade", "old", "--version", newer);
    expect(skip.status).toBe(5);
    expect(skip.stderr).toBe(`seedbed: --version ${newer}: cluster old is at 1.35.4, and upgrades go one minor at a time; upgrade to ${older} first (seedbed cluster upgrade old --version ${older} --project default --wait), then to ${newer}\n`);
    expect((await readCluster("stay")).spec.version).toBe(newer);
    expect((await readCluster("old")).spec.version).toBeUndefined();
    const missing = await seedbed("cluster", "upgrade", "ghost", "--version", newer);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe("seedbed: cluster ghost not found in project default\n");
  });

  it("with --wait, prints each step as status.upgrade changes and ends when the upgrade is Completed", async () => {
    await createCluster("w", { version: older }, { phase: "Running", version: oldPinned, upgrade: upgradeRecord({ from: "1.35.4", to: oldPinned, phase: "Completed", step: "Done", startedTime: "2026-01-01T00:00:00Z" }) });
    const waiting = seedbed("cluster", "upgrade", "w", "--version", newer, "--wait", "--timeout", "40s");
    const startedTime = new Date().toISOString();
    const step = (fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => upgradeRecord({ startedTime, snapshot: "w-pre-upgrade", ...fields });
    await playSteps("w", newer, [
      step({ step: "Snapshot", message: "taking the pre-upgrade snapshot w-pre-upgrade" }),
      step({ step: "APIServer", message: `rolling kube-apiserver (1 of 2 replicas at ${newPinned})` }),
      step({ step: "APIServer", message: `rolling kube-apiserver (2 of 2 replicas at ${newPinned})` }),
      step({ step: "Controllers", message: "kube-controller-manager and kube-scheduler" }),
      step({ phase: "Completed", step: "Done", completionTime: new Date(Date.parse(startedTime) + 192_000).toISOString() }),
    ]);
    const done = await waiting;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    const lines = done.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Cluster w is upgrading from ${older} to ${newer} (spec.version set): snapshot, etcd, kube-apiserver, controllers, then node pools.`);
    // The earlier upgrade's record (to the older minor) printed nothing.
    expect(lines.slice(1).map((l) => l.replace(/^\[\d+s\] /, "[t] "))).toEqual([
      "[t] Snapshot: taking the pre-upgrade snapshot w-pre-upgrade",
      `[t] APIServer: rolling kube-apiserver (1 of 2 replicas at ${newPinned})`,
      `[t] APIServer: rolling kube-apiserver (2 of 2 replicas at ${newPinned})`,
      "[t] Controllers: kube-controller-manager and kube-scheduler",
      `Cluster w runs Kubernetes ${newPinned}: upgraded from ${oldPinned} in 3m12s.`,
    ]);
    expect(lines[1]).toMatch(/^\[\d+s\] /);
  });

  it("with --wait, exits 8 with the step's message and the way back when the upgrade Failed", async () => {
    await createCluster("f", { version: older }, { phase: "Running", version: oldPinned });
    const waiting = seedbed("cluster", "upgrade", "f", "--version", newer, "--wait", "--timeout", "40s");
    const startedTime = new Date().toISOString();
    await playSteps("f", newer, [
      upgradeRecord({ startedTime, step: "APIServer", message: "kube-apiserver 1 of 2 not ready" }),
      upgradeRecord({ startedTime, phase: "Failed", step: "APIServer", message: "kube-apiserver 1 of 2 not ready after the deadline (30m)" }),
    ]);
    const failed = await waiting;
    expect(failed.status).toBe(8);
    expect(failed.stdout).toMatch(/\n\[\d+s\] APIServer: kube-apiserver 1 of 2 not ready\n\[\d+s\] APIServer: kube-apiserver 1 of 2 not ready after the deadline \(30m\)\n$/);
    expect(failed.stderr).toBe(`seedbed: the upgrade of cluster f to ${newPinned} failed at step APIServer: kube-apiserver 1 of 2 not ready after the deadline (30m); roll it back: seedbed cluster rollback f --project default\n`);
    // Running it again says the same: spec.version is there already, and its upgrade failed.
    const again = await seedbed("cluster", "upgrade", "f", "--version", newer);
    expect(again.status).toBe(8);
    expect(again.stderr).toContain("roll it back: seedbed cluster rollback f --project default");
  });

  it("shows the upgrade in cluster get: phase, from → to, step and snapshot", async () => {
    const get = await seedbed("cluster", "get", "w");
    expect(get.status).toBe(0);
    expect(get.stdout).toMatch(new RegExp(`^Upgrade: +Completed ${oldPinned.replaceAll(".", "\\.")} → ${newPinned.replaceAll(".", "\\.")}, step Done \\(finished .*\\)\\n +pre-upgrade snapshot w-pre-upgrade\\n`, "m"));
    expect((await seedbed("cluster", "get", "stay")).stdout).not.toContain("Upgrade:");
  });

  it("refuses a rollback when the cluster has no upgrade to roll back (status.upgrade absent)", async () => {
    const refused = await seedbed("cluster", "rollback", "stay", "--yes");
    expect(refused.status).toBe(5);
    expect(refused.stderr).toBe("seedbed: cluster stay has no upgrade to roll back (status.upgrade is empty): only the last upgrade can be undone, and this cluster has not been upgraded\n");
    expect((await readCluster("stay")).spec.version).toBe(newer);
  });

  it("without --yes and no terminal, refuses and says what a rollback would cost: the snapshot and its time", async () => {
    await objects().createNamespacedCustomObject({ group, version, namespace, plural: "etcdbackups", body: { apiVersion, kind: "EtcdBackup", metadata: { name: "f-pre-upgrade", namespace }, spec: { clusterName: "f" } } });
    await objects().patchNamespacedCustomObjectStatus({ group, version, namespace, plural: "etcdbackups", name: "f-pre-upgrade", body: [{ op: "add", path: "/status", value: { phase: "Completed", completionTime: "2026-03-04T05:00:12Z" } }] });
    const f = await readCluster("f");
    await setStatus("f", { ...f.status, upgrade: { ...(f.status?.upgrade as ClusterUpgradeStatus), snapshot: "f-pre-upgrade" } });
    const refused = await seedbed("cluster", "rollback", "f");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`seedbed: cluster rollback f changes nothing without --yes here (no terminal to ask in): node pools go back first, then the control plane returns to ${oldPinned}; etcd is restored from the pre-upgrade snapshot f-pre-upgrade taken at 2026-03-04T05:00:12Z: changes made since are lost. Run it again with --yes to go ahead\n`);
    expect((await readCluster("f")).spec.version).toBe(newer);
  });

  it("in a terminal, asks first, saying what it costs, and changes nothing unless the answer is yes", async () => {
    const questions: string[] = [];
    const out = new PassThrough();
    let printed = "";
    out.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const answering = (yes: boolean) => ({ interactive: true, ask: (question: string): Promise<boolean> => Promise.resolve(questions.push(question) > 0 && yes) });
    await rollbackCluster("f", { kubeconfig: api().kubeconfigPath }, out, answering(false));
    expect(questions).toEqual([`Roll back cluster f from ${newPinned} to ${oldPinned}? Node pools go back first, then the control plane returns to ${oldPinned}; etcd is restored from the pre-upgrade snapshot f-pre-upgrade taken at 2026-03-04T05:00:12Z: changes made since are lost. [y/N] `]);
    expect(printed).toBe(`Nothing changed: cluster f stays at ${newer}.\n`);
    expect((await readCluster("f")).spec.version).toBe(newer);
  });

  it("goes ahead when only what it did not check changed while it asked (the operator's status), and stops when the upgrade record changed", async () => {
    const completed = upgradeRecord({ phase: "Completed", step: "Done", completionTime: new Date().toISOString() });
    await createCluster("busy", { version: newer }, { phase: "Running", version: newPinned, upgrade: completed });
    const quiet = new PassThrough();
    // While the question is open, the operator writes a condition: the resourceVersion read is stale, what was checked is not.
    const meanwhile = (name: string, status: NonNullable<Cluster["status"]>) => ({ interactive: true, ask: async (): Promise<boolean> => (await setStatus(name, status), true) });
    const condition = { type: "AddonsReady", status: "True" as const, reason: "Installed", message: "", lastTransitionTime: new Date().toISOString() };
    await rollbackCluster("busy", { kubeconfig: api().kubeconfigPath }, quiet, meanwhile("busy", { phase: "Running", version: newPinned, upgrade: completed, conditions: [condition] }));
    expect((await readCluster("busy")).spec.version).toBe(oldPinned);

    await createCluster("moved", { version: newer }, { phase: "Running", version: newPinned, upgrade: completed });
    // Here the upgrade record itself changes (a new snapshot named): what the user was told no longer holds.
    const refused = rollbackCluster("moved", { kubeconfig: api().kubeconfigPath }, quiet, meanwhile("moved", { phase: "Running", version: newPinned, upgrade: { ...completed, snapshot: "moved-pre-upgrade" } }));
    await expect(refused).rejects.toThrow("cluster moved changed while we checked it; run the command again");
    expect((await readCluster("moved")).spec.version).toBe(newer);
  });

  it("with --yes --wait, sets spec.version back to status.upgrade.from (admission lets the rollback through) and follows it until RolledBack", async () => {
    const waiting = seedbed("cluster", "rollback", "f", "--yes", "--wait", "--timeout", "40s");
    const f = await readCluster("f");
    // As the reconciler records a rollback: the same record, marked, restarted.
    const record = { ...(f.status?.upgrade as ClusterUpgradeStatus), rollback: true, startedTime: new Date().toISOString() };
    await playSteps("f", oldPinned, [
      { ...record, phase: "RollingBack", step: "NodePools", message: `machines back to ${oldPinned}` },
      { ...record, phase: "RollingBack", step: "Snapshot", message: "restoring f-pre-upgrade", restore: "f-rollback" },
      { ...record, phase: "RolledBack", step: "Done", message: `rolled back from ${newPinned} to ${oldPinned}`, restore: "f-rollback", completionTime: new Date().toISOString() },
    ], newPinned);
    const done = await waiting;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^Cluster f is rolling back from ${newPinned.replaceAll(".", "\\.")} to ${oldPinned.replaceAll(".", "\\.")} \\(spec\\.version set\\): node pools go back first, .* changes made since are lost\\.\\n`));
    expect(done.stdout).toMatch(/\n\[\d+s\] NodePools: machines back to .*\n\[\d+s\] Snapshot: restoring f-pre-upgrade\nCluster f runs/);
    expect(done.stdout).toContain(`Cluster f runs Kubernetes ${oldPinned} again: rolled back, etcd restored from snapshot f-pre-upgrade (restore f-rollback).\n`);
    expect((await readCluster("f")).spec.version).toBe(oldPinned);
    const twice = await seedbed("cluster", "rollback", "f", "--yes");
    expect(twice.status).toBe(5);
    expect(twice.stderr).toMatch(/^seedbed: cluster f was rolled back to .* already .*: only the last upgrade can be undone, once\n$/);
  });

  it("shows admission's own message when it refuses: a rollback to a minor no longer offered", async () => {
    // The upgrade came from 1.35, which this platform no longer offers: the CLI lets it through, admission does not.
    await createCluster("gone", { version: older }, { phase: "Running", version: oldPinned, upgrade: upgradeRecord({ from: "1.35.4", to: oldPinned, phase: "Completed", step: "Done" }) });
    const refused = await seedbed("cluster", "rollback", "gone", "--yes");
    expect(refused.status).toBe(5);
    expect(refused.stderr).toMatch(/^seedbed: cluster gone is invalid:\n  spec\.version: Invalid value: .*Kubernetes 1\.35\.4 is not offered here; choose one of /);
    expect((await readCluster("gone")).spec.version).toBe(older);
  });
});
