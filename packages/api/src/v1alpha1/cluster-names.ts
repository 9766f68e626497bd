import type { Cluster } from "./cluster.ts";

/** Names of the objects the platform derives from a Cluster, in one place for the operator, the CLI and the server. */
export const clusterObjectNames = {
  /** Secret holding the cluster's CAs, keys and certificates (owned by the Cluster). */
  pkiSecret: (cluster: string): string => `${cluster}-pki`,
  /** Secret holding the certificate-based admin kubeconfig, under the key `kubeconfig`. */
  adminKubeconfigSecret: (cluster: string): string => `${cluster}-admin-kubeconfig`,
  /** ConfigMap recording the kubeconfigs handed out for the cluster and the CAs they trust (owned by the Cluster; see ledger/). */
  kubeconfigLedger: (cluster: string): string => `${cluster}-kubeconfigs`,
} as const;

/** The key of the kubeconfig in the admin kubeconfig Secret. */
export const kubeconfigSecretKey = "kubeconfig";

/** Separates project and cluster in a cluster's identity; project names may not contain it. */
export const clusterIdSeparator = "--";

export { maxClusterIdLength } from "../schema/names.ts";

/**
 * The identity of a new cluster on its seed — its local directory, seed
 * namespace, process markers, machine labels and certificate names all
 * derive from it: `<project>--<cluster>`. It is one-to-one: project names
 * may not contain `--` and end in a letter or digit, so the first `--` is
 * always the separator, and no two (project, cluster) pairs share an
 * identity (`team`/`a-prod` is `team--a-prod`, `team-a`/`prod` is
 * `team-a--prod`). The operator records it in `status.clusterID` before it
 * creates anything, so a later change of this scheme never moves a cluster.
 */
export function newClusterId(namespace: string, name: string): string {
  return `${projectOfNamespace(namespace)}${clusterIdSeparator}${name}`;
}

/**
 * The identity clusters were given before Seedbed recorded one:
 * `<project>-<cluster>`. Not one-to-one (`team`/`a-prod` and `team-a`/`prod`
 * collide), so it is only ever used for clusters that already ran under it.
 */
export function legacyClusterId(namespace: string, name: string): string {
  return `${projectOfNamespace(namespace)}-${name}`;
}

/**
 * The identity a Cluster is known by on its seed: the one recorded in its
 * status, or undefined until the operator has recorded it (nothing exists
 * on any seed before then).
 */
export function clusterIdOf(cluster: Pick<Cluster, "status">): string | undefined {
  return cluster.status?.clusterID;
}

/**
 * The identity a Cluster's objects on seeds and in its tenant are named by:
 * the recorded one, or — before the operator has recorded it, when nothing
 * exists yet — the one it will be given.
 */
export function clusterIdentity(cluster: Pick<Cluster, "metadata" | "status">): string {
  return clusterIdOf(cluster) ?? identityToRecord(cluster);
}

/**
 * The identity to record for a Cluster that has none yet: the legacy one
 * when an earlier Seedbed already reconciled it (it has a status, so its
 * control plane may run under that name), the one-to-one scheme otherwise.
 */
export function identityToRecord(cluster: Pick<Cluster, "metadata" | "status">): string {
  const namespace = cluster.metadata.namespace ?? "";
  const name = cluster.metadata.name ?? "";
  const reconciledBefore = cluster.status?.phase !== undefined || cluster.status?.observedGeneration !== undefined;
  return reconciledBefore ? legacyClusterId(namespace, name) : newClusterId(namespace, name);
}

/** An owner reference to a Cluster, as its NodePools carry it: not the controller, never blocking the Cluster's deletion. */
export interface ClusterOwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: false;
  readonly blockOwnerDeletion: false;
}

/**
 * What makes a NodePool go with its Cluster: the management cluster's
 * garbage collector deletes it when the Cluster is gone, even a Cluster
 * deleted before the operator ever saw it.
 */
export function clusterOwnerReference(cluster: Pick<Cluster, "apiVersion" | "kind" | "metadata">): ClusterOwnerReference {
  return { apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: false, blockOwnerDeletion: false };
}

/** The project a namespace project-<name> belongs to: <name>. */
export function projectOfNamespace(namespace: string): string {
  return namespace.replace(/^project-/, "");
}

/** The name a cluster answers to on the platform's shared SNI endpoint: <cluster>.<project>.<domain>. */
export function sharedEndpointName(namespace: string, name: string, domain: string): string {
  return `${name}.${projectOfNamespace(namespace)}.${domain}`;
}
