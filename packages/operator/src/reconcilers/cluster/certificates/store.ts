import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import type { V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, type Cluster } from "@seedbed/api";
import { authorityCertificateFiles, firstServiceIP, loadAuthorities, loadPreviousAuthorities, pkiFileContents, pkiFileNames, previousAuthorityFiles, requiredAuthorityFiles, type CertificateNames } from "@seedbed/controlplane";
import { createClusterAuthorities, earliestExpiry, issueClusterLeaves, validityOf, type ClusterAuthorities, type ClusterPKIOptions } from "@seedbed/pki";
import { isConflict, isNotFound, type ObjectClient } from "@seedbed/runtime";
import { ownedBy, secretTypes } from "../secrets.ts";
import type { CertificateTimes } from "./policy.ts";
import { parseRotationState, signersOf, type RotationState } from "./rotation.ts";

/** The key of the PKI Secret that records the CA rotation under way (or the last one). */
export const rotationStateKey = "rotation.json";

/** The parts of a cluster's network its certificates are issued for. */
export interface ClusterNetwork {
  /** Its first address is the kubernetes Service's, on the API server's certificate. */
  readonly serviceCIDR: string;
  /** kubernetes.default.svc.<dnsDomain> is on the API server's certificate. */
  readonly dnsDomain: string;
}

/** A cluster's stored PKI as a pass sees it. */
export interface StoredPKI {
  /** File name → PEM: what drivers write for components (no rotation record). */
  readonly pki: Map<string, string>;
  readonly rotation: RotationState | undefined;
  /** created: a new PKI; renewed: leaves issued afresh (or the PKI moved to a new rotation step); kept. */
  readonly action: "created" | "renewed" | "kept";
  /** The Secret's uid and resourceVersion: the same exactly while the PKI is unchanged. */
  readonly version?: string;
  /** The Secret as read or written. */
  readonly secret: V1Secret;
  /** When written: the resourceVersion it replaced (none when created). */
  readonly replaced?: string;
}

/** What a PKI is issued for and how long its certificates live. */
export interface PKIInputs {
  readonly cluster: Cluster;
  readonly network: ClusterNetwork;
  readonly names: CertificateNames;
  readonly times: CertificateTimes;
  readonly now: Date;
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string): string => Buffer.from(text, "base64").toString("utf8");

/**
 * The cluster's PKI from its Secret: generated and stored on first use,
 * leaves issued afresh when they near their renewal point or lack a name.
 * The first write is a create (not an apply), so two reconciles racing can
 * never overwrite one CA with another; later writes carry the
 * resourceVersion.
 */
export async function ensurePKI(client: ObjectClient, cached: V1Secret | undefined, inputs: PKIInputs): Promise<StoredPKI> {
  const { cluster } = inputs;
  const namespace = cluster.metadata.namespace ?? "";
  const name = clusterObjectNames.pkiSecret(cluster.metadata.name ?? "");
  // The cache first: in steady state a reconcile reads nothing from the API.
  const existing = cached ?? (await readSecret(client, namespace, name));
  if (existing === undefined || !requiredAuthorityFiles.every((file) => existing.data?.[file] !== undefined)) {
    const options = pkiOptions(inputs);
    const authorities = await createClusterAuthorities(options);
    const pki = pkiFileContents(await issueClusterLeaves(authorities, options));
    try {
      const written = await writeSecret(client, cluster, existing, pki, undefined);
      return { pki, rotation: undefined, action: "created", version: versionOf(written), secret: written };
    } catch (error) {
      // Someone (an earlier pass our cache has not seen yet) created it: use theirs.
      if (existing !== undefined || !isConflict(error)) throw error;
      return ensurePKI(client, await readSecret(client, namespace, name), inputs);
    }
  }
  const rotation = recordedRotation(existing);
  const kept = keptPKI(existing, rotation, inputs);
  if (kept) return kept;
  // Leaves near their renewal point, missing (a file deleted by hand, or one
  // a newer Seedbed adds), or lacking a name: issued from the cluster's own
  // authorities. New CAs would lock out every kubeconfig and node already
  // handed out; only a CA rotation makes them, in steps.
  return storeStep(client, existing, rotation, inputs, { renew: true });
}

/**
 * Issues every leaf for a rotation state and stores it with the state, in
 * one write: `fresh` are new authorities (a rotation starts: the current
 * ones become the previous); `renew` issues the leaves afresh even when the
 * state signs as the stored one does (a renewal, not a step). The PKI and its rotation record never
 * disagree, whatever point an operator is killed at.
 */
export async function storeStep(client: ObjectClient, existing: V1Secret, rotation: RotationState | undefined, inputs: PKIInputs, how: { readonly fresh?: ClusterAuthorities; readonly renew?: boolean }): Promise<StoredPKI> {
  const options = pkiOptions(inputs);
  const stored = storedFiles(existing);
  const before = recordedRotation(existing);
  const { fresh } = how;
  if (how.renew !== true && fresh === undefined && before !== undefined && sameSigners(before, rotation)) {
    // A phase that signs as the last step did (Prepared, Completed): only the record changes, so no component restarts for it.
    const written = await writeSecret(client, inputs.cluster, existing, stored, rotation);
    return { pki: stored, rotation, action: "kept", version: versionOf(written), secret: written, ...replacedOf(existing) };
  }
  const current = await loadAuthorities(stored, options);
  const signers = signersOf(rotation?.phase === "Completed" ? undefined : rotation?.step);
  const previous = fresh !== undefined ? current : signers === undefined ? undefined : await loadPreviousAuthorities(stored);
  if (signers !== undefined && previous === undefined) throw new Error(`the PKI Secret records CA rotation ${rotation?.id ?? "?"} at step ${rotation?.step ?? "?"} but holds no previous authorities (${previousAuthorityFiles.join(", ")}); restore them from a backup of the Secret, or delete ${rotationStateKey} from it to abandon the rotation`);
  const pki = pkiFileContents(await issueClusterLeaves(fresh ?? current, options, signers === undefined || previous === undefined ? undefined : { previous, ...signers }));
  const written = await writeSecret(client, inputs.cluster, existing, pki, rotation);
  return { pki, rotation, action: "renewed", version: versionOf(written), secret: written, ...replacedOf(existing) };
}

function replacedOf(existing: V1Secret): { replaced?: string } {
  const version = existing.metadata?.resourceVersion;
  return version === undefined ? {} : { replaced: version };
}

/** The rotation recorded in a stored PKI. */
function recordedRotation(secret: V1Secret): RotationState | undefined {
  const encoded = secret.data?.[rotationStateKey];
  return parseRotationState(encoded === undefined ? undefined : unb64(encoded));
}

/** Whether two rotation states sign with the same authorities (see signersOf). */
function sameSigners(a: RotationState, b: RotationState | undefined): boolean {
  const signers = (r: RotationState | undefined): string => JSON.stringify(signersOf(r === undefined || r.phase === "Completed" ? undefined : r.step) ?? null);
  return signers(a) === signers(b);
}

function pkiOptions(inputs: PKIInputs): ClusterPKIOptions {
  const { cluster, network, names, times, now } = inputs;
  const namespace = cluster.metadata.namespace ?? "";
  return {
    clusterName: `${namespace}/${cluster.metadata.name ?? ""}`,
    kubernetesServiceIP: firstServiceIP(network.serviceCIDR),
    dnsDomain: network.dnsDomain,
    // The in-cluster name under the cluster's DNS domain is always on it (see kubernetesServiceNames).
    apiServerAltNames: names.apiServer,
    etcdAltNames: names.etcd,
    leafValidity: validityOf(times.leafValidityMs),
    caValidity: validityOf(times.caValidityMs),
    now,
  };
}

/** The PEM files of a stored PKI, without the rotation record. */
export function storedFiles(secret: V1Secret): Map<string, string> {
  const names = [...pkiFileNames, ...previousAuthorityFiles];
  return new Map(names.filter((file) => secret.data?.[file] !== undefined).map((file) => [file, unb64(secret.data?.[file] ?? "")]));
}

/** The stored PKI when it is complete for its rotation step, names every address, and its leaves are before their renewal point. */
function keptPKI(existing: V1Secret, rotation: RotationState | undefined, inputs: PKIInputs): StoredPKI | undefined {
  const rotating = signersOf(rotation?.phase === "Completed" ? undefined : rotation?.step) !== undefined;
  const wanted = rotating ? [...pkiFileNames, ...previousAuthorityFiles] : pkiFileNames;
  if (!wanted.every((file) => existing.data?.[file] !== undefined)) return undefined;
  // Files of a rotation that has moved on (an interrupted write cannot leave them, but a hand edit can): issued afresh without them.
  if (!rotating && previousAuthorityFiles.some((file) => existing.data?.[file] !== undefined)) return undefined;
  const names = { ...inputs.names, apiServer: [...inputs.names.apiServer, `kubernetes.default.svc.${inputs.network.dnsDomain}`] };
  const files = storedFiles(existing);
  if (!servesNames(existing, files.get("apiserver.crt") ?? "", names.apiServer)) return undefined;
  const expiry = leafExpiry(existing, files);
  if (expiry === undefined || expiry.getTime() - inputs.now.getTime() <= inputs.times.renewBeforeMs) return undefined;
  return { pki: files, rotation, action: "kept", version: versionOf(existing), secret: existing };
}

/** When the earliest leaf of a stored PKI expires (undefined: it has none); parsed once per Secret object. */
export function leafExpiryOf(stored: StoredPKI): Date | undefined {
  return leafExpiry(stored.secret, stored.pki);
}

/**
 * The earliest expiry of a PKI Secret's leaves, kept per cached Secret
 * object (an informer hands out the same object until the Secret changes):
 * a reconcile of an unchanged cluster parses no certificate.
 */
const expiries = new WeakMap<V1Secret, Date | undefined>();

function leafExpiry(secret: V1Secret, files: ReadonlyMap<string, string>): Date | undefined {
  if (!expiries.has(secret)) expiries.set(secret, earliestExpiry([...files].filter(([file]) => !authorityCertificateFiles.has(file)).map(([, pem]) => pem)));
  return expiries.get(secret);
}

/** Whether the API server's certificate carries every name and address asked for; kept per cached Secret object and set of names. */
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

/** Creates the PKI Secret, or replaces it guarded by the resourceVersion read. */
async function writeSecret(client: ObjectClient, cluster: Cluster, existing: V1Secret | undefined, pki: ReadonlyMap<string, string>, rotation: RotationState | undefined): Promise<V1Secret> {
  const namespace = cluster.metadata.namespace ?? "";
  const name = clusterObjectNames.pkiSecret(cluster.metadata.name ?? "");
  const metadata = { name, namespace, ownerReferences: ownedBy(cluster), labels: { "seedbed.dev/cluster": cluster.metadata.name ?? "" } };
  const data: Record<string, string> = Object.fromEntries([...pki].map(([file, pem]) => [file, b64(pem)]));
  if (rotation !== undefined) data[rotationStateKey] = b64(JSON.stringify(rotation));
  const secret = { apiVersion: "v1", kind: "Secret", type: secretTypes.pki, metadata, data };
  const collection = `/api/v1/namespaces/${namespace}/secrets`;
  if (existing === undefined) return client.request<V1Secret>("POST", collection, { body: secret });
  return client.request<V1Secret>("PUT", `${collection}/${name}`, { body: { ...secret, metadata: { ...metadata, resourceVersion: existing.metadata?.resourceVersion } } });
}

function versionOf(secret: V1Secret): string {
  return `${secret.metadata?.uid ?? ""}/${secret.metadata?.resourceVersion ?? ""}`;
}

/** Reads the PKI Secret from the API (not the cache). */
export async function readSecret(client: ObjectClient, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await client.request<V1Secret>("GET", `/api/v1/namespaces/${namespace}/secrets/${name}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
