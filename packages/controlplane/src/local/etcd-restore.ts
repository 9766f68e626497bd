import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A restore of a local cluster's etcd, step by step on disk, so that a
 * restore interrupted anywhere (an operator killed) is resumed by the next
 * call with the same id and never done twice:
 *
 *   1. staging: the snapshot is restored into restore/staging while the
 *      cluster still runs; a failure here leaves the cluster as it was.
 *   2. staged: restore/staging renamed to restore/staged, then
 *      restore/hold.json written. From here on the driver starts none of
 *      the cluster's processes (apply reports them stopped for a restore).
 *   3. swap, with every process stopped: etcd → restore/previous,
 *      restore/staged → etcd.
 *   4. done: restore.json records the id; the hold and the old data go,
 *      and the next apply starts the control plane on the restored data.
 */
export interface RestoreFiles {
  /** restore/: everything of a restore in progress. */
  readonly work: string;
  readonly staging: string;
  readonly staged: string;
  readonly previous: string;
  /** restore/hold.json: {id} of the restore that holds the cluster stopped. */
  readonly hold: string;
  /** restore.json: {id, completedAt} of the last restore that completed. */
  readonly record: string;
  /** The cluster's etcd data directory. */
  readonly etcd: string;
}

/** The restore files of a cluster directory. */
export function restoreFiles(clusterDir: string): RestoreFiles {
  const work = join(clusterDir, "restore");
  return { work, staging: join(work, "staging"), staged: join(work, "staged"), previous: join(work, "previous"), hold: join(work, "hold.json"), record: join(clusterDir, "restore.json"), etcd: join(clusterDir, "etcd") };
}

/** The id of the restore holding the cluster stopped, if one does. */
export function restoreHold(files: RestoreFiles): string | undefined {
  return readId(files.hold);
}

/** Whether the restore with this id has completed on this cluster. */
export function restoreCompleted(files: RestoreFiles, id: string): boolean {
  return readId(files.record) === id;
}

/** Step 1 to 2: a fresh staging directory for the snapshot, emptied of anything an interrupted attempt left. */
export function beginStaging(files: RestoreFiles): string {
  rmSync(files.work, { recursive: true, force: true });
  mkdirSync(files.work, { recursive: true, mode: 0o700 });
  return files.staging;
}

/** Step 2: the staged data is complete; the cluster is held stopped from now on. */
export function holdForRestore(files: RestoreFiles, id: string): void {
  renameSync(files.staging, files.staged);
  writeAtomically(files.hold, JSON.stringify({ id }));
}

/** Steps 3 and 4, with every process of the cluster stopped; each rename is done once, whatever an earlier attempt did. */
export function swapInRestoredData(files: RestoreFiles, id: string): void {
  if (existsSync(files.staged)) {
    if (existsSync(files.etcd)) {
      rmSync(files.previous, { recursive: true, force: true });
      renameSync(files.etcd, files.previous);
    }
    renameSync(files.staged, files.etcd);
  }
  if (!existsSync(files.etcd)) throw new Error(`the restore ${id} holds the cluster but neither ${files.staged} nor ${files.etcd} exists: the restored data is lost; create a new EtcdRestore`);
  writeAtomically(files.record, JSON.stringify({ id, completedAt: new Date().toISOString() }));
  rmSync(files.work, { recursive: true, force: true });
}

/** Gives up a restore before it held the cluster: its staging goes. */
export function abandonStaging(files: RestoreFiles): void {
  if (restoreHold(files) === undefined) rmSync(files.work, { recursive: true, force: true });
}

function readId(path: string): string | undefined {
  try {
    const { id } = JSON.parse(readFileSync(path, "utf8")) as { id?: unknown };
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
