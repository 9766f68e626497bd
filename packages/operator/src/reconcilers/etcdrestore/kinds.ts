import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The EtcdRestore kind, for informers and the controller. */
export const etcdRestoreKindRef: KindRef = { apiVersion, kind: "EtcdRestore", plural: "etcdrestores", namespaced: true };
