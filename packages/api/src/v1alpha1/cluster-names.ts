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

/** Which address of the service range the cluster DNS Service takes (kubeadm's choice, which kubelets and tools expect). */
const dnsAddressIndex = 10;

/**
 * The cluster DNS Service IP: the tenth address of the service range, as kubeadm places it.
 * Counted from the network address (host bits cleared, as kubeadm parses the
 * CIDR) with the carry across octets: 10.96.0.0/12 → 10.96.0.10,
 * 10.0.8.0/22 → 10.0.8.10, 10.0.0.250/24 → 10.0.0.10. The API admits IPv4
 * service ranges of /12 to /24 only, so a range too small for a tenth
 * address, or anything that is not an IPv4 CIDR, is an error.
 */
export function clusterDNSAddress(serviceCIDR: string): string {
  return addressInRange(serviceCIDR, dnsAddressIndex, { what: "the cluster DNS", fix: "use a prefix of /28 or shorter" });
}

/**
 * The address `index` places past the network address of the IPv4 range
 * `cidr` (host bits cleared, carried across octets). Throws naming the
 * range when it is no IPv4 CIDR, or too small to hold that address
 * (neither it nor the broadcast address): `what` and `fix` say whose
 * address it is and what to do.
 */
export function addressInRange(cidr: string, index: number, o: { what: string; fix: string }): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  if (match === null || octets.some((octet) => octet > 255) || prefix > 32) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR such as 10.96.0.0/12`);
  }
  const size = 2 ** (32 - prefix);
  if (size <= index + 1) throw new Error(`the range ${cidr} has no address ${String(index)} for ${o.what}: ${o.fix}`);
  // Arithmetic on numbers, not bitwise operators: those are signed 32-bit and would turn 128.0.0.0 and above negative.
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  const address = base - (base % size) + index;
  return [3, 2, 1, 0].map((byte) => Math.floor(address / 256 ** byte) % 256).join(".");
}

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
