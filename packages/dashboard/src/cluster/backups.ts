// A cluster's backups and restores for the cluster page: pure, tested in backups.test.ts.
import type { EtcdBackup, EtcdRestore } from "../api/types.ts";

/** When a backup was taken, for sorting and showing. */
export function backupTime(backup: EtcdBackup): string {
  const status = backup.status;
  return (typeof status?.completionTime === "string" ? status.completionTime : undefined) ?? (typeof status?.startTime === "string" ? status.startTime : undefined) ?? backup.metadata.creationTimestamp ?? "";
}

/** The backups of one cluster, newest first. */
export function backupsOf(backups: readonly EtcdBackup[], cluster: string): EtcdBackup[] {
  return backups.filter((b) => b.spec.clusterName === cluster).sort((a, b) => backupTime(b).localeCompare(backupTime(a)));
}

/** The restores into one cluster, newest first. */
export function restoresOf(restores: readonly EtcdRestore[], cluster: string): EtcdRestore[] {
  const time = (r: EtcdRestore): string => r.metadata.creationTimestamp ?? "";
  return restores.filter((r) => r.spec.clusterName === cluster).sort((a, b) => time(b).localeCompare(time(a)));
}

/** Whether a backup can be restored from (the API takes only Completed ones). */
export function restorable(backup: EtcdBackup): boolean {
  return backup.status?.phase === "Completed";
}

/** Whether an EtcdBackup or EtcdRestore has not finished yet (no phase, Pending, Running, Restoring). */
export function unfinished(object: { status?: { phase?: string } | undefined }): boolean {
  const phase = object.status?.phase;
  return phase === undefined || phase === "Pending" || phase === "Running" || phase === "Restoring";
}

/** A name for a new object of a cluster: `<cluster>-<what>-<UTC yyyymmdd-hhmmss>` (at most 30 + 22 characters). */
export function timedName(cluster: string, what: "manual" | "restore", now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${cluster}-${what}-${stamp}`;
}

/** A size in bytes for people ("12.3 MiB"). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? String(value) : value.toFixed(1)} ${units[unit] ?? "B"}`;
}
