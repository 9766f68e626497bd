import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { clusterIdentity, isClusterServing, type Cluster, type EtcdBackup } from "@seedbed/api";
import { describeStoreError, SnapshotUploadError, streamSnapshotToStore, type S3Store } from "@seedbed/backup";
import type { HostingDriver } from "@seedbed/controlplane";
import { applyStatus, ensureFinalizer, hasFinalizer, isNotFound, removeFinalizer, setCondition, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { adoptByCluster } from "../cluster-owner.ts";
import { BackupDrill } from "./drill.ts";
import { etcdBackupFinalizer } from "./kinds.ts";
import type { BackupMetrics } from "./metrics.ts";
import { secretReader, snapshotOf } from "./fetch.ts";
import { BackupStoreError, backupStoreFor, snapshotKey, type BackupStores, type ClusterStore } from "./store.ts";
import { exportKey, storePrefixExport, type StoredBackupFacts } from "./prefix-export.ts";

/** Takes one backup of a cluster to `file` and stores it under `key`. */
interface BackupSource {
  readonly format: StoredBackupFacts["format"];
  readonly take: (file: string, store: S3Store, key: string, signal: AbortSignal | undefined) => Promise<StoredBackupFacts>;
}

type Status = NonNullable<EtcdBackup["status"]>;

/** What the reconciler needs. */
export interface EtcdBackupReconcilerOptions {
  readonly client: ObjectClient;
  readonly backup: (namespace: string, name: string) => EtcdBackup | undefined;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  /** The hosting driver of a cluster's seed. */
  readonly driver: (cluster: Cluster) => Promise<HostingDriver>;
  /** The platform's store and what names one for each cluster. */
  readonly stores: BackupStores;
  /** Where snapshots are written before they are uploaded (removed after). */
  readonly workDir: string;
  readonly events?: EventRecorder;
  readonly metrics?: BackupMetrics;
  /** The operator's clock: the time of drills. */
  readonly clock?: Clock;
}

/**
 * Takes one snapshot per EtcdBackup: through etcd's maintenance API, read
 * back (revision, key count, hash, SHA-256) before it is uploaded to the
 * cluster's store, Completed only once stored. A cluster whose keys are in
 * a seed's shared etcd gets an export of its prefix instead (format
 * PrefixExport, prefix-export.ts), stored the same way. A failed attempt is
 * reported (Ready=False with the reason, a Warning event) and retried with
 * backoff; a backup that can never succeed (no such cluster, a seed whose
 * etcd this operator cannot reach, no store) is Failed with the fix.
 * Deleting an EtcdBackup deletes its stored snapshot first (a finalizer).
 * A Completed backup whose seedbed.dev/verify annotation asks for a drill
 * gets one (see drill.ts).
 */
export class EtcdBackupReconciler implements Reconciler {
  readonly #o: EtcdBackupReconcilerOptions;
  readonly #drill: BackupDrill;

  constructor(options: EtcdBackupReconcilerOptions) {
    this.#o = options;
    this.#drill = new BackupDrill({ client: options.client, stores: options.stores, workDir: options.workDir, events: options.events, metrics: options.metrics, now: () => (options.clock ?? systemClock).now() });
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const backup = this.#o.backup(request.namespace ?? "", request.name);
    if (!backup) return undefined;
    if (backup.metadata.deletionTimestamp !== undefined) {
      this.#drill.forget(backup.metadata.uid);
      return this.#delete(backup);
    }
    this.#drill.observe(backup);
    const phase = backup.status?.phase;
    if (phase === "Completed") {
      const requested = BackupDrill.requested(backup);
      if (requested !== undefined) await this.#drill.run(backup, this.#o.cluster(backup.metadata.namespace ?? "", backup.spec.clusterName), requested, context);
      return undefined;
    }
    if (phase === "Failed") return undefined;
    // The cache may not show this controller's own last write yet (Completed): a snapshot taken
    // now would overwrite the stored one with newer data, so the live object decides.
    const live = await this.#o.client.read<EtcdBackup>({ apiVersion: backup.apiVersion, kind: backup.kind, metadata: { name: backup.metadata.name ?? "", namespace: backup.metadata.namespace ?? "" } }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (live === undefined || live.status?.phase === "Completed" || live.status?.phase === "Failed") return undefined;
    const source = await this.#source(backup);
    if (!("target" in source)) return source.result;
    try {
      await this.#take(backup, source.source, source.target, context);
      return undefined;
    } finally {
      source.target.store.close();
    }
  }

  /** How a backup's cluster is backed up and the store, or what to do while there are none. */
  async #source(backup: EtcdBackup): Promise<{ source: BackupSource; target: ClusterStore } | { result: ReconcileResult | undefined }> {
    const cluster = this.#o.cluster(backup.metadata.namespace ?? "", backup.spec.clusterName);
    if (!cluster) return { result: await this.#fail(backup, "ClusterNotFound", `Cluster ${backup.spec.clusterName} does not exist in ${backup.metadata.namespace ?? ""}; create the backup for an existing cluster`) };
    if (!isClusterServing(cluster)) {
      await this.#write(backup, { phase: "Pending" }, { status: "False", reason: "ClusterNotServing", message: `waiting for cluster ${backup.spec.clusterName} to serve` });
      return { result: { requeueAfter: 10_000 } };
    }
    // Goes with its cluster, whoever made it (the REST API sets no owner).
    if (await adoptByCluster(this.#o.client, backup, "etcdbackups", cluster)) return { result: undefined };
    const clusterId = clusterIdentity(cluster);
    const driver = await this.#o.driver(cluster);
    // Where its keys are now (a cluster moving between datastores follows the driver, not its spec).
    const shared = driver.sharedDatastoreOf?.(clusterId) !== undefined;
    if (shared ? driver.exportSharedTenant === undefined : driver.connectEtcd === undefined || !driver.capabilities.backups) return { result: await this.#fail(backup, "NotSupported", `backups of clusters on seed ${cluster.status?.seed ?? "?"} (driver ${driver.name}) are not supported yet: this operator cannot reach their etcd; clusters on local and kubernetes seeds can be backed up`) };
    const source: BackupSource = shared ? { format: "PrefixExport", take: (file, store, key, signal) => storePrefixExport(driver, clusterId, file, store, key, signal) } : { format: "Snapshot", take: (file, store, key, signal) => storeSnapshot(driver, clusterId, backup.spec.clusterName, file, store, key, signal) };
    try {
      return { source, target: await backupStoreFor(cluster, clusterId, this.#o.stores, secretReader(this.#o.client)) };
    } catch (error) {
      if (error instanceof BackupStoreError) return { result: await this.#fail(backup, "NoStore", error.message) };
      throw error;
    }
  }

  /** Snapshot (or prefix export), check, upload, record; a failed attempt is reported and thrown for the backoff. */
  async #take(backup: EtcdBackup, source: BackupSource, target: ClusterStore, context: ReconcileContext): Promise<void> {
    const { store } = target;
    const withFinalizer = await ensureFinalizer(this.#o.client, backup, etcdBackupFinalizer);
    const startTime = backup.status?.startTime ?? new Date().toISOString();
    const exporting = source.format === "PrefixExport";
    await this.#write(withFinalizer, { phase: "Running", startTime, format: source.format }, { status: "False", reason: "Running", message: exporting ? "exporting the cluster's prefix of the shared etcd" : "taking the snapshot" });
    const key = exporting ? exportKey(snapshotKey(backup)) : snapshotKey(backup);
    const file = join(this.#o.workDir, `${backup.metadata.uid ?? backup.metadata.name ?? "backup"}${exporting ? ".jsonl" : ".db"}`);
    mkdirSync(this.#o.workDir, { recursive: true, mode: 0o700 });
    try {
      const facts = await source.take(file, store, key, context.signal);
      const completionTime = new Date().toISOString();
      const seconds = (Date.parse(completionTime) - Date.parse(startTime)) / 1000;
      await this.#write(
        withFinalizer,
        { phase: "Completed", format: facts.format, startTime, completionTime, location: store.url(key), sizeBytes: facts.sizeBytes, revision: facts.revision, sha256: facts.sha256, keys: facts.keys, store: target.record(key), ...(facts.etcdVersion === undefined ? {} : { etcdVersion: facts.etcdVersion }) },
        { status: "True", reason: "Completed", message: `${facts.summary}, ${facts.sizeBytes} bytes, stored at ${store.url(key)} in ${seconds.toFixed(1)} s` },
      );
      this.#o.metrics?.completed(backup.metadata.namespace ?? "", backup.spec.clusterName, { completedAt: Date.parse(completionTime), sizeBytes: facts.sizeBytes, seconds });
      this.#o.events?.record(backup, { reason: "BackupCompleted", action: "Backup", note: `${exporting ? "prefix export" : "snapshot"} of cluster ${backup.spec.clusterName} at revision ${facts.revision} stored at ${store.url(key)}` });
      context.log.info({ cluster: backup.spec.clusterName, revision: facts.revision, sizeBytes: facts.sizeBytes, location: store.url(key) }, "Backup completed");
    } catch (error) {
      const message = attemptFailure(error, store);
      await this.#write(withFinalizer, { phase: "Running", startTime }, { status: "False", reason: "AttemptFailed", message: `${message}; retrying with backoff` });
      this.#o.metrics?.failed(backup.metadata.namespace ?? "", backup.spec.clusterName);
      this.#o.events?.record(backup, { type: "Warning", reason: "BackupAttemptFailed", action: "Backup", note: message });
      throw new Error(message, { cause: error });
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Deletes the stored snapshot, then lets the EtcdBackup go. */
  async #delete(backup: EtcdBackup): Promise<ReconcileResult | undefined> {
    if (!hasFinalizer(backup, etcdBackupFinalizer)) return undefined;
    const cluster = this.#o.cluster(backup.metadata.namespace ?? "", backup.spec.clusterName);
    // Where it was recorded; a backup from before stores were recorded whose cluster is gone took its store's settings with it: what it stored stays for its owner to remove.
    if (backup.status?.location !== undefined && (backup.status.store !== undefined || cluster !== undefined)) {
      const { store, key } = await snapshotOf(backup, cluster, this.#o.stores, this.#o.client);
      try {
        await store.delete(key);
      } catch (error) {
        throw new Error(describeStoreError(store.location, `deleting ${backup.status.location}`, error), { cause: error });
      } finally {
        store.close();
      }
    }
    await removeFinalizer(this.#o.client, backup, etcdBackupFinalizer);
    return undefined;
  }

  /** Marks the backup Failed for good; returns what the reconcile returns then (no retry). */
  async #fail(backup: EtcdBackup, reason: string, message: string): Promise<ReconcileResult | undefined> {
    await this.#write(backup, { phase: "Failed" }, { status: "False", reason, message });
    this.#o.events?.record(backup, { type: "Warning", reason: "BackupFailed", action: "Backup", note: message });
    return undefined;
  }

  async #write(backup: EtcdBackup, fields: Partial<Status>, ready: { status: "True" | "False"; reason: string; message: string }): Promise<void> {
    const conditions = setCondition(backup.status?.conditions, { type: "Ready", ...ready, observedGeneration: backup.metadata.generation }, Date.now());
    await applyStatus(this.#o.client, {
      apiVersion: backup.apiVersion,
      kind: backup.kind,
      metadata: { name: backup.metadata.name, namespace: backup.metadata.namespace },
      // `scheduled`: made by the cluster's schedule (its label), so its retention prunes it.
      status: { ...backup.status, ...fields, ...(backup.metadata.labels?.["seedbed.dev/scheduled"] === "true" ? { scheduled: true } : {}), conditions, observedGeneration: backup.metadata.generation },
    });
  }

}


/** Snapshots the cluster's own etcd to `file`, uploaded under `key` as etcdctl writes it (the snapshot and the upload overlap). */
async function storeSnapshot(driver: HostingDriver, clusterId: string, clusterName: string, file: string, store: S3Store, key: string, signal: AbortSignal | undefined): Promise<StoredBackupFacts> {
  const etcd = await driver.connectEtcd?.(clusterId);
  if (etcd === undefined) throw new Error(`etcd snapshot of cluster ${clusterName} cannot start: its etcd cannot be reached yet`);
  try {
    const facts = await streamSnapshotToStore(etcd, file, store, key, { signal });
    return { format: "Snapshot", sizeBytes: facts.sizeBytes, revision: facts.revision, sha256: facts.sha256, keys: facts.totalKeys, ...(facts.storageVersion === undefined ? {} : { etcdVersion: facts.storageVersion }), summary: `${facts.totalKeys} keys at revision ${facts.revision}` };
  } finally {
    await etcd.close();
  }
}

/** Why an attempt failed, in words: etcd's side as etcdctl said it, or the store's (never a credential). */
function attemptFailure(error: unknown, store: S3Store): string {
  if (error instanceof SnapshotUploadError && error.stage === "upload") return describeStoreError(store.location, "storing the snapshot", error.cause);
  if (error instanceof Error && (error.message.startsWith("etcd snapshot") || error.message.startsWith("etcd export"))) return error.message;
  return describeStoreError(store.location, "storing the snapshot", error);
}
