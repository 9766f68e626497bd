import { rmSync } from "node:fs";
import { join } from "node:path";
import { ClusterConditions, clusterIdentity, isClusterServing, quorumRecoveryAnnotation, type Cluster, type EtcdBackup, type EtcdRestore } from "@seedbed/api";
import { etcdStatus, inspectSnapshot, restoreSnapshot, snapshotVersionError, SnapshotRefusedError } from "@seedbed/backup";
import { versions } from "@seedbed/binaries";
import { verifyExport, type EtcdRestoreTarget, type HostingDriver, type TenantRestoreResult, type TenantRestoreTarget } from "@seedbed/controlplane";
import { applyStatus, setCondition, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { fetchSnapshot, snapshotOf, SnapshotUnusableError } from "../etcdbackup/fetch.ts";
import { BackupStoreError, type BackupStores } from "../etcdbackup/store.ts";
import { adoptByCluster } from "../cluster-owner.ts";
import { chooseBackup } from "./choose.ts";
import { restorePath } from "./format.ts";

type Status = NonNullable<EtcdRestore["status"]>;

/** Reasons an EtcdRestore ends Failed with: each leaves the cluster as it was. */
type RefusalReason = "ClusterNotFound" | "BackupNotFound" | "BackupFailed" | "NoStore" | "SnapshotMissing" | "ChecksumMismatch" | "SnapshotRefused" | "VersionTooNew" | "NotSupported" | "FormatNotRestorable";

/** A restore that cannot succeed, found before the cluster was touched. */
class RestoreRefusedError extends Error {
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** How far revisions are raised past the newest one clients saw: writes made while the snapshot is staged stay below it. */
const revisionMargin = 1_000_000;
/** The raise when the running etcd's revision cannot be read: etcd's own advice for restores of Kubernetes. */
const blindRevisionBump = 1_000_000_000;

/** What the reconciler needs. */
export interface EtcdRestoreReconcilerOptions {
  readonly client: ObjectClient;
  readonly restore: (namespace: string, name: string) => EtcdRestore | undefined;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  /** The EtcdBackups of a namespace, from the cache. */
  readonly backups: (namespace: string) => readonly EtcdBackup[];
  /** The EtcdRestores of a namespace, from the cache: one restore of a cluster at a time. */
  readonly restores: (namespace: string) => readonly EtcdRestore[];
  /** The hosting driver of a cluster's seed. */
  readonly driver: (cluster: Cluster) => Promise<HostingDriver>;
  /** The platform's store and what names one for each cluster. */
  readonly stores: BackupStores;
  /** Where snapshots are downloaded to before they are restored (removed after). */
  readonly workDir: string;
  readonly events?: EventRecorder;
  /** The Cluster controller's clock: a restore completes once the cluster is Ready after its data was restored. */
  readonly clock?: Clock;
}

/**
 * Puts a cluster's etcd back to an EtcdBackup's snapshot: Pending until
 * the backup and the cluster are there, then Restoring — the snapshot is
 * downloaded, checked (SHA-256, etcd's own hash, version) and restored
 * beside the running etcd with its revision raised past every revision
 * clients saw; only then does the driver stop the control plane, swap the
 * data in, and the Cluster reconciler start it again. Completed once the
 * cluster is Ready on the restored data. Anything found wrong before the
 * swap fails the restore and leaves the cluster as it was; an operator
 * killed at any step resumes the same restore (the driver's steps are
 * recorded on disk by the restore's uid). A cluster whose keys are in a
 * seed's shared etcd is restored from a prefix export instead: the export
 * is downloaded and checked, then the driver holds the cluster's control
 * plane stopped, replaces the keys under its prefix alone (other tenants
 * are never touched) and releases it; the imported keys carry new, higher
 * revisions of the shared etcd, so a watch resumed from an older
 * resourceVersion sees every object deleted and the backup's added again
 * (or 410 Gone, and relists, once that history is compacted).
 */
export class EtcdRestoreReconciler implements Reconciler {
  readonly #o: EtcdRestoreReconcilerOptions;
  readonly #clock: Clock;

  constructor(options: EtcdRestoreReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const restore = this.#o.restore(request.namespace ?? "", request.name);
    if (!restore || restore.metadata.deletionTimestamp !== undefined) return undefined;
    const phase = restore.status?.phase;
    if (phase === "Completed" || phase === "Failed") return undefined;
    const cluster = this.#o.cluster(restore.metadata.namespace ?? "", restore.spec.clusterName);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) return this.#fail(restore, "ClusterNotFound", `Cluster ${restore.spec.clusterName} does not exist in ${restore.metadata.namespace ?? ""}${cluster ? " any more (it is being deleted)" : ""}; restore into an existing cluster`);
    // Goes with its cluster, whoever made it (the REST API sets no owner).
    if (await adoptByCluster(this.#o.client, restore, "etcdrestores", cluster)) return undefined;
    const driver = await this.#o.driver(cluster);
    if (phase !== "Restoring") return this.#start(restore, cluster, driver, context);
    return this.#continue(restore, cluster, driver, context);
  }

  /** Chooses the backup and waits for it and the cluster; then the restore is Restoring. */
  async #start(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = restore.metadata.namespace ?? "";
    const choice = chooseBackup(restore, this.#o.backups(namespace));
    if ("refused" in choice) return this.#fail(restore, choice.refused.reason, choice.refused.message);
    if ("waiting" in choice) return this.#wait(restore, choice.waiting);
    const { backup } = choice;
    if (driver.restoreEtcd === undefined && driver.restoreSharedTenant === undefined) return this.#fail(restore, "NotSupported", `restores of clusters on seed ${cluster.status?.seed ?? "?"} (driver ${driver.name}) are not supported yet; clusters on a local seed can be restored, and a backup of this cluster can be cloned into a new cluster on a local seed (an EtcdRestore naming it there)`);
    const notYet = this.#clusterNotReadyFor(restore, cluster);
    if (notYet !== undefined) return this.#wait(restore, notYet);
    // Once the cluster is built: where its keys are is known only then.
    const path = restorePath({ backup, clusterName: restore.spec.clusterName, sharedSeed: sharedSeedOf(driver, cluster), driver: { name: driver.name, snapshots: driver.restoreEtcd !== undefined, prefixes: driver.restoreSharedTenant !== undefined } });
    if ("refused" in path) return this.#fail(restore, path.refused.reason, `${path.refused.message}; the cluster was left as it was`);
    const source = backup.spec.clusterName;
    const fields: Partial<Status> = { phase: "Restoring", startTime: new Date(this.#clock.now()).toISOString(), backupName: backup.metadata.name, ...(backup.status?.revision === undefined ? {} : { snapshotRevision: backup.status.revision }) };
    const what = source === restore.spec.clusterName ? `backup ${backup.metadata.name ?? "?"}` : `backup ${backup.metadata.name ?? "?"} of cluster ${source} (a clone)`;
    const started = await this.#write(restore, fields, { status: "False", reason: "Restoring", message: `downloading and checking the ${path.noun} of ${what}; the cluster serves until it is staged` });
    this.#o.events?.record(cluster, { reason: "RestoreStarted", action: "Restore", note: `EtcdRestore ${restore.metadata.name ?? "?"} puts etcd back to ${what} at revision ${backup.status?.revision ?? "?"}` });
    context.log.info({ backup: backup.metadata.name, source }, "Restore started");
    return this.#continue(started, cluster, driver, context);
  }

  /** Why the cluster cannot take the restore yet: it does not serve, or another restore of it runs. */
  #clusterNotReadyFor(restore: EtcdRestore, cluster: Cluster): string | undefined {
    // A recovery from a lost quorum restores a cluster that cannot serve until it is restored.
    const recovery = restore.metadata.annotations?.[quorumRecoveryAnnotation] !== undefined;
    if ((!recovery && !isClusterServing(cluster)) || cluster.status?.clusterID === undefined) return `waiting for cluster ${cluster.metadata.name ?? "?"} to serve: its control plane must run before its data can be replaced`;
    const other = this.#o.restores(restore.metadata.namespace ?? "").find((r) => r.spec.clusterName === restore.spec.clusterName && r.status?.phase === "Restoring" && r.metadata.uid !== restore.metadata.uid);
    return other === undefined ? undefined : `waiting for restore ${other.metadata.name ?? "?"} of cluster ${restore.spec.clusterName} to finish first`;
  }

  /** Stages and swaps the data in (once), then waits for the cluster to be Ready on it. */
  async #continue(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const restoredAt = restore.status?.dataRestoredTime;
    if (restoredAt === undefined) return this.#swap(restore, cluster, driver, context);
    // Ready since the data was swapped in: the control plane was restarted on it (conditions keep whole seconds).
    const ready = cluster.status?.conditions?.find((c) => c.type === ClusterConditions.Ready);
    if (ready?.status !== "True" || Date.parse(ready.lastTransitionTime) < Date.parse(restoredAt) - 1000) return { requeueAfter: 2000 };
    await this.#complete(restore, cluster, driver, context);
    return undefined;
  }

  /** Has the driver stage the snapshot and swap it in for etcd's data (or import an export into the cluster's prefix); refusals fail the restore, other errors are retried. */
  async #swap(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const seed = sharedSeedOf(driver, cluster);
    if (seed !== undefined) return this.#import(restore, cluster, driver, context);
    if (driver.restoreEtcd === undefined) return this.#fail(restore, "NotSupported", `restores of clusters on driver ${driver.name} are not supported`);
    try {
      await driver.restoreEtcd(clusterIdentity(cluster), { id: restore.metadata.uid ?? "", stage: (target) => this.#stage(restore, cluster, driver, target, context.signal) });
    } catch (error) {
      return this.#attemptFailed(restore, error);
    }
    await this.#write(restore, { dataRestoredTime: new Date(this.#clock.now()).toISOString() }, { status: "False", reason: "Restoring", message: "etcd holds the snapshot's data; the control plane is starting again on it" });
    context.log.info({ cluster: cluster.metadata.name }, "Restored etcd's data; the control plane starts again");
    return { requeueAfter: 2000 };
  }

  /**
   * Has the driver import the backup's prefix export into the cluster's
   * prefix of its shared etcd, its control plane held stopped meanwhile;
   * refusals fail the restore (nothing touched), other errors are retried
   * (an interrupted import runs again: it empties the prefix first).
   */
  async #import(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    if (driver.restoreSharedTenant === undefined) return this.#fail(restore, "NotSupported", `restores of clusters in a shared etcd on driver ${driver.name} are not supported`);
    let result: TenantRestoreResult;
    try {
      result = await driver.restoreSharedTenant(clusterIdentity(cluster), { id: restore.metadata.uid ?? "", stage: (target) => this.#stageExport(restore, cluster, target, context.signal) });
    } catch (error) {
      return this.#attemptFailed(restore, error);
    }
    const message = `imported ${result.writtenKeys} keys under ${result.prefix} of seed ${result.seed}'s shared etcd (its ${result.deletedKeys} keys there deleted first, no other tenant's touched); the control plane is starting again on them`;
    await this.#write(restore, { dataRestoredTime: new Date(this.#clock.now()).toISOString(), restoredRevision: result.revision }, { status: "False", reason: "Restoring", message });
    context.log.info({ cluster: cluster.metadata.name, keys: result.writtenKeys, revision: result.revision }, "Imported the prefix export; the control plane starts again");
    return { requeueAfter: 2000 };
  }

  /** Records the restore Completed, with the revision etcd continues at. */
  async #complete(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, context: ReconcileContext): Promise<void> {
    const seed = sharedSeedOf(driver, cluster);
    const revision = seed === undefined ? await liveRevision(driver, clusterIdentity(cluster)) : restore.status?.restoredRevision;
    const backupName = restore.status?.backupName ?? "?";
    const continues =
      seed !== undefined
        ? `; its keys in seed ${seed}'s shared etcd were written anew at revisions up to ${revision ?? "?"}, past every revision clients saw before: their watches see each object deleted and the backup's added again, or relist`
        : revision === undefined
          ? ""
          : `; etcd continues at revision ${revision}, past every revision clients saw before, so their watches relist`;
    const message = `restored backup ${backupName} (revision ${restore.status?.snapshotRevision ?? "?"})${continues}`;
    await this.#write(restore, { phase: "Completed", completionTime: new Date(this.#clock.now()).toISOString(), ...(revision === undefined ? {} : { restoredRevision: revision }) }, { status: "True", reason: "Completed", message });
    this.#o.events?.record(restore, { reason: "RestoreCompleted", action: "Restore", note: message });
    this.#o.events?.record(cluster, { reason: "RestoreCompleted", action: "Restore", note: `EtcdRestore ${restore.metadata.name ?? "?"}: ${message}` });
    context.log.info({ backup: backupName, revision }, "Restore completed");
  }

  /** Downloads and checks the snapshot, and restores it into the driver's staging directory; refusals throw RestoreRefusedError. */
  async #stage(restore: EtcdRestore, cluster: Cluster, driver: HostingDriver, target: EtcdRestoreTarget, signal: AbortSignal | undefined): Promise<void> {
    const namespace = restore.metadata.namespace ?? "";
    const backupName = restore.status?.backupName ?? "";
    const backup = this.#o.backups(namespace).find((b) => b.metadata.name === backupName);
    if (backup === undefined) throw new RestoreRefusedError("BackupNotFound", `EtcdBackup ${backupName} was deleted before its snapshot was restored`);
    // The store recorded with the backup: its cluster may be gone (a clone of a deleted cluster's data).
    const snapshot = await snapshotOf(backup, this.#o.cluster(namespace, backup.spec.clusterName), this.#o.stores, this.#o.client).catch((error: unknown) => {
      throw error instanceof BackupStoreError ? new RestoreRefusedError("NoStore", error.message) : error;
    });
    const file = join(this.#o.workDir, `restore-${restore.metadata.uid ?? "x"}.db`);
    try {
      await fetchSnapshot(snapshot, backup, file, signal).catch((error: unknown) => {
        throw error instanceof SnapshotUnusableError ? new RestoreRefusedError(error.reason, error.message) : error;
      });
      const facts = await snapshotFacts(backup, file);
      const tooNew = snapshotVersionError(facts.storageVersion, versions.etcd);
      if (tooNew !== undefined) throw new RestoreRefusedError("VersionTooNew", tooNew);
      // Past the newest revision the running etcd handed out: clients holding one are told it is compacted and relist.
      const live = await liveRevision(driver, clusterIdentity(cluster));
      const bumpRevision = live === undefined ? blindRevisionBump : Math.max(0, live - facts.revision) + revisionMargin;
      await restoreSnapshot(file, target.dataDir, { member: target.member, bumpRevision }).catch((error: unknown) => {
        throw error instanceof SnapshotRefusedError ? new RestoreRefusedError("SnapshotRefused", error.message) : error;
      });
    } finally {
      rmSync(file, { force: true });
      snapshot.store.close();
    }
  }

  /** Downloads the backup's prefix export to the driver's staging file and checks it whole; refusals throw RestoreRefusedError. */
  async #stageExport(restore: EtcdRestore, cluster: Cluster, target: TenantRestoreTarget, signal: AbortSignal | undefined): Promise<void> {
    const namespace = restore.metadata.namespace ?? "";
    const backupName = restore.status?.backupName ?? "";
    const backup = this.#o.backups(namespace).find((b) => b.metadata.name === backupName);
    if (backup === undefined) throw new RestoreRefusedError("BackupNotFound", `EtcdBackup ${backupName} was deleted before its export was imported`);
    if (backup.status?.format !== "PrefixExport") throw new RestoreRefusedError("FormatNotRestorable", `backup ${backupName} is a snapshot, not a prefix export; cluster ${restore.spec.clusterName}'s keys are in a shared etcd now (it moved since the restore began): create a new EtcdRestore`);
    const stored = await snapshotOf(backup, this.#o.cluster(namespace, backup.spec.clusterName), this.#o.stores, this.#o.client).catch((error: unknown) => {
      throw error instanceof BackupStoreError ? new RestoreRefusedError("NoStore", error.message) : error;
    });
    try {
      await fetchSnapshot(stored, backup, target.file, signal).catch((error: unknown) => {
        throw error instanceof SnapshotUnusableError ? new RestoreRefusedError(error.reason, error.message) : error;
      });
      const header = await verifyExport(target.file).catch((error: unknown) => {
        throw new RestoreRefusedError("SnapshotRefused", error instanceof Error ? error.message : String(error));
      });
      if (header.keys !== backup.status.keys || header.revision !== backup.status.revision) {
        throw new RestoreRefusedError("SnapshotRefused", `the export of backup ${backupName} holds ${header.keys} keys at revision ${header.revision}, the backup recorded ${backup.status.keys ?? "?"} at ${backup.status.revision ?? "?"}`);
      }
      // A clone (another cluster's export) lands under this cluster's prefix: the driver rewrites every key.
      if (header.id !== clusterIdentity(cluster)) this.#o.events?.record(cluster, { reason: "RestoreClone", action: "Restore", note: `the keys of cluster ${backup.spec.clusterName} (${header.prefix}) are imported under ${target.prefix}` });
    } finally {
      stored.store.close();
    }
  }

  /** A driver's restore call failed: a refusal fails the restore for good (the cluster untouched); anything else is reported and thrown, to be retried with backoff. */
  async #attemptFailed(restore: EtcdRestore, error: unknown): Promise<undefined> {
    if (error instanceof RestoreRefusedError) return this.#fail(restore, error.reason, `${error.message}; the cluster was left as it was`);
    const message = error instanceof Error ? error.message : String(error);
    await this.#write(restore, {}, { status: "False", reason: "AttemptFailed", message: `${message}; retrying with backoff` });
    this.#o.events?.record(restore, { type: "Warning", reason: "RestoreAttemptFailed", action: "Restore", note: message });
    throw error;
  }

  async #wait(restore: EtcdRestore, message: string): Promise<ReconcileResult> {
    await this.#write(restore, { phase: "Pending" }, { status: "False", reason: "Waiting", message });
    return { requeueAfter: 5000 };
  }

  /** Marks the restore Failed for good (no retry). */
  async #fail(restore: EtcdRestore, reason: RefusalReason, message: string): Promise<undefined> {
    await this.#write(restore, { phase: "Failed", completionTime: new Date(this.#clock.now()).toISOString() }, { status: "False", reason, message });
    this.#o.events?.record(restore, { type: "Warning", reason: "RestoreFailed", action: "Restore", note: message });
    return undefined;
  }

  /** Applies the status with `fields` laid over it; returns the restore as written. */
  async #write(restore: EtcdRestore, fields: Partial<Status>, ready: { status: "True" | "False"; reason: string; message: string }): Promise<EtcdRestore> {
    const conditions = setCondition(restore.status?.conditions, { type: "Ready", ...ready, observedGeneration: restore.metadata.generation }, this.#clock.now());
    const status = { ...restore.status, ...fields, conditions, observedGeneration: restore.metadata.generation } as Status;
    await applyStatus(this.#o.client, { apiVersion: restore.apiVersion, kind: restore.kind, metadata: { name: restore.metadata.name, namespace: restore.metadata.namespace }, status });
    return { ...restore, status };
  }
}

/** The seed whose shared etcd holds the cluster's keys (the driver's record, not the spec: a move may be under way), or undefined. */
function sharedSeedOf(driver: HostingDriver, cluster: Cluster): string | undefined {
  return cluster.status?.clusterID === undefined ? undefined : driver.sharedDatastoreOf?.(clusterIdentity(cluster));
}

/** The revision of the cluster's running etcd, or undefined when it cannot be read. */
async function liveRevision(driver: HostingDriver, clusterId: string): Promise<number | undefined> {
  const etcd = await driver.connectEtcd?.(clusterId).catch(() => undefined);
  if (etcd === undefined) return undefined;
  try {
    return (await etcdStatus(etcd)).revision;
  } catch {
    return undefined;
  } finally {
    await etcd.close();
  }
}

/**
 * The revision and etcd version of a downloaded snapshot: as the backup
 * recorded them when it read the file (the SHA-256 just matched, so it is
 * that file), else read again with etcdutl.
 */
async function snapshotFacts(backup: EtcdBackup, file: string): Promise<{ revision: number; storageVersion?: string }> {
  const { revision, etcdVersion } = backup.status ?? {};
  if (revision !== undefined && etcdVersion !== undefined) return { revision, storageVersion: etcdVersion };
  return inspectSnapshot(file).catch((error: unknown) => {
    throw new RestoreRefusedError("SnapshotRefused", error instanceof Error ? error.message : String(error));
  });
}
