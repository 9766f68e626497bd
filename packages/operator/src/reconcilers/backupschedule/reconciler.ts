import { verifyAnnotation, type Cluster, type ClusterTemplate, type EtcdBackup } from "@seedbed/api";
import { isConflict, isNotFound, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { nextRun, planSchedule, scheduleError, type ScheduledBackup } from "./plan.ts";

/** Restore drills when spec.backup.verify is left out (objects stored before the field had its default). */
const defaultVerifySchedule = "@weekly";

/** Labels of the EtcdBackups a schedule makes. */
export const backupLabels = { cluster: "seedbed.dev/cluster", scheduled: "seedbed.dev/scheduled" } as const;

/** The run a scheduled backup stands for (ISO 8601, the operator's clock), which the next run is counted from. */
export const scheduledForAnnotation = "seedbed.dev/scheduled-for";

/** What the reconciler reads and decides with. */
export interface BackupScheduleOptions {
  readonly client: ObjectClient;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  readonly template: (namespace: string, name: string) => ClusterTemplate | undefined;
  /** The EtcdBackups of a namespace, from the cache. */
  readonly backups: (namespace: string) => readonly EtcdBackup[];
  /** Whether the cluster's seed takes snapshots (its driver reaches etcd); the Cluster reports it NotSupported otherwise. */
  readonly canBackUp: (cluster: Cluster) => Promise<boolean>;
  readonly clock?: Clock;
  readonly events?: EventRecorder;
}

/** The schedule in effect for a cluster: its own spec.backup, else its template's. */
export function effectiveBackup(cluster: Cluster, template: ClusterTemplate | undefined): NonNullable<Cluster["spec"]["backup"]> | undefined {
  return cluster.spec.backup ?? template?.spec.backup;
}

/** The scheduled EtcdBackups of a cluster, as the planner sees them. */
export function scheduledBackupsOf(cluster: Cluster, backups: readonly EtcdBackup[]): ScheduledBackup[] {
  return backups
    .filter((b) => b.metadata.labels?.[backupLabels.scheduled] === "true" && b.spec.clusterName === cluster.metadata.name && b.metadata.deletionTimestamp === undefined)
    .map((b) => {
      const ready = b.status?.conditions?.find((c) => c.type === "Ready");
      const message = ready?.status === "False" && ready.reason !== "Running" && ready.reason !== "ClusterNotServing" ? ready.message : undefined;
      const scheduledFor = Date.parse(b.metadata.annotations?.[scheduledForAnnotation] ?? "");
      return { name: b.metadata.name ?? "", createdAt: Number.isNaN(scheduledFor) ? new Date(b.metadata.creationTimestamp ?? 0).getTime() || 0 : scheduledFor, phase: b.status?.phase, ...(message === undefined ? {} : { message }) };
    });
}

/**
 * Carries out `spec.backup` of each cluster (or its template's): an
 * EtcdBackup (labelled scheduled, owned by the Cluster) whenever the cron
 * schedule (UTC) falls due, and retention: scheduled backups beyond the
 * newest `retention` that completed (and those `keep` thins by age) are deleted (their finalizer deletes
 * the stored snapshots). It comes back when the next run is due; the
 * Cluster reconciler reports the outcome (lastBackupTime, BackupsHealthy).
 */
export class BackupScheduleReconciler implements Reconciler {
  readonly #o: BackupScheduleOptions;
  readonly #clock: Clock;

  constructor(options: BackupScheduleOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const cluster = this.#o.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) return undefined;
    const templateName = cluster.spec.template;
    const backup = effectiveBackup(cluster, templateName === undefined ? undefined : this.#o.template(namespace, templateName));
    if (backup === undefined || scheduleError(backup.schedule) !== undefined) return undefined;
    if (!(await this.#o.canBackUp(cluster))) return undefined;
    const now = this.#clock.now();
    const since = new Date(cluster.metadata.creationTimestamp ?? now).getTime() || now;
    const plan = planSchedule({ schedule: backup.schedule, retention: backup.retention, ...(backup.keep === undefined ? {} : { thinning: backup.keep }), now, since, backups: scheduledBackupsOf(cluster, this.#o.backups(namespace)) });
    for (const name of plan.prune) {
      await this.#o.client.request("DELETE", `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/etcdbackups/${name}`).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      context.log.info({ backup: name }, "Deleted a scheduled backup past the retention count");
    }
    if (plan.due) await this.#create(cluster, now, context);
    const drillAt = await this.#drill(cluster, backup.verify ?? defaultVerifySchedule, now, since, context);
    const next = [plan.nextRunAt, drillAt].filter((t): t is number => t !== undefined);
    return next.length === 0 ? undefined : { requeueAfter: Math.max(1000, Math.min(...next) - now) };
  }

  /**
   * Asks for a restore drill of the cluster's newest completed backup when
   * the verify schedule falls due (counted from the last drill asked for);
   * returns when the next one falls due.
   */
  async #drill(cluster: Cluster, schedule: string, now: number, since: number, context: ReconcileContext): Promise<number | undefined> {
    if (scheduleError(schedule) !== undefined) return undefined;
    const backups = this.#o.backups(cluster.metadata.namespace ?? "").filter((b) => b.spec.clusterName === cluster.metadata.name && b.metadata.deletionTimestamp === undefined);
    const asked = backups.map((b) => Date.parse(b.metadata.annotations?.[verifyAnnotation] ?? "")).filter((t) => !Number.isNaN(t));
    const { due, nextRunAt } = nextRun(schedule, Math.max(since, ...asked), now);
    const newest = backups.filter((b) => b.status?.phase === "Completed").sort((a, b) => (b.status?.completionTime ?? "").localeCompare(a.status?.completionTime ?? ""))[0];
    // Due with nothing to drill yet: the first backup to complete brings us back (the EtcdBackup watch).
    if (!due || newest === undefined) return nextRunAt;
    await this.#o.client.request("PATCH", `/apis/seedbed.dev/v1alpha1/namespaces/${cluster.metadata.namespace ?? ""}/etcdbackups/${newest.metadata.name ?? ""}`, {
      body: { metadata: { annotations: { [verifyAnnotation]: new Date(now).toISOString() } } },
      contentType: "application/merge-patch+json",
    });
    context.log.info({ backup: newest.metadata.name }, "Asked for a scheduled restore drill");
    return nextRunAt;
  }

  async #create(cluster: Cluster, now: number, context: ReconcileContext): Promise<void> {
    const name = scheduledBackupName(cluster.metadata.name ?? "", now);
    const body = {
      apiVersion: "seedbed.dev/v1alpha1",
      kind: "EtcdBackup",
      metadata: {
        name,
        namespace: cluster.metadata.namespace,
        labels: { [backupLabels.cluster]: cluster.metadata.name ?? "", [backupLabels.scheduled]: "true" },
        annotations: { [scheduledForAnnotation]: new Date(now).toISOString() },
        // A deleted cluster takes its backups' objects with it (their stored snapshots stay until deleted by their own finalizer's pass).
        ownerReferences: [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: false }],
      },
      spec: { clusterName: cluster.metadata.name },
    };
    try {
      await this.#o.client.request("POST", `/apis/seedbed.dev/v1alpha1/namespaces/${cluster.metadata.namespace ?? ""}/etcdbackups`, { body });
    } catch (error) {
      // Made by an earlier pass at this minute: the same run.
      if (isConflict(error)) return;
      throw error;
    }
    this.#o.events?.record(cluster, { reason: "ScheduledBackup", action: "Backup", note: `took scheduled backup ${name}` });
    context.log.info({ backup: name }, "Created a scheduled backup");
  }
}

/** <cluster>-<yyyymmdd-hhmm> in UTC, the cluster part shortened so the name fits 63 characters. */
export function scheduledBackupName(cluster: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  return `${cluster.slice(0, 63 - stamp.length - 1).replace(/-+$/, "")}-${stamp}`;
}
