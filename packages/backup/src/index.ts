// The public API of @seedbed/backup: where etcd snapshots are stored.
export { describeStoreError, S3Store, type S3Credentials, type S3Location, type StoredObject } from "./store/s3-store.ts";
export { startEmbeddedS3, type EmbeddedS3, type EmbeddedS3Options } from "./store/embedded.ts";
export { inspectSnapshot, readSnapshotStatus, saveSnapshot, sha256OfFile, type EtcdClient, type SnapshotFacts } from "./snapshot/etcd-snapshot.ts";
export { SnapshotUploadError, streamSnapshotToStore, type StoredSnapshot } from "./snapshot/stream-snapshot.ts";
export { etcdStatus, restoreSnapshot, snapshotVersionError, SnapshotRefusedError, type EtcdStatus, type RestoredMember, type RestoreOptions } from "./snapshot/etcd-restore.ts";
export { clearAbandonedDrills, DrillFailedError, drillSnapshot, type DrillExpectations, type DrillPlace, type DrillReport } from "./drill/restore-drill.ts";
