import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { buildKubeconfig } from "@seedbed/pki";
import { apply, type ObjectClient } from "@seedbed/runtime";

/** The Secret types Seedbed writes, so that they are easy to find and never mistaken for user Secrets. */
export const secretTypes = { pki: "seedbed.dev/cluster-pki", kubeconfig: "seedbed.dev/kubeconfig" } as const;

/** An owner reference that makes the Cluster own (and garbage-collect) an object. */
export function ownedBy(cluster: Cluster): NonNullable<KubernetesObject["metadata"]>["ownerReferences"] {
  return [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }];
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

/** Writes the certificate-based admin kubeconfig Secret for the cluster's endpoint (server-side apply: only when it changed does anything change). */
export async function applyAdminKubeconfig(client: ObjectClient, cached: V1Secret | undefined, cluster: Cluster, pki: ReadonlyMap<string, string>, endpoint: string, pkiVersion?: string): Promise<string> {
  const name = clusterObjectNames.adminKubeconfigSecret(cluster.metadata.name ?? "");
  // The same Secret found up to date for the same PKI version and endpoint: nothing to build.
  const inputs = pkiVersion === undefined ? undefined : `${pkiVersion}|${endpoint}`;
  if (cached !== undefined && inputs !== undefined && upToDate.get(cached) === inputs) return name;
  const kubeconfig = buildKubeconfig({
    clusterName: cluster.metadata.name ?? "",
    server: endpoint,
    // The bundle: during a CA rotation it trusts the old CA and the new.
    certificateAuthorityPem: pki.get("ca-bundle.crt") ?? "",
    userName: `${cluster.metadata.name ?? ""}-admin`,
    clientCertificatePem: pki.get("admin.crt") ?? "",
    clientKeyPem: pki.get("admin.key") ?? "",
  });
  if (cached?.data?.[kubeconfigSecretKey] === b64(kubeconfig)) {
    if (inputs !== undefined) upToDate.set(cached, inputs);
    return name;
  }
  await apply(client, {
    apiVersion: "v1",
    kind: "Secret",
    type: secretTypes.kubeconfig,
    metadata: { name, namespace: cluster.metadata.namespace, ownerReferences: ownedBy(cluster), labels: { "seedbed.dev/cluster": cluster.metadata.name ?? "" } },
    data: { [kubeconfigSecretKey]: b64(kubeconfig) },
  });
  return name;
}

/** Admin kubeconfig Secrets (cached objects) found up to date, with the PKI version and endpoint they were checked against. */
const upToDate = new WeakMap<V1Secret, string>();
