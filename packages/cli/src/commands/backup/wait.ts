import { ApiException } from "@kubernetes/client-node";
import type { EtcdBackup } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { humanSize } from "./table.ts";
import { etcdBackupResource, etcdBackupsPath } from "./backups-api.ts";
import { watchOne } from "../watch-one.ts";

/** What to wait for: the snapshot taken (or failed), or the backup and its snapshot gone. */
export type BackupWaitGoal = "finished" | "deleted";

/** Where a backup ended, once it has. */
export type BackupOutcome = { readonly phase: "Completed" } | { readonly phase: "Failed"; readonly message: string };

// The conditions whose message says why a backup failed, most telling first.
const failureConditions = ["Succeeded", "Ready"];

/** Whether a backup has finished, and if it failed, why. Pure. */
export function backupOutcome(backup: EtcdBackup): BackupOutcome | undefined {
  const phase = backup.status?.phase;
  if (phase === "Completed") return { phase };
  if (phase !== "Failed") return undefined;
  const conditions = backup.status?.conditions ?? [];
  const failed = conditions.filter((c) => c.status === "False");
  const why = failureConditions.map((type) => failed.find((c) => c.type === type)).find((c) => c !== undefined) ?? failed[0];
  const message = why === undefined ? "" : why.message === "" ? why.reason : `${why.message} (${why.reason})`;
  return { phase, message: message === "" ? "the operator recorded no reason" : message };
}

/** The line `backup create --wait` ends with for a completed backup. Pure. */
export function completedLine(backup: EtcdBackup): string {
  const status = backup.status;
  const revision = status?.revision === undefined ? "" : ` at etcd revision ${String(status.revision)}`;
  return `Backup ${backup.metadata.name ?? "?"} of cluster ${backup.spec.clusterName} completed: ${humanSize(status?.sizeBytes) || "size unknown"}${revision}, stored at ${status?.location ?? "(no location recorded)"}.`;
}

/**
 * Watches one EtcdBackup, printing each change of phase, until it has
 * finished (returned whether Completed or Failed: the caller decides what
 * a failure means) or, for "deleted", is gone. Fails with a timeout.
 */
export async function waitForBackup(ctx: CommandContext, name: string, goal: BackupWaitGoal, timeoutMs: number): Promise<EtcdBackup | undefined> {
  let printed: string | undefined;
  const what = goal === "deleted" ? "the deletion of backup" : "backup";
  return watchOne<EtcdBackup>(ctx, {
    path: etcdBackupsPath(ctx.namespace),
    name,
    kind: "backup",
    timeoutMs,
    timeoutMessage: `gave up waiting for ${what} ${name} after ${String(Math.round(timeoutMs / 1000))} s; it goes on in the background: seedbed backup list --project ${ctx.project}`,
    onEvent: (type, object, { resolve, reject }) => {
      if (type === "DELETED") {
        if (goal === "deleted") resolve(undefined);
        else reject(new CliError(`backup ${name} was deleted while we waited`, ExitCode.failed));
        return;
      }
      const phase = object.status?.phase;
      if (goal === "finished" && phase !== undefined && phase !== printed) {
        printed = phase;
        ctx.out.write(`phase ${phase}\n`);
      }
      if (goal === "finished" && backupOutcome(object) !== undefined) resolve(object);
    },
    ...(goal === "deleted"
      ? {
          exists: () =>
            ctx.objects.getNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, name }).then(
              () => true,
              (error: unknown) => (error instanceof ApiException && error.code === 404 ? false : Promise.reject(error instanceof Error ? error : new Error(String(error)))),
            ),
        }
      : {}),
  });
}
