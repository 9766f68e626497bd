import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { clusterIdentity, type Cluster, type EtcdBackup } from "@seedbed/api";
import { describeStoreError, type S3Store } from "@seedbed/backup";
import { isNotFound, type ObjectClient } from "@seedbed/runtime";
import { backupStoreFor, BackupStoreError, recordedStore, snapshotKey, type BackupStores, type SecretReader } from "./store.ts";

/** A backup whose snapshot cannot be used: gone from the store, or not the one it recorded. Retrying does not help. */
export class SnapshotUnusableError extends Error {
  readonly reason: "SnapshotMissing" | "ChecksumMismatch";

  constructor(reason: "SnapshotMissing" | "ChecksumMismatch", message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Reads a Secret of the management cluster, or undefined when there is none. */
export function secretReader(client: ObjectClient): SecretReader {
  return async (namespace, name) => {
    try {
      return await client.request("GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
}

/** A stored snapshot: the store it is in and its key there. */
export interface StoredSnapshotRef {
  readonly store: S3Store;
  readonly key: string;
}

/**
 * Where a backup's snapshot is: the store recorded in its status when it
 * was taken (whatever the settings say now, and whether or not its cluster
 * still exists); for a backup taken before stores were recorded, its
 * cluster's store as the settings name it now. BackupStoreError when
 * neither can be used.
 */
export async function snapshotOf(backup: EtcdBackup, source: Cluster | undefined, stores: BackupStores, client: ObjectClient): Promise<StoredSnapshotRef> {
  const record = backup.status?.store;
  const readSecret = secretReader(client);
  if (record !== undefined) return { store: await recordedStore(record, stores.platform, readSecret), key: record.key };
  if (source === undefined) throw new BackupStoreError(`cluster ${backup.spec.clusterName}, which backup ${backup.metadata.name ?? "?"} was taken of, is gone, and with it the settings of the store its snapshot is in`);
  const { store } = await backupStoreFor(source, clusterIdentity(source), stores, readSecret);
  return { store, key: snapshotKey(backup) };
}

/**
 * Downloads a backup's snapshot to `file` and checks it is byte for byte
 * the one recorded (SHA-256 of status): a missing object or a mismatch (a
 * damaged or replaced object) throws SnapshotUnusableError; a store that
 * cannot be read throws its description, to be retried.
 */
export async function fetchSnapshot(snapshot: StoredSnapshotRef, backup: EtcdBackup, file: string, signal?: AbortSignal): Promise<void> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { store, key } = snapshot;
  let sha256: string;
  try {
    ({ sha256 } = await store.getFile(key, file, signal));
  } catch (error) {
    if ((error as { name?: string } | null)?.name === "NoSuchKey") throw new SnapshotUnusableError("SnapshotMissing", `the snapshot of backup ${backup.metadata.name ?? "?"} is gone from the store (${store.url(key)}): use another backup`);
    throw new Error(describeStoreError(store.location, `reading ${store.url(key)}`, error), { cause: error });
  }
  if (sha256 !== backup.status?.sha256) {
    rmSync(file, { force: true });
    throw new SnapshotUnusableError("ChecksumMismatch", `the snapshot stored at ${store.url(key)} does not match backup ${backup.metadata.name ?? "?"}: its SHA-256 is ${sha256}, the backup recorded ${backup.status?.sha256 ?? "none"}; it was damaged or replaced in the store`);
  }
}
