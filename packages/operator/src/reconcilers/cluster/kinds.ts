import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The kinds the Cluster controller reads and writes. */
export const clusterKindRef: KindRef = { apiVersion, kind: "Cluster", plural: "clusters", namespaced: true };
export const clusterTemplateKindRef: KindRef = { apiVersion, kind: "ClusterTemplate", plural: "clustertemplates", namespaced: true };
export const secretKindRef: KindRef = { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true };
