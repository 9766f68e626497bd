import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { authorityCertificateFiles, firstServiceIP, loadAuthorities, pkiFileContents, pkiFileNames, requiredAuthorityFiles, type CertificateNames } from "@seedbed/controlplane";
import { buildKubeconfig, createClusterPKI, earliestExpiry, issueClusterLeaves } from "@seedbed/pki";
import { apply, isConflict, isNotFound, type ObjectClient } from "@seedbed/runtime";

/** The Secret types Seedbed writes, so that they are easy to find and never mistaken for user Secrets. */
export const secretTypes = { pki: "seedbed.dev/cluster-pki", kubeconfig: "seedbed.dev/kubeconfig" } as const;

/** An owner reference that makes the Cluster own (and garbage-collect) an object. */
export function ownedBy(cluster: Cluster): NonNullable<KubernetesObject["metadata"]>["ownerReferences"] {
  return [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name: cluster.metadata.name ?? "", uid: cluster.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }];
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string): string => Buffer.from(text, "base64").toString("utf8");

/** How long leaf certificates live and when they are renewed. */
export interface CertificatePolicy {
  readonly leafValidityDays: number;
  /** Leaf certificates expiring within this many days are issued afresh (CAs and keys of the service accounts stay). */
  readonly renewBeforeDays: number;
}

/** kubeadm's choices: one year, renewed in the last month. */
export const defaultCertificatePolicy: CertificatePolicy = { leafValidityDays: 365, renewBeforeDays: 30 };

/** The parts of a cluster's network its certificates are issued for. */
export interface ClusterNetwork {
  /** Its first address is the kubernetes Service's, on the API server's certificate. */
  readonly serviceCIDR: string;
  /** kubernetes.default.svc.<dnsDomain> is on the API server's certificate. */
  readonly dnsDomain: string;
}

/** What ensurePKISecret did. */
export interface PKIResult {
  readonly pki: Map<string, string>;
  readonly action: "created" | "renewed" | "kept";
  /** The stored Secret's uid and resourceVersion when kept: the same exactly while the PKI is unchanged. */
  readonly version?: string;
}

/**
 * The cluster's PKI, file name → PEM, from its Secret: generated and stored
 * on first use, leaf certificates renewed when they near expiry. The first
 * write is a create (not an apply), so two reconciles racing can never
 * overwrite one CA with another; later writes carry the resourceVersion.
 */
export async function ensurePKISecret(client: ObjectClient, cached: V1Secret | undefined, cluster: Cluster, network: ClusterNetwork, names: CertificateNames, policy: CertificatePolicy = defaultCertificatePolicy, now: Date = new Date()): Promise<PKIResult> {
  const name = clusterObjectNames.pkiSecret(cluster.metadata.name ?? "");
  const namespace = cluster.metadata.namespace ?? "";
  const options = { clusterName: `${namespace}/${cluster.metadata.name ?? ""}`, kubernetesServiceIP: firstServiceIP(network.serviceCIDR), dnsDomain: network.dnsDomain, apiServerAltNames: names.apiServer, etcdAltNames: names.etcd, leafValidity: { days: policy.leafValidityDays }, now };
  // The cache first: in steady state a reconcile reads nothing from the API.
  const existing = cached ?? (await readSecret(client, namespace, name));
  // The in-cluster name under the cluster's DNS domain too: a PKI issued before the domain was honoured gets new leaves.
  const wanted = { ...names, apiServer: [...names.apiServer, `kubernetes.default.svc.${network.dnsDomain}`] };
  const kept = existing === undefined ? undefined : keptPKI(existing, wanted, policy, now);
  if (kept) return kept;
  let pki: Map<string, string>;
  let action: PKIResult["action"];
  if (existing && requiredAuthorityFiles.every((file) => existing.data?.[file] !== undefined)) {
    // Leaves near expiry, or missing (a file deleted by hand, or one a newer
    // Seedbed adds, such as the kubelet client): issued from the cluster's
    // own authorities. New CAs would lock out every kubeconfig and node
    // already handed out; an authority added since (the front-proxy CA) is
    // made when absent, and kept once stored.
    const stored = new Map(pkiFileNames.filter((file) => existing.data?.[file] !== undefined).map((file) => [file, unb64(existing.data?.[file] ?? "")]));
    pki = pkiFileContents(await issueClusterLeaves(await loadAuthorities(stored, options), options));
    action = "renewed";
  } else {
    pki = pkiFileContents(await createClusterPKI(options));
    action = "created";
  }
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
    // Renewed, or incomplete: replace it, guarded by its resourceVersion.
    await client.request("PUT", `${collection}/${name}`, { body: { ...secret, metadata: { ...metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  } else {
    try {
      await client.request("POST", collection, { body: secret });
    } catch (error) {
      // Someone (an earlier pass our cache has not seen yet) created it: use theirs.
      if (!isConflict(error)) throw error;
      return ensurePKISecret(client, await readSecret(client, namespace, name), cluster, network, names, policy, now);
    }
  }
  return { pki, action };
}

/** The stored PKI when it is complete and its leaves are outside the renewal window. */
function keptPKI(existing: V1Secret, names: CertificateNames, policy: CertificatePolicy, now: Date): PKIResult | undefined {
  if (!pkiFileNames.every((file) => existing.data?.[file] !== undefined)) return undefined;
  const stored = new Map(pkiFileNames.map((file) => [file, unb64(existing.data?.[file] ?? "")]));
  // A name added since (the shared endpoint's, a seed node's address): new leaves from the same CAs.
  if (!servesNames(existing, stored.get("apiserver.crt") ?? "", names.apiServer)) return undefined;
  const expiry = leafExpiry(existing, stored);
  if (expiry === undefined || expiry.getTime() - now.getTime() <= policy.renewBeforeDays * 86_400_000) return undefined;
  return { pki: stored, action: "kept", version: `${existing.metadata?.uid ?? ""}/${existing.metadata?.resourceVersion ?? ""}` };
}

/**
 * The earliest expiry of a PKI Secret's leaves, kept per cached Secret
 * object (an informer hands out the same object until the Secret changes):
 * a reconcile of an unchanged cluster parses no certificate. Only the date
 * is kept; the decoded files would double what the cache holds.
 */
const expiries = new WeakMap<V1Secret, Date | undefined>();

function leafExpiry(secret: V1Secret, files: ReadonlyMap<string, string>): Date | undefined {
  if (!expiries.has(secret)) expiries.set(secret, earliestExpiry([...files].filter(([file]) => !authorityCertificateFiles.has(file)).map(([, pem]) => pem)));
  return expiries.get(secret);
}

/**
 * Whether the API server's certificate carries every name and address
 * asked for (a seed's published addresses are IP SANs); kept per cached
 * Secret object and set of names.
 */
const coverage = new WeakMap<V1Secret, { names: string; covered: boolean }>();

function servesNames(secret: V1Secret, apiServerPem: string, names: readonly string[]): boolean {
  const key = names.join(",");
  const known = coverage.get(secret);
  if (known?.names === key) return known.covered;
  const certificate = new X509Certificate(apiServerPem);
  const covered = names.every((n) => (isIP(n) === 0 ? certificate.checkHost(n, { wildcards: false }) : certificate.checkIP(n)) !== undefined);
  coverage.set(secret, { names: key, covered });
  return covered;
}

/** Writes the certificate-based admin kubeconfig Secret for the cluster's endpoint (server-side apply: only when it changed does anything change). */
export async function applyAdminKubeconfig(client: ObjectClient, cached: V1Secret | undefined, cluster: Cluster, pki: ReadonlyMap<string, string>, endpoint: string, pkiVersion?: string): Promise<string> {
  const name = clusterObjectNames.adminKubeconfigSecret(cluster.metadata.name ?? "");
  // The same Secret found up to date for the same PKI version and endpoint: nothing to build.
  const inputs = pkiVersion === undefined ? undefined : `${pkiVersion}|${endpoint}`;
  if (cached !== undefined && inputs !== undefined && upToDate.get(cached) === inputs) return name;
  const kubeconfig = buildKubeconfig({
    clusterName: cluster.metadata.name ?? "",
    server: endpoint,
    certificateAuthorityPem: pki.get("ca.crt") ?? "",
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

async function readSecret(client: ObjectClient, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await client.request<V1Secret>("GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
