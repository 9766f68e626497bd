import { apiVersion, clusterKind, clusterPolicyKind, etcdBackupKind, etcdRestoreKind, nodePoolKind, type KindDefinition } from "@seedbed/api";
import { collectionPath, objectPath, type KindRef } from "@seedbed/runtime";

/** A namespaced kind the REST API serves under /projects/:project/<path>. */
export interface ProjectResource extends KindRef {
  /** The URL segment, e.g. "clusters". */
  readonly path: string;
  /** The path parameter naming one object, e.g. "cluster" in /clusters/:cluster. */
  readonly param: string;
  /** The kind's CRD definition: schema and name limits. */
  readonly definition: KindDefinition;
}

/** Clusters in a project's namespace. */
export const clusters: ProjectResource = { apiVersion, kind: "Cluster", plural: "clusters", namespaced: true, path: "clusters", param: "cluster", definition: clusterKind };
/** Node pools in a project's namespace. */
export const nodePools: ProjectResource = { apiVersion, kind: "NodePool", plural: "nodepools", namespaced: true, path: "nodepools", param: "pool", definition: nodePoolKind };
/** Etcd snapshots of a project's clusters (a restore drill is asked for with the annotation seedbed.dev/verify). */
export const etcdBackups: ProjectResource = { apiVersion, kind: "EtcdBackup", plural: "etcdbackups", namespaced: true, path: "etcdbackups", param: "backup", definition: etcdBackupKind };
/** Restores of a project's clusters from their (or another cluster's) EtcdBackups. */
export const etcdRestores: ProjectResource = { apiVersion, kind: "EtcdRestore", plural: "etcdrestores", namespaced: true, path: "etcdrestores", param: "restore", definition: etcdRestoreKind };
/** ClusterPolicies in a project's namespace, served as /policies (see routes/policies.ts). */
export const clusterPolicies: ProjectResource = { apiVersion, kind: "ClusterPolicy", plural: "clusterpolicies", namespaced: true, path: "policies", param: "policy", definition: clusterPolicyKind };
/** ClusterSyncs: one per Cluster, its policies' per-cluster state (read only for members). */
export const clusterSyncs: KindRef = { apiVersion, kind: "ClusterSync", plural: "clustersyncs", namespaced: true };
/** ClusterTemplates in a project's namespace (read by DELETE …/addons/:addon: what a cluster's template asks for). */
export const clusterTemplates: KindRef = { apiVersion, kind: "ClusterTemplate", plural: "clustertemplates", namespaced: true };
/** Fleet upgrades (cluster-scoped; platform admins only, see routes/upgrade-plans.ts). */
export const upgradePlans: KindRef = { apiVersion, kind: "UpgradePlan", plural: "upgradeplans", namespaced: false };
/** Projects (cluster-scoped). */
export const projects: KindRef = { apiVersion, kind: "Project", plural: "projects", namespaced: false };
/** Core Secrets. */
export const secrets: KindRef = { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true };
/** Core Events (the events.k8s.io Events, seen through the core API as involvedObject). */
export const events: KindRef = { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true };

/** The namespace holding a project's clusters. */
export function projectNamespace(project: string): string {
  return `project-${project}`;
}

/** The API path of a kind's objects in a project. */
export function projectCollection(kind: KindRef, project: string): string {
  return collectionPath(kind, projectNamespace(project));
}

/** The API path of one object in a project. */
export function projectObject(kind: KindRef, project: string, name: string): string {
  return objectPath(kind, projectNamespace(project), name);
}
