import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { firstServiceIP, pkiFileContents, pkiFileNames } from "@seedbed/controlplane";
import { buildKubeconfig, createClusterPKI } from "@seedbed/pki";
import { apply, isNotFound, type ObjectClient } from "@seedbed/runtime";

/** The Secret types Seedbed writes, so that they are easy to find and never mistaken for user Secrets. */
export const secretTypes = { pki: "seedbed.dev/cluster-pki", kubeconfig: "seedbed.dev/kubeconfig" } as const;

/** An owner reference that makes the Cluster own (and garbage-collect) an object. */
export function ownedBy(cluster: Cluster): NonNullable<KubernetesObject["metadata"]>["ownerReferences"] {
  return [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }];
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string): string => Buffer.from(text, "base64").toString("utf8");

/**
 * The cluster's PKI, file name → PEM, from its Secret; generated and stored
 * on first use. Created with `create` (not apply), so two reconciles racing
 * can never overwrite one CA with another: the loser reads the winner's.
 */
export async function ensurePKISecret(client: ObjectClient, cluster: Cluster, serviceCIDR: string): Promise<Map<string, string>> {
  const name = clusterObjectNames.pkiSecret(cluster.metadata.name ?? "");
  const namespace = cluster.metadata.namespace ?? "";
  const existing = await readSecret(client, namespace, name);
  if (existing && pkiFileNames.every((file) => existing.data?.[file] !== undefined)) {
    return new Map(pkiFileNames.map((file) => [file, unb64(existing.data?.[file] ?? "")]));
  }
  const pki = pkiFileContents(await createClusterPKI({ clusterName: `${namespace}/${cluster.metadata.name ?? ""}`, kubernetesServiceIP: firstServiceIP(serviceCIDR) }));
  const metadata = { name, namespace, ownerReferences: ownedBy(cluster), labels: { "seedbed.dev/cluster": cluster.metadata.name ?? "" } };
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    type: secretTypes.pki,
    metadata,
    data: Object.fromEntries([...pki].map(([file, pem]) => [file, b64(pem)])),
  };
  const collection = `/api/v1/namespaces/${namespace}/secrets`;
  if (existing) {
    // Incomplete (written by an older version): replace it, guarded by its resourceVersion.
    await client.request("PUT", `${collection}/${name}`, { body: { ...secret, metadata: { ...metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  } else {
    await client.request("POST", collection, { body: secret });
  }
  return pki;
}

/** Writes the certificate-based admin kubeconfig Secret for the cluster's endpoint (server-side apply: only when it changed does anything change). */
export async function applyAdminKubeconfig(client: ObjectClient, cluster: Cluster, pki: ReadonlyMap<string, string>, endpoint: string): Promise<string> {
  const name = clusterObjectNames.adminKubeconfigSecret(cluster.metadata.name ?? "");
  const kubeconfig = buildKubeconfig({
    clusterName: cluster.metadata.name ?? "",
    server: endpoint,
    certificateAuthorityPem: pki.get("ca.crt") ?? "",
    userName: `${cluster.metadata.name ?? ""}-admin`,
    clientCertificatePem: pki.get("admin.crt") ?? "",
    clientKeyPem: pki.get("admin.key") ?? "",
  });
  await apply(client, {
    apiVersion: "v1",
    kind: "Secret",
    type: secretTypes.kubeconfig,
    metadata: { name, namespace: cluster.metadata.namespace, ownerReferences: ownedBy(cluster), labels: { "seedbed.dev/cluster": cluster.metadata.name ?? "" } },
    data: { [kubeconfigSecretKey]: b64(kubeconfig) },
  });
  return name;
}

async function readSecret(client: ObjectClient, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await client.request<V1Secret>("GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
