import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The EtcdBackup kind, for informers and the controller. */
export const etcdBackupKindRef: KindRef = { apiVersion, kind: "EtcdBackup", plural: "etcdbackups", namespaced: true };

/** Kept on an EtcdBackup until its stored snapshot is deleted. */
export const etcdBackupFinalizer = "seedbed.dev/etcd-backup";

