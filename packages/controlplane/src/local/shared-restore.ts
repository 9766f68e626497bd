import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TenantRestoreRequest, TenantRestoreResult } from "../driver.ts";
import { exportTenant, importTenant, tenantKeyPrefix, verifyExport, type SharedEtcdAccess, type TenantExport } from "../etcd/shared/index.ts";
import { countPrefix } from "../etcd/shared/kv.ts";
import { abandonStaging, beginStaging, holdForRestore, restoreFiles, restoreHold, type RestoreFiles } from "./etcd-restore.ts";

/*
 * Backup and restore of one tenant of a seed's shared etcd: its prefix
 * exported, and put back with the cluster's own processes held stopped.
 * The other tenants' keys are never read or written (every call is bounded
 * to "/<id>/"), and their API servers keep serving throughout.
 *
 * A restore goes step by step on disk, with the files a dedicated restore
 * uses (etcd-restore.ts), so the driver's hold, and a restore interrupted
 * anywhere, work the same way:
 *
 *   1. stage: the export is written to restore/staging/export.jsonl while
 *      the cluster runs, and checked (format, count, checksum); a failure
 *      leaves the cluster as it was.
 *   2. hold: restore/staging renamed to restore/staged and restore/hold.json
 *      written; from here on the driver starts none of the cluster's
 *      processes.
 *   3. import, with every process of the cluster stopped: the prefix
 *      emptied, the keys written (importTenant). An interrupted import is
 *      simply run again: it empties the prefix first.
 *   4. done: restore.json records the id and what was done; the hold goes,
 *      and the next apply starts the control plane on the restored keys.
 *
 * Revisions: a shared etcd's revision only grows, so every imported key
 * gets a new revision above any the cluster's clients saw, and its
 * resourceVersions move forward. A client's watch resumed from an older
 * resourceVersion (its API servers were restarted, so every watch is)
 * replays the etcd history of the prefix: every object DELETED by the
 * emptying, then the backup's objects ADDED, ending at the restored state
 * (shared-backup.int.test.ts sees this); once the shared etcd has compacted
 * that history away, the watch is answered 410 Gone and the client lists
 * again. Either way no client keeps a state the restore replaced.
 */

/** The staged export's file name in restore/staging (then restore/staged). */
const exportName = "export.jsonl";

/** What a restore found on disk when it was called. */
export interface TenantRestoreSeen {
  /** The restore asked for (TenantRestoreRequest.id). */
  readonly id: string;
  /** The restore.json of the last restore that completed, if any. */
  readonly completed?: { readonly id: string; readonly result?: TenantRestoreResult };
  /** The restore that holds the cluster stopped, if one does. */
  readonly heldBy?: string;
  /** Whether restore/staged holds the export. */
  readonly staged: boolean;
}

/** The next step of a tenant restore (see the file comment). */
export type TenantRestoreStep =
  | { readonly step: "done"; readonly result: TenantRestoreResult }
  | { readonly step: "stage" }
  | { readonly step: "import" }
  | { readonly step: "refuse"; readonly message: string };

/** Which step a tenant restore takes next, from what is on disk. Pure. */
export function planTenantRestore(seen: TenantRestoreSeen, clusterId: string): TenantRestoreStep {
  const { id } = seen;
  if (seen.completed?.id === id) {
    if (seen.completed.result !== undefined) return { step: "done", result: seen.completed.result };
    return { step: "refuse", message: `restore ${id} of cluster ${clusterId} completed as a restore of an etcd of its own, not of a shared etcd's prefix; create a new EtcdRestore` };
  }
  if (seen.heldBy !== undefined && seen.heldBy !== id) return { step: "refuse", message: `another restore (${seen.heldBy}) of cluster ${clusterId} holds its control plane; it must finish first` };
  if (seen.heldBy === undefined) return { step: "stage" };
  if (!seen.staged) return { step: "refuse", message: `restore ${id} holds cluster ${clusterId} stopped but its staged export is gone: the keys to import are lost; create a new EtcdRestore (the cluster stays stopped until one completes)` };
  return { step: "import" };
}

/** What a tenant restore needs of the driver. */
export interface TenantRestoreContext {
  readonly clusterDir: string;
  readonly clusterId: string;
  /** The seed whose shared etcd holds the cluster's keys. */
  readonly seed: string;
  /** Seedbed's root access to that shared etcd. */
  readonly root: SharedEtcdAccess;
  /** Runs `work` after every earlier apply, restore step or delete of the cluster, and before the next. */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** Stops every process of the cluster (this run's and any an earlier run left). */
  readonly stopAll: () => Promise<void>;
}

/** Writes an export of a tenant's prefix (every key under "/<id>/" at one revision) to `file`. */
export function exportTenantPrefix(root: SharedEtcdAccess, clusterId: string, file: string): Promise<TenantExport> {
  return exportTenant(root, clusterId, file);
}

/**
 * Puts a tenant's keys back to the export `request.stage` writes (see the
 * file comment for the steps). The export may come from another tenant or
 * from a dedicated etcd ("/registry/…"): its keys are rewritten from its own
 * prefix to the cluster's. Called again with the same id, it resumes, or
 * returns what the completed restore did.
 */
export async function restoreTenant(ctx: TenantRestoreContext, request: TenantRestoreRequest): Promise<TenantRestoreResult> {
  const files = restoreFiles(ctx.clusterDir);
  const staged = join(files.staged, exportName);
  const plan = planTenantRestore({ id: request.id, completed: readRecord(files), heldBy: restoreHold(files), staged: existsSync(staged) }, ctx.clusterId);
  if (plan.step === "done") return plan.result;
  if (plan.step === "refuse") throw new Error(plan.message);
  const prefix = tenantKeyPrefix(ctx.clusterId);
  if (plan.step === "stage") {
    const dir = beginStaging(files);
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, exportName);
    try {
      await request.stage({ file, prefix });
      // Checked before the cluster is held: a damaged export leaves it running as it was.
      await verifyExport(file);
    } catch (error) {
      abandonStaging(files);
      throw error;
    }
    holdForRestore(files, request.id);
  }
  return ctx.exclusive(async () => {
    await ctx.stopAll();
    const imported = await importTenant(ctx.root, ctx.clusterId, staged, { rename: true });
    // Every key of the export, or the import is run again (it empties the prefix first): a short import is never recorded done.
    if (imported.writtenKeys !== imported.source.keys) throw new Error(`restore ${request.id} of cluster ${ctx.clusterId}: the export holds ${imported.source.keys} keys but ${imported.writtenKeys} were written; the import is retried`);
    const { revision } = await countPrefix(ctx.root, prefix);
    const result: TenantRestoreResult = { seed: ctx.seed, prefix, deletedKeys: imported.deletedKeys, writtenKeys: imported.writtenKeys, revision };
    writeAtomically(files.record, JSON.stringify({ id: request.id, completedAt: new Date().toISOString(), tenant: result }));
    // The hold goes with the work directory: the next apply starts the control plane.
    rmSync(files.work, { recursive: true, force: true });
    return result;
  });
}

/** restore.json: the id of the last restore that completed, and what a tenant restore did. */
function readRecord(files: RestoreFiles): TenantRestoreSeen["completed"] {
  try {
    const { id, tenant } = JSON.parse(readFileSync(files.record, "utf8")) as { id?: unknown; tenant?: TenantRestoreResult };
    if (typeof id !== "string") return undefined;
    return { id, ...(tenant === undefined ? {} : { result: tenant }) };
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
