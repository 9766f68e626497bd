import type { EtcdBackup } from "@seedbed/api";
import { age } from "../../output.ts";

/** The columns of `seedbed backup list`. */
export const backupTableHeader = ["NAME", "CLUSTER", "PHASE", "SIZE", "REVISION", "VERIFIED", "LOCATION", "COMPLETED", "AGE"] as const;

const units = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** "512 B", "1.5 KiB", "120 MiB": a size in binary units, one decimal below 10. Empty when unknown. */
export function humanSize(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${String(bytes)} B`;
  // 9.96 rounds to "10.0": switch to whole numbers by the rounded value.
  const text = Number(value.toFixed(1)) < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${units[unit] ?? ""}`;
}

/** Newest first, by creation time; names (which hold the time when generated) break ties. */
export function newestFirst(backups: readonly EtcdBackup[]): EtcdBackup[] {
  const created = (b: EtcdBackup): number => (b.metadata.creationTimestamp === undefined ? 0 : new Date(b.metadata.creationTimestamp).getTime());
  return [...backups].sort((a, b) => created(b) - created(a) || (b.metadata.name ?? "").localeCompare(a.metadata.name ?? ""));
}

/** The VERIFIED column: whether the last restore drill passed ("passed", "FAILED"), or "-" for none yet. Pure. */
export function verifiedColumn(backup: EtcdBackup): string {
  const verification = backup.status?.verification;
  if (verification === undefined) return "-";
  return verification.passed ? "passed" : "FAILED";
}

/** The rows of `seedbed backup list`, newest first. Pure: `now` dates the ages. */
export function backupRows(backups: readonly EtcdBackup[], now: Date): string[][] {
  return newestFirst(backups).map((b) => [
    b.metadata.name ?? "",
    b.spec.clusterName,
    b.status?.phase ?? "Pending",
    humanSize(b.status?.sizeBytes),
    b.status?.revision === undefined ? "" : String(b.status.revision),
    verifiedColumn(b),
    b.status?.location ?? "",
    b.status?.completionTime === undefined ? "" : `${age(b.status.completionTime, now)} ago`,
    age(b.metadata.creationTimestamp, now),
  ]);
}
