/** Names of the objects the platform derives from a Cluster, in one place for the operator, the CLI and the server. */
export const clusterObjectNames = {
  /** Secret holding the cluster's CAs, keys and certificates (owned by the Cluster). */
  pkiSecret: (cluster: string): string => `${cluster}-pki`,
  /** Secret holding the certificate-based admin kubeconfig, under the key `kubeconfig`. */
  adminKubeconfigSecret: (cluster: string): string => `${cluster}-admin-kubeconfig`,
} as const;

/** The key of the kubeconfig in the admin kubeconfig Secret. */
export const kubeconfigSecretKey = "kubeconfig";

/**
 * A cluster's identity on its seed, unique across projects and safe as a
 * namespace or directory name: `<project>-<cluster>` (the project
 * namespace's `project-` prefix dropped). Names are limited so it fits in 55.
 */
export function clusterId(namespace: string, name: string): string {
  return `${projectOfNamespace(namespace)}-${name}`;
}

/** The project a namespace project-<name> belongs to: <name>. */
export function projectOfNamespace(namespace: string): string {
  return namespace.replace(/^project-/, "");
}

/** The name a cluster answers to on the platform's shared SNI endpoint: <cluster>.<project>.<domain>. */
export function sharedEndpointName(namespace: string, name: string, domain: string): string {
  return `${name}.${projectOfNamespace(namespace)}.${domain}`;
}
