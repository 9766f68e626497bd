import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { V1Secret } from "@kubernetes/client-node";
import { clusterIdentity, type Cluster, type EtcdBackup } from "@seedbed/api";
import { describeStoreError, type S3Store } from "@seedbed/backup";
import { isNotFound, type ObjectClient } from "@seedbed/runtime";
import { backupStoreFor, snapshotKey, type DefaultBackupStore } from "./store.ts";

/** A backup whose snapshot cannot be used: gone from the store, or not the one it recorded. Retrying does not help. */
export class SnapshotUnusableError extends Error {
  readonly reason: "SnapshotMissing" | "ChecksumMismatch";

  constructor(reason: "SnapshotMissing" | "ChecksumMismatch", message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Reads a Secret of the management cluster, or undefined when there is none. */
export function secretReader(client: ObjectClient): (namespace: string, name: string) => Promise<V1Secret | undefined> {
  return async (namespace, name) => {
    try {
      return await client.request<V1Secret>("GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
}

/** The store a backup of `source` (the cluster it was taken of) lives in. */
export function storeOfBackup(source: Cluster, client: ObjectClient, platform: DefaultBackupStore | undefined): Promise<S3Store> {
  return backupStoreFor(source, clusterIdentity(source), platform, secretReader(client));
}

/**
 * Downloads a backup's snapshot to `file` and checks it is byte for byte
 * the one recorded (SHA-256 of status): a missing object or a mismatch (a
 * damaged or replaced object) throws SnapshotUnusableError; a store that
 * cannot be read throws its description, to be retried.
 */
export async function fetchSnapshot(store: S3Store, backup: EtcdBackup, file: string, signal?: AbortSignal): Promise<void> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = snapshotKey(backup);
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
