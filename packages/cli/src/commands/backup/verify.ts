import { ApiException, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { verifyAnnotation, type EtcdBackup } from "@seedbed/api";
import { commandContext, type CommandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { parseTimeout } from "../cluster/wait.ts";
import { watchOne } from "../watch-one.ts";
import { etcdBackupResource, etcdBackupsPath } from "./backups-api.ts";

/** Options of `seedbed backup verify`. */
export interface VerifyBackupOptions extends GlobalOptions {
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** The result of one restore drill. */
export interface DrillResult {
  readonly passed: boolean;
  readonly message: string;
}

/** The drill asked for with `requestedAt`, once the operator has answered it. Pure. */
export function drillResult(backup: EtcdBackup, requestedAt: string): DrillResult | undefined {
  const verification = backup.status?.verification;
  if (verification?.requestedAt !== requestedAt) return undefined;
  return { passed: verification.passed, message: verification.message };
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads the backup to drill; it must hold a snapshot (be Completed). */
async function completedBackup(ctx: CommandContext, name: string): Promise<EtcdBackup> {
  const backup = (await ctx.objects.getNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, name }).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 404) throw new CliError(`backup ${name} not found in project ${ctx.project}: list them with seedbed backup list --project ${ctx.project}`, ExitCode.notFound);
    throw explain(error, { kind: "backup", name, project: ctx.project, server: ctx.server });
  })) as EtcdBackup;
  const phase = backup.status?.phase ?? "Pending";
  if (phase === "Failed") throw new CliError(`backup ${name} failed and holds no snapshot to drill; take another: seedbed backup create --cluster ${backup.spec.clusterName} --project ${ctx.project} --wait`, ExitCode.failed);
  if (phase !== "Completed") throw new CliError(`backup ${name} is ${phase}: a restore drill needs its snapshot stored; wait until it is Completed (seedbed backup list --cluster ${backup.spec.clusterName} --project ${ctx.project})`);
  return backup;
}

/**
 * Asks the operator for a restore drill of a backup (its snapshot restored
 * into a scratch etcd, checked and thrown away) by setting the annotation
 * seedbed.dev/verify to the time of the request. With --wait, returns once
 * the drill answering that request has run, failing if it did not pass.
 */
export async function verifyBackup(name: string, options: VerifyBackupOptions, out?: NodeJS.WritableStream, now: Date = new Date()): Promise<void> {
  if (!namePattern.test(name) || name.length > 63) throw new CliError(`NAME must be a backup's name (seedbed backup list shows them), got "${name}"`, ExitCode.usage);
  const timeoutMs = parseTimeout(options.timeout ?? "10m");
  const ctx = commandContext(options, out);
  const backup = await completedBackup(ctx, name);
  const requestedAt = now.toISOString();
  try {
    await ctx.objects.patchNamespacedCustomObject(
      { ...etcdBackupResource, namespace: ctx.namespace, name, body: { metadata: { annotations: { [verifyAnnotation]: requestedAt } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw explain(error, { kind: "backup", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Restore drill of backup ${name} requested (${verifyAnnotation}=${requestedAt}).\n`);
  if (options.wait !== true) {
    ctx.out.write(`See the result: seedbed backup list --cluster ${backup.spec.clusterName} --project ${ctx.project} (column VERIFIED)\n`);
    return;
  }
  const result = await waitForDrill(ctx, name, requestedAt, timeoutMs);
  if (result === undefined) return;
  if (!result.passed) throw new CliError(`backup ${name} failed its restore drill: ${result.message}`, ExitCode.failed);
  ctx.out.write(`Backup ${name} passed its restore drill: ${result.message}\n`);
}

/** Watches the backup until the operator has answered the drill asked for with `requestedAt`. */
async function waitForDrill(ctx: CommandContext, name: string, requestedAt: string, timeoutMs: number): Promise<DrillResult | undefined> {
  const answered = await watchOne<EtcdBackup>(ctx, {
    path: etcdBackupsPath(ctx.namespace),
    name,
    kind: "backup",
    timeoutMs,
    timeoutMessage: `gave up waiting for the restore drill of backup ${name} after ${String(Math.round(timeoutMs / 1000))} s; it goes on in the background: seedbed backup list --project ${ctx.project}`,
    onEvent: (type, object, { resolve, reject }) => {
      if (type === "DELETED") reject(new CliError(`backup ${name} was deleted while we waited for its drill`, ExitCode.failed));
      else if (drillResult(object, requestedAt) !== undefined) resolve(object);
    },
  });
  return answered === undefined ? undefined : drillResult(answered, requestedAt);
}
