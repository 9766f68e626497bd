import { ApiException } from "@kubernetes/client-node";
import type { EtcdBackup } from "@seedbed/api";
import { commandContext, type CommandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { outputFormat, printData, printTable } from "../../output.ts";
import { readCluster } from "../cluster/clusters-api.ts";
import { parseTimeout } from "../cluster/wait.ts";
import { backupNameFlag, clusterFlag, etcdBackupResource, listBackups, newEtcdBackup } from "./backups-api.ts";
import { backupRows, backupTableHeader } from "./table.ts";
import { backupOutcome, completedLine, waitForBackup } from "./wait.ts";

/** Options of `seedbed backup create`. */
export interface CreateBackupOptions extends GlobalOptions {
  readonly cluster?: string;
  readonly name?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** What `seedbed backup create` asks for, from its flags alone: a usage error needs no management API. */
export interface BackupRequest {
  readonly cluster: string;
  readonly name: string;
  readonly timeoutMs: number;
}

/** Checks the flags of `seedbed backup create`; `now` names a backup without --name. Pure. */
export function backupRequestOf(options: CreateBackupOptions, now: Date): BackupRequest {
  const cluster = clusterFlag(options.cluster);
  return { cluster, name: backupNameFlag(options.name, cluster, now), timeoutMs: parseTimeout(options.timeout ?? "10m") };
}

/** Creates an EtcdBackup of a cluster; with --wait, follows it until the snapshot is stored (or has failed). */
export async function createBackup(options: CreateBackupOptions, out?: NodeJS.WritableStream, now: Date = new Date()): Promise<void> {
  const request = backupRequestOf(options, now);
  const ctx = commandContext(options, out);
  const cluster = await readCluster(ctx, request.cluster).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 404) {
      throw new CliError(`cluster ${request.cluster} not found in project ${ctx.project}: back up one of its clusters (seedbed cluster list --project ${ctx.project}), or pass the --project it is in`, ExitCode.notFound);
    }
    throw explain(error, { kind: "cluster", name: request.cluster, project: ctx.project, server: ctx.server });
  });
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${request.cluster} is being deleted, and its backups with it: nothing to back up`, ExitCode.failed);
  try {
    await ctx.objects.createNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, body: newEtcdBackup(ctx.namespace, request.name, cluster) });
  } catch (error) {
    throw explain(error, { kind: "backup", name: request.name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Backup ${request.name} of cluster ${request.cluster} requested.\n`);
  if (options.wait !== true) {
    ctx.out.write(`Follow it: seedbed backup list --cluster ${request.cluster} --project ${ctx.project}\n`);
    return;
  }
  reportOutcome(ctx, await waitForBackup(ctx, request.name, "finished", request.timeoutMs));
}

/** Prints a finished backup's location, size and revision, or fails with why it failed. */
function reportOutcome(ctx: CommandContext, backup: EtcdBackup | undefined): void {
  const outcome = backup === undefined ? undefined : backupOutcome(backup);
  if (backup === undefined || outcome === undefined) return;
  if (outcome.phase === "Failed") throw new CliError(`backup ${backup.metadata.name ?? "?"} of cluster ${backup.spec.clusterName} failed: ${outcome.message}`, ExitCode.failed);
  ctx.out.write(`${completedLine(backup)}\n`);
}

/** Options of `seedbed backup list`. */
export interface ListBackupsOptions extends GlobalOptions {
  readonly cluster?: string;
  readonly output?: string;
}

/** Lists a project's backups (of one cluster with --cluster), newest first. */
export async function listBackupsCommand(options: ListBackupsOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const cluster = options.cluster === undefined ? undefined : clusterFlag(options.cluster);
  const ctx = commandContext(options, out);
  const backups = await listBackups(ctx, cluster).catch((error: unknown) => {
    throw explain(error, { kind: "backups", project: ctx.project, server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: backups });
    return;
  }
  if (backups.length === 0) {
    const of = cluster === undefined ? `project ${ctx.project}` : `cluster ${cluster} of project ${ctx.project}`;
    ctx.out.write(`No backups of ${of}. Take one: seedbed backup create --cluster ${cluster ?? "CLUSTER"} --project ${ctx.project} --wait\n`);
    return;
  }
  printTable(ctx.out, backupTableHeader, backupRows(backups, new Date()));
}

/** Options of `seedbed backup delete`. */
export interface DeleteBackupOptions extends GlobalOptions {
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** Deletes a backup; the operator deletes its stored snapshot first. With --wait, returns once both are gone. */
export async function deleteBackup(name: string, options: DeleteBackupOptions, out?: NodeJS.WritableStream): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout ?? "5m");
  const ctx = commandContext(options, out);
  try {
    await ctx.objects.deleteNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, name });
  } catch (error) {
    throw explain(error, { kind: "backup", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Backup ${name} is being deleted; its stored snapshot is removed first.\n`);
  if (options.wait !== true) return;
  await waitForBackup(ctx, name, "deleted", timeoutMs);
  ctx.out.write(`Backup ${name} and its snapshot are gone.\n`);
}
