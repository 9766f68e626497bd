import type { EtcdBackup, EtcdRestore } from "@seedbed/api";

/** The backup a restore uses, what to wait for, or why it cannot go on (terminal). */
export type BackupChoice =
  | { readonly backup: EtcdBackup }
  | { readonly waiting: string }
  | { readonly refused: { readonly reason: "BackupNotFound" | "BackupFailed"; readonly message: string } };

/**
 * Which EtcdBackup a restore puts back: the one spec.backupName names (of
 * the same cluster, or of another for a clone), else the newest Completed
 * backup of the cluster. One still being taken is waited for; a failed or
 * missing one refuses the restore. Pure.
 */
export function chooseBackup(restore: EtcdRestore, backups: readonly EtcdBackup[]): BackupChoice {
  const { clusterName, backupName } = restore.spec;
  const namespace = restore.metadata.namespace ?? "";
  if (backupName === undefined) {
    const completed = backups
      .filter((b) => b.spec.clusterName === clusterName && b.status?.phase === "Completed" && b.metadata.deletionTimestamp === undefined)
      .sort((a, b) => (b.status?.completionTime ?? "").localeCompare(a.status?.completionTime ?? ""));
    const newest = completed[0];
    if (newest === undefined) return { refused: { reason: "BackupNotFound", message: `cluster ${clusterName} has no completed backup in ${namespace}: take one (seedbed backup create --cluster ${clusterName}) or name one in spec.backupName` } };
    return { backup: newest };
  }
  const named = backups.find((b) => b.metadata.name === backupName);
  if (named === undefined || named.metadata.deletionTimestamp !== undefined) {
    return { refused: { reason: "BackupNotFound", message: `spec.backupName: EtcdBackup ${backupName} does not exist in ${namespace}${named === undefined ? "" : " any more (it is being deleted)"}; name a completed backup (seedbed backup list)` } };
  }
  const phase = named.status?.phase;
  if (phase === "Failed") return { refused: { reason: "BackupFailed", message: `spec.backupName: EtcdBackup ${backupName} failed and holds no snapshot; name a completed backup (seedbed backup list)` } };
  if (phase !== "Completed") return { waiting: `waiting for backup ${backupName} to complete (it is ${phase ?? "Pending"})` };
  return { backup: named };
}
