import type { KindRef } from "@seedbed/runtime";

/** PersistentVolumeClaims (namespaced). */
export const claimKindRef: KindRef = { apiVersion: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true };

/** PersistentVolumes (cluster-scoped). */
export const volumeKindRef: KindRef = { apiVersion: "v1", kind: "PersistentVolume", plural: "persistentvolumes", namespaced: false };
