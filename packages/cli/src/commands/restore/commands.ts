import { ApiException } from "@kubernetes/client-node";
import type { Cluster, EtcdBackup } from "@seedbed/api";
import { commandContext, type CommandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { etcdBackupResource, listBackups } from "../backup/backups-api.ts";
import { newestFirst } from "../backup/table.ts";
import { readCluster } from "../cluster/clusters-api.ts";
import { parseTimeout } from "../cluster/wait.ts";
import { etcdRestoreResource, newEtcdRestore, restoreBackupFlag, restoreClusterArgument, restoreNameFlag } from "./restores-api.ts";
import { restoredLine, restoreOutcome, waitForRestore } from "./wait.ts";

/** Options of `seedbed restore`. */
export interface RestoreOptions extends GlobalOptions {
  readonly backup?: string;
  readonly name?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** What `seedbed restore` asks for, from its arguments alone: a usage error needs no management API. */
export interface RestoreRequest {
  readonly cluster: string;
  /** Undefined: the cluster's newest completed backup. */
  readonly backup?: string;
  readonly name: string;
  readonly timeoutMs: number;
}

/** Checks the arguments of `seedbed restore`; `now` names a restore without --name. Pure. */
export function restoreRequestOf(clusterArgument: string, options: RestoreOptions, now: Date): RestoreRequest {
  const cluster = restoreClusterArgument(clusterArgument);
  const backup = restoreBackupFlag(options.backup);
  return { cluster, ...(backup === undefined ? {} : { backup }), name: restoreNameFlag(options.name, cluster, now), timeoutMs: parseTimeout(options.timeout ?? "15m") };
}

/** The cluster to restore into; it must exist (a clone goes into a cluster created first). */
async function targetCluster(ctx: CommandContext, name: string): Promise<Cluster> {
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 404) {
      throw new CliError(`cluster ${name} not found in project ${ctx.project}: restore one of its clusters (seedbed cluster list --project ${ctx.project}), create it first to clone a backup into it (seedbed cluster create ${name} --project ${ctx.project}), or pass the --project it is in`, ExitCode.notFound);
    }
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${name} is being deleted: nothing to restore into`, ExitCode.failed);
  return cluster;
}

/** The backup of --backup; it must exist and not have failed (a failed backup holds no snapshot). */
async function namedBackup(ctx: CommandContext, name: string, cluster: string): Promise<EtcdBackup> {
  const listHint = `list the backups with: seedbed backup list --cluster ${cluster} --project ${ctx.project}`;
  const backup = (await ctx.objects.getNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, name }).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 404) throw new CliError(`--backup ${name}: no backup ${name} in project ${ctx.project}; ${listHint}, or leave --backup out for the cluster's newest completed backup`, ExitCode.notFound);
    throw explain(error, { kind: "backup", name, project: ctx.project, server: ctx.server });
  })) as EtcdBackup;
  if (backup.status?.phase === "Failed") throw new CliError(`--backup ${name}: that backup failed and holds no snapshot; choose a Completed one (${listHint})`, ExitCode.failed);
  if (backup.metadata.deletionTimestamp !== undefined) throw new CliError(`--backup ${name}: that backup is being deleted; choose another one (${listHint})`, ExitCode.failed);
  return backup;
}

/** The name of the cluster's newest completed backup, which the operator will restore; a clear error when there is none. */
async function newestCompleted(ctx: CommandContext, cluster: string): Promise<string> {
  const backups = await listBackups(ctx, cluster).catch((error: unknown) => {
    throw explain(error, { kind: "backups", project: ctx.project, server: ctx.server });
  });
  const newest = newestFirst(backups).find((b) => b.status?.phase === "Completed" && b.metadata.deletionTimestamp === undefined);
  if (newest === undefined) {
    throw new CliError(`cluster ${cluster} has no completed backup to restore: take one with seedbed backup create --cluster ${cluster} --project ${ctx.project} --wait, or name one with --backup (another cluster's backup clones its data)`, ExitCode.notFound);
  }
  return newest.metadata.name ?? "";
}

/**
 * Creates an EtcdRestore that puts a cluster's etcd back to a backup (its
 * newest completed one without --backup; a backup of another cluster
 * clones that cluster's data into this one). With --wait, follows it,
 * printing each step, until it has completed (or failed).
 */
export async function restoreCluster(clusterArgument: string, options: RestoreOptions, out?: NodeJS.WritableStream, now: Date = new Date()): Promise<void> {
  const request = restoreRequestOf(clusterArgument, options, now);
  const ctx = commandContext(options, out);
  const cluster = await targetCluster(ctx, request.cluster);
  const backup = request.backup === undefined ? undefined : await namedBackup(ctx, request.backup, request.cluster);
  const source = backup?.spec.clusterName ?? request.cluster;
  const backupName = backup?.metadata.name ?? (await newestCompleted(ctx, request.cluster));
  try {
    await ctx.objects.createNamespacedCustomObject({ ...etcdRestoreResource, namespace: ctx.namespace, body: newEtcdRestore(ctx.namespace, request.name, cluster, request.backup) });
  } catch (error) {
    throw explain(error, { kind: "restore", name: request.name, project: ctx.project, server: ctx.server });
  }
  if (source !== request.cluster) ctx.out.write(`Cloning backup ${backupName} of cluster ${source} into cluster ${request.cluster}: restore ${request.name} requested.\n`);
  else if (backup === undefined) ctx.out.write(`Restore ${request.name} of cluster ${request.cluster} from its newest completed backup (now ${backupName}) requested.\n`);
  else ctx.out.write(`Restore ${request.name} of cluster ${request.cluster} from backup ${backupName} requested.\n`);
  if (options.wait !== true) {
    ctx.out.write(`Follow it: seedbed cluster get ${request.cluster} --project ${ctx.project} (phase Restoring until it is done)\n`);
    return;
  }
  const restore = await waitForRestore(ctx, request.name, request.cluster, request.timeoutMs);
  const outcome = restore === undefined ? undefined : restoreOutcome(restore);
  if (restore === undefined || outcome === undefined) return;
  if (outcome.phase === "Failed") throw new CliError(`restore ${request.name} of cluster ${request.cluster} failed: ${outcome.message}`, ExitCode.failed);
  ctx.out.write(`${restoredLine(restore, source)}\n`);
}
