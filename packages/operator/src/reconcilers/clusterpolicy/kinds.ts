import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The ClusterPolicy kind (namespaced: a project's namespace or seedbed-system). */
export const clusterPolicyKindRef: KindRef = { apiVersion, kind: "ClusterPolicy", plural: "clusterpolicies", namespaced: true };

/** The ClusterSync kind: one per Cluster, in its namespace and named as it. */
export const clusterSyncKindRef: KindRef = { apiVersion, kind: "ClusterSync", plural: "clustersyncs", namespaced: true };
