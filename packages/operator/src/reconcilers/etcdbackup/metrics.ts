import { Counter, Gauge, type Registry } from "prom-client";

/** What the backup controller exports on /metrics, per cluster (namespace and name). */
export class BackupMetrics {
  readonly #lastSuccess: Gauge<"namespace" | "cluster">;
  readonly #size: Gauge<"namespace" | "cluster">;
  readonly #duration: Gauge<"namespace" | "cluster">;
  readonly #failures: Counter<"namespace" | "cluster">;
  readonly #lastVerified: Gauge<"namespace" | "cluster">;
  readonly #drillFailures: Counter<"namespace" | "cluster">;

  /** Registers the metrics in the operator's registry. */
  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ["namespace", "cluster"] as const;
    this.#lastSuccess = new Gauge({ name: "seedbed_etcd_backup_last_success_timestamp_seconds", help: "When the cluster's last backup completed (Unix time): alert when it is older than its schedule allows.", labelNames, registers });
    this.#size = new Gauge({ name: "seedbed_etcd_backup_size_bytes", help: "Size of the cluster's last completed snapshot.", labelNames, registers });
    this.#duration = new Gauge({ name: "seedbed_etcd_backup_duration_seconds", help: "How long the cluster's last completed backup took, snapshot and upload.", labelNames, registers });
    this.#failures = new Counter({ name: "seedbed_etcd_backup_failures_total", help: "Backup attempts that failed (each is retried with backoff).", labelNames, registers });
    this.#lastVerified = new Gauge({ name: "seedbed_etcd_backup_last_verified_timestamp_seconds", help: "When a restore drill of one of the cluster's snapshots last passed (Unix time).", labelNames, registers });
    this.#drillFailures = new Counter({ name: "seedbed_etcd_backup_drill_failures_total", help: "Restore drills that failed: a snapshot that would not have restored. Alert on any increase.", labelNames, registers });
  }

  /** A restore drill of one of the cluster's snapshots passed. */
  drillPassed(namespace: string, cluster: string, at: number): void {
    this.#lastVerified.set({ namespace, cluster }, at / 1000);
  }

  /** A restore drill failed. */
  drillFailed(namespace: string, cluster: string): void {
    this.#drillFailures.inc({ namespace, cluster });
  }

  /** A backup of the cluster completed. */
  completed(namespace: string, cluster: string, facts: { completedAt: number; sizeBytes: number; seconds: number }): void {
    const labels = { namespace, cluster };
    this.#lastSuccess.set(labels, facts.completedAt / 1000);
    this.#size.set(labels, facts.sizeBytes);
    this.#duration.set(labels, facts.seconds);
  }

  /** An attempt failed. */
  failed(namespace: string, cluster: string): void {
    this.#failures.inc({ namespace, cluster });
  }
}
