import type { Condition, EtcdRestore } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { watchOne } from "../watch-one.ts";
import { etcdRestoresPath } from "./restores-api.ts";

/** Where a restore ended, once it has. */
export type RestoreOutcome = { readonly phase: "Completed" } | { readonly phase: "Failed"; readonly message: string };

/** The condition the operator reports a restore's step, retries and end in. */
const readyCondition = "Ready";

function ready(restore: EtcdRestore): Condition | undefined {
  return restore.status?.conditions?.find((c) => c.type === readyCondition);
}

/**
 * One progress line of `restore --wait`: the phase, the operator's message
 * of the step (the Ready condition's) and its reason where it says more
 * than the phase ("AttemptFailed", "Waiting"). Undefined before the
 * operator has written a status. Pure: the caller prints it when it changed.
 */
export function progressLine(restore: EtcdRestore): string | undefined {
  const phase = restore.status?.phase;
  if (phase === undefined) return undefined;
  const condition = ready(restore);
  const message = condition === undefined || condition.message === "" ? "" : `: ${condition.message}`;
  const reason = condition === undefined || condition.reason === phase ? "" : ` (${condition.reason})`;
  return `phase ${phase}${message}${reason}`;
}

/** Whether a restore has finished, and if it failed, why (the Ready condition's message and reason). Pure. */
export function restoreOutcome(restore: EtcdRestore): RestoreOutcome | undefined {
  const phase = restore.status?.phase;
  if (phase === "Completed") return { phase };
  if (phase !== "Failed") return undefined;
  const failed = (restore.status?.conditions ?? []).filter((c) => c.status === "False");
  const why = failed.find((c) => c.type === readyCondition) ?? failed[0];
  const message = why === undefined ? "" : why.message === "" ? why.reason : `${why.message} (${why.reason})`;
  return { phase, message: message === "" ? "the operator recorded no reason" : message };
}

/**
 * The line `restore --wait` ends with for a completed restore: which backup,
 * the revision the snapshot holds and the one etcd goes on from (raised, so
 * that old watches relist). `sourceCluster` is the backup's cluster when it
 * is another one (a clone). Pure.
 */
export function restoredLine(restore: EtcdRestore, sourceCluster?: string): string {
  const status = restore.status;
  const backup = status?.backupName ?? restore.spec.backupName ?? "?";
  const revision = status?.snapshotRevision === undefined ? "revision unknown" : `revision ${String(status.snapshotRevision)}`;
  const continues = status?.restoredRevision === undefined ? "" : ` (etcd continues at revision ${String(status.restoredRevision)})`;
  const cluster = restore.spec.clusterName;
  const what = sourceCluster === undefined || sourceCluster === cluster ? `Restored cluster ${cluster} from backup ${backup}` : `Cloned backup ${backup} of cluster ${sourceCluster} into cluster ${cluster}`;
  return `${what}: ${revision}${continues}.`;
}

/**
 * Watches one EtcdRestore, printing each new phase or step, until it has
 * finished (returned whether Completed or Failed: the caller decides what
 * a failure means). Fails with a timeout, or when it is deleted meanwhile.
 */
export async function waitForRestore(ctx: CommandContext, name: string, cluster: string, timeoutMs: number): Promise<EtcdRestore | undefined> {
  let printed: string | undefined;
  return watchOne<EtcdRestore>(ctx, {
    path: etcdRestoresPath(ctx.namespace),
    name,
    kind: "restore",
    timeoutMs,
    timeoutMessage: `gave up waiting for restore ${name} after ${String(Math.round(timeoutMs / 1000))} s; it goes on in the background: seedbed cluster get ${cluster} --project ${ctx.project}`,
    onEvent: (type, object, { resolve, reject }) => {
      if (type === "DELETED") {
        reject(new CliError(`restore ${name} was deleted while we waited`, ExitCode.failed));
        return;
      }
      const line = progressLine(object);
      if (line !== undefined && line !== printed) {
        printed = line;
        ctx.out.write(`${line}\n`);
      }
      if (restoreOutcome(object) !== undefined) resolve(object);
    },
  });
}
