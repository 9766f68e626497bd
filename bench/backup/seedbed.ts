// Seedbed's backup and restore paths, step by step as the operator runs
// them, each step timed:
//   backup  — streamSnapshotToStore: etcdctl snapshot save, the growing
//             file uploaded (multipart, a SHA-256 per part) and hashed as
//             it is written, then etcdutl snapshot status (the checks
//             before Completed), as the EtcdBackup reconciler does;
//   restore — the object downloaded to a file and hashed as it arrives
//             (S3Store.getFile), its SHA-256 checked against what the
//             backup recorded (revision and etcd version come from the
//             backup's status then), and restoreSnapshot with the revision
//             bumped and marked compacted, as an EtcdRestore stages a
//             cluster's data.
import { restoreSnapshot, S3Store, streamSnapshotToStore, type EtcdClient, type S3Credentials, type S3Location, type SnapshotFacts } from "@seedbed/backup";
import { timed } from "./clock.ts";
import type { Timing } from "./figures.ts";

/** The store the operator uploads to: a client is made per backup, as the reconciler makes one per reconcile. */
export interface StoreAccess {
  readonly location: S3Location;
  readonly credentials: S3Credentials;
}

/** The member a restored snapshot names and the bump a restore applies, as the local driver asks for them. */
const restoreOptions = { member: { name: "default", peerURL: "https://127.0.0.1:2380" }, bumpRevision: 1_000_000 };

/** Snapshot to `file` while it is uploaded under `key`, as the EtcdBackup reconciler does; the facts the backup records (its SHA-256 is what a restore checks). */
export async function seedbedBackup(client: EtcdClient, access: StoreAccess, key: string, file: string): Promise<{ timing: Timing; facts: SnapshotFacts }> {
  const store = new S3Store(access.location, access.credentials);
  try {
    const began = performance.now();
    const stored = await streamSnapshotToStore(client, file, store, key);
    return { timing: { totalMs: performance.now() - began, phasesMs: { snapshotWritten: stored.milestonesMs.snapshotWritten, uploaded: stored.milestonesMs.uploaded, inspected: stored.milestonesMs.inspected } }, facts: stored };
  } finally {
    store.close();
  }
}

/** Download `key` to `file` and check it against `sha256`, then restore it into `dataDir` (which must not exist). */
export async function seedbedRestore(access: StoreAccess, key: string, sha256: string, file: string, dataDir: string): Promise<Timing> {
  const store = new S3Store(access.location, access.credentials);
  try {
    const began = performance.now();
    const download = await timed(() => store.getFile(key, file));
    if (download.result.sha256 !== sha256) throw new Error(`the downloaded ${key} has SHA-256 ${download.result.sha256}, the backup recorded ${sha256}`);
    const restore = await timed(() => restoreSnapshot(file, dataDir, restoreOptions));
    return { totalMs: performance.now() - began, phasesMs: { downloadAndHash: download.ms, etcdutlRestore: restore.ms } };
  } finally {
    store.close();
  }
}
