import { rmSync } from "node:fs";
import type { EtcdBackup } from "@seedbed/api";
import { sha256OfFile, SnapshotUploadError, type S3Store } from "@seedbed/backup";
import { verifyExport, type HostingDriver } from "@seedbed/controlplane";

/*
 * Backups of a cluster whose keys are in a seed's shared etcd: no snapshot
 * (that would hold every tenant), but an export of its prefix alone,
 * stored and recorded as a snapshot is (same key, checksum and status).
 */

/** What a stored backup holds, as its status records it. */
export interface StoredBackupFacts {
  readonly format: NonNullable<NonNullable<EtcdBackup["status"]>["format"]>;
  readonly sizeBytes: number;
  /** The etcd revision it was read at. */
  readonly revision: number;
  /** SHA-256 of the stored object. */
  readonly sha256: string;
  readonly keys: number;
  readonly etcdVersion?: string;
  /** What it is, for the status message ("… keys at revision …"). */
  readonly summary: string;
}

/** Where a stored object of this format is kept: a snapshot's key, with the export's own file type. */
export function exportKey(snapshotKey: string): string {
  return snapshotKey.replace(/\.db$/, ".prefix.jsonl");
}

/**
 * Exports the cluster's prefix of its shared etcd to `file`, checks the
 * file (header, count, checksum trailer) and uploads it under `key`.
 * An etcd failure throws a message starting "etcd export", a store failure
 * a SnapshotUploadError of stage "upload". The file is removed after.
 */
export async function storePrefixExport(driver: HostingDriver, clusterId: string, file: string, store: S3Store, key: string, signal?: AbortSignal): Promise<StoredBackupFacts> {
  rmSync(file, { force: true });
  try {
    const exported = await driver.exportSharedTenant?.(clusterId, file).catch((error: unknown) => {
      throw new Error(`etcd export of cluster ${clusterId}'s prefix failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    if (exported === undefined) throw new Error(`etcd export of cluster ${clusterId}'s prefix cannot start: its keys are not in a shared etcd (any more)`);
    // Read back before it is stored: what is uploaded is a whole export.
    await verifyExport(file).catch((error: unknown) => {
      throw new Error(`etcd export of cluster ${clusterId}'s prefix is not sound: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    const sha256 = await sha256OfFile(file);
    const sizeBytes = await store.putFile(key, file, signal).catch((error: unknown) => {
      throw new SnapshotUploadError("upload", error instanceof Error ? error.message : String(error), { cause: error });
    });
    return { format: "PrefixExport", sizeBytes, revision: exported.revision, sha256, keys: exported.keys, summary: `${exported.keys} keys under ${exported.prefix} of the shared etcd at revision ${exported.revision} (a prefix export: no other tenant's keys)` };
  } finally {
    rmSync(file, { force: true });
  }
}
