import { rmSync } from "node:fs";
import { join } from "node:path";
import { verifyAnnotation, type Cluster, type EtcdBackup } from "@seedbed/api";
import { clearAbandonedDrills, DrillFailedError, drillSnapshot } from "@seedbed/backup";
import { verifyExport } from "@seedbed/controlplane";
import { applyStatus, setCondition, type EventRecorder, type ObjectClient, type ReconcileContext } from "@seedbed/runtime";
import { fetchSnapshot, snapshotOf, SnapshotUnusableError, type StoredSnapshotRef } from "./fetch.ts";
import type { BackupMetrics } from "./metrics.ts";
import { BackupStoreError, type BackupStores } from "./store.ts";

/** Keys every Kubernetes cluster's etcd holds: a snapshot without them would not bring a cluster back. */
const requiredKeys = ["/registry/namespaces/kube-system", "/registry/namespaces/default"];

/** What a drill needs. */
export interface BackupDrillOptions {
  readonly client: ObjectClient;
  readonly stores: BackupStores;
  /** The operator's backup work directory: drills run in drills/<backup uid> under it. */
  readonly workDir: string;
  readonly events?: EventRecorder;
  readonly metrics?: BackupMetrics;
  readonly now: () => number;
}

/** The marker prefix of every scratch etcd drills under `workDir` start: what a new operator clears at start. */
export function drillMarkerPrefix(workDir: string): string {
  return `seedbed-drill:${join(workDir, "drills")}`;
}

/**
 * Restore drills: the snapshot of a Completed EtcdBackup downloaded,
 * checked against its recorded SHA-256, restored into a scratch etcd,
 * checked (revision, keys, Kubernetes' own keys and a sample read back)
 * and thrown away. The outcome goes to status.verification and a Verified
 * condition; a failed drill is a Warning event on the backup and its
 * cluster and a metric. A store that cannot be read is no failed drill:
 * it is retried. A prefix export (a Shared cluster's backup) is not
 * restored anywhere: its drill checks the downloaded file whole (format,
 * checksum trailer, key count) against what the backup recorded, and says
 * so in its message.
 */
export class BackupDrill {
  readonly #o: BackupDrillOptions;
  /**
   * The request each backup's last recorded drill answered, by uid, until
   * the cache shows it: a reconcile on a cache older than this controller's
   * own status write must not drill (and count a failure) twice.
   */
  readonly #recorded = new Map<string, string>();

  constructor(options: BackupDrillOptions) {
    this.#o = options;
  }

  /** Whether the backup asks for a drill not run yet. */
  static requested(backup: EtcdBackup): string | undefined {
    const requested = backup.metadata.annotations?.[verifyAnnotation];
    return requested !== undefined && requested !== backup.status?.verification?.requestedAt ? requested : undefined;
  }

  /** The backup as the cache shows it: a recorded drill the cache has caught up with needs no memory. */
  observe(backup: EtcdBackup): void {
    const uid = backup.metadata.uid;
    if (uid !== undefined && this.#recorded.get(uid) === backup.status?.verification?.requestedAt) this.#recorded.delete(uid);
  }

  /** Forgets a deleted backup. */
  forget(uid: string | undefined): void {
    if (uid !== undefined) this.#recorded.delete(uid);
  }

  /** Runs the drill asked for with `requestedAt` and records it; throws (to be retried) only when the store cannot be read. */
  async run(backup: EtcdBackup, cluster: Cluster | undefined, requestedAt: string, context: ReconcileContext): Promise<void> {
    const name = backup.metadata.name ?? "?";
    const uid = backup.metadata.uid ?? name;
    if (this.#recorded.get(uid) === requestedAt) return;
    const dir = join(this.#o.workDir, "drills", uid);
    const marker = `${drillMarkerPrefix(this.#o.workDir)}/${uid}`;
    const file = join(this.#o.workDir, `drill-${uid}.db`);
    // A scratch etcd an interrupted drill of this backup left.
    await clearAbandonedDrills(marker, [dir]);
    let snapshot: StoredSnapshotRef;
    try {
      snapshot = await snapshotOf(backup, cluster, this.#o.stores, this.#o.client);
    } catch (error) {
      if (error instanceof BackupStoreError) return this.#record(backup, cluster, requestedAt, false, error.message);
      throw error;
    }
    try {
      await fetchSnapshot(snapshot, backup, file, context.signal);
      if (backup.status?.format === "PrefixExport") {
        const message = await checkExport(file, backup);
        await this.#record(backup, cluster, requestedAt, true, message);
        context.log.info({ backup: name, keys: backup.status.keys }, "Export check passed");
        return;
      }
      const report = await drillSnapshot(file, { revision: backup.status?.revision ?? -1, requiredKeys }, { dir, marker });
      await this.#record(backup, cluster, requestedAt, true, `restored into a scratch etcd at revision ${report.revision}: ${report.keys} keys, ${report.sampled} of them read back`);
      context.log.info({ backup: name, keys: report.keys }, "Restore drill passed");
    } catch (error) {
      if (!(error instanceof DrillFailedError) && !(error instanceof SnapshotUnusableError)) throw error;
      await this.#record(backup, cluster, requestedAt, false, error.message);
      context.log.info({ backup: name, reason: error.message }, "Restore drill failed");
    } finally {
      rmSync(file, { force: true });
      snapshot.store.close();
    }
  }

  async #record(backup: EtcdBackup, cluster: Cluster | undefined, requestedAt: string, passed: boolean, message: string): Promise<void> {
    const now = this.#o.now();
    const time = new Date(now).toISOString();
    const namespace = backup.metadata.namespace ?? "";
    const conditions = setCondition(backup.status?.conditions, { type: "Verified", status: passed ? "True" : "False", reason: passed ? "DrillPassed" : "DrillFailed", message, observedGeneration: backup.metadata.generation }, now);
    await applyStatus(this.#o.client, {
      apiVersion: backup.apiVersion,
      kind: backup.kind,
      metadata: { name: backup.metadata.name, namespace },
      status: { ...backup.status, verification: { requestedAt, time, passed, message }, conditions },
    });
    this.#recorded.set(backup.metadata.uid ?? backup.metadata.name ?? "?", requestedAt);
    const name = backup.metadata.name ?? "?";
    if (passed) {
      this.#o.metrics?.drillPassed(namespace, backup.spec.clusterName, now);
      this.#o.events?.record(backup, { reason: "BackupVerified", action: "Verify", note: message });
      return;
    }
    this.#o.metrics?.drillFailed(namespace, backup.spec.clusterName);
    this.#o.events?.record(backup, { type: "Warning", reason: "BackupDrillFailed", action: "Verify", note: message });
    if (cluster !== undefined) this.#o.events?.record(cluster, { type: "Warning", reason: "BackupDrillFailed", action: "Verify", note: `backup ${name} would not restore: ${message}` });
  }
}

/**
 * Checks a downloaded prefix export against its backup: readable whole
 * (header, every line, the trailer's count and checksum), at the revision
 * and with the keys recorded. Throws DrillFailedError naming what differs.
 */
async function checkExport(file: string, backup: EtcdBackup): Promise<string> {
  const header = await verifyExport(file).catch((error: unknown) => {
    throw new DrillFailedError(error instanceof Error ? error.message : String(error), { cause: error });
  });
  const { revision, keys } = backup.status ?? {};
  if (header.revision !== revision || header.keys !== keys) throw new DrillFailedError(`the export holds ${header.keys} keys at revision ${header.revision}, the backup recorded ${keys ?? "?"} at ${revision ?? "?"}`);
  if (header.keys === 0) throw new DrillFailedError(`the export holds no keys under ${header.prefix}`);
  return `checked the prefix export (not restored into a scratch etcd: an export is verified and counted): ${header.keys} keys under ${header.prefix} at revision ${header.revision}, its checksum and count match`;
}
