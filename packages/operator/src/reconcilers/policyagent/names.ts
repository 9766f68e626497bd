import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KindRef, ReconcileRequest } from "@seedbed/runtime";

/** ServiceAccounts (only the agents' are cached, by label). */
export const serviceAccountKindRef: KindRef = { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true };
/** Roles (only the agents' are cached, by label). */
export const roleKindRef: KindRef = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true };
/** RoleBindings (only the agents' are cached, by label). */
export const roleBindingKindRef: KindRef = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true };

/** Label on every management-API object of an agent identity; its value is the cluster's name. */
export const agentClusterLabel = "policy.seedbed.dev/agent-cluster";
/** Label naming the cluster's namespace: the platform namespace's Roles live apart from their cluster. */
export const agentClusterNamespaceLabel = "policy.seedbed.dev/agent-cluster-namespace";

/** The labels of a cluster's agent objects. */
export function agentLabels(clusterNamespace: string, cluster: string): Record<string, string> {
  return { [agentClusterLabel]: cluster, [agentClusterNamespaceLabel]: clusterNamespace, "app.kubernetes.io/managed-by": "seedbed" };
}

/** The cluster an agent object belongs to (from its labels), to requeue it when the object changes or goes. */
export function clusterOfAgentObject(labels: Readonly<Record<string, string>> | undefined): ReconcileRequest[] {
  const name = labels?.[agentClusterLabel];
  const namespace = labels?.[agentClusterNamespaceLabel];
  return name === undefined || namespace === undefined ? [] : [{ namespace, name }];
}

/** The agent's entry point in the workspace, run by the node running the operator. */
export const defaultAgentScript = fileURLToPath(new URL("../../../../agent/src/bin/seedbed-agent.ts", import.meta.url));

/** The files of one cluster's agent: credentials (0600) and its log, in a directory of its own (0700) named by the Cluster's uid. */
export interface AgentFiles {
  readonly dir: string;
  readonly managementKubeconfig: string;
  readonly tenantKubeconfig: string;
  readonly log: string;
}

/** Where a cluster's agent keeps its files. */
export function agentFiles(workDir: string, clusterUID: string): AgentFiles {
  const dir = join(workDir, clusterUID);
  return { dir, managementKubeconfig: join(dir, "management.kubeconfig"), tenantKubeconfig: join(dir, "tenant.kubeconfig"), log: join(dir, "agent.log") };
}

/** The marker (SEEDBED_PROCESS and --marker) of every agent this work directory hosts: finds them after a restart. */
export function agentMarkerPrefix(workDir: string): string {
  return `seedbed-agent:${workDir}`;
}

/** The marker of one cluster's agent process. */
export function agentMarker(workDir: string, clusterUID: string): string {
  return `${agentMarkerPrefix(workDir)}/${clusterUID}`;
}
