import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The EtcdBackup kind, for informers and the controller. */
export const etcdBackupKindRef: KindRef = { apiVersion, kind: "EtcdBackup", plural: "etcdbackups", namespaced: true };

/** Kept on an EtcdBackup until its stored snapshot is deleted. */
export const etcdBackupFinalizer = "seedbed.dev/etcd-backup";

/**
 * Asks for a restore drill of an EtcdBackup: a new value (the time of the
 * request, ISO 8601) runs one; status.verification.requestedAt answers it.
 * Set by `seedbed backup verify` and by the cluster's drill schedule.
 */
export const verifyAnnotation = "seedbed.dev/verify";
