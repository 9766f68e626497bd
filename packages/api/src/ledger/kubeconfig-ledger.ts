import { createHash } from "node:crypto";
import { clusterObjectNames, clusterOwnerReference } from "../v1alpha1/cluster-names.ts";
import type { Cluster } from "../v1alpha1/cluster.ts";

// The kubeconfig ledger: which kubeconfigs the platform handed out for a
// cluster and which CAs they trust, so that a CA rotation can say, before
// it completes, who would be locked out. Pure: no API call here (see
// store.ts). It holds names, times and public fingerprints only, never a
// credential: a record is built from a kubeconfig, not a copy of it.

/** The kinds of kubeconfig handed out: admin (a client certificate) or token (logs in with the platform's OIDC token). */
export const kubeconfigKinds = ["admin", "token"] as const;
/** A kind of kubeconfig handed out. */
export type KubeconfigKind = (typeof kubeconfigKinds)[number];

/** Where a hand-out happened: `seedbed kubeconfig` or the REST API's GET …/kubeconfig. */
export type KubeconfigChannel = "cli" | "api";

/** The latest kubeconfig of one kind handed out to one holder. */
export interface KubeconfigRecord {
  /** The user name as the management API authenticated the caller. */
  readonly holder: string;
  readonly kind: KubeconfigKind;
  /** When it was handed out (RFC 3339). */
  readonly time: string;
  /** SHA-256 fingerprints of the CA certificates in its certificate-authority-data. */
  readonly cas: readonly string[];
  /** admin: the fingerprint of the CA that signed its client certificate (it authenticates only while that CA is trusted). */
  readonly clientCA?: string;
  readonly via?: KubeconfigChannel;
}

/** The ledger's label naming its cluster, as on the cluster's other objects. */
export const ledgerClusterLabel = "seedbed.dev/cluster";

/** At most this many records per cluster (one per holder and kind): the oldest go first. ConfigMaps are capped at 1 MiB; 200 records stay far below. */
export const maxLedgerRecords = 200;

/** The ConfigMap fields the ledger uses. */
export interface LedgerConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: readonly object[];
  };
  data?: Record<string, string>;
}

/** Longest ConfigMap key. */
const maxKeyLength = 253;

/**
 * The data key of a holder's record of one kind: `<kind>.<holder>`, every
 * character a ConfigMap key may not hold (and `_`, the escape) written as
 * `_hh` per UTF-8 byte, so that keys stay readable in `kubectl get -o yaml`
 * and distinct holders never share one. A holder too long for a key is
 * named by its SHA-256 instead.
 */
export function ledgerKey(holder: string, kind: KubeconfigKind): string {
  const escaped = [...Buffer.from(holder, "utf8")].map((byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9.-]/.test(char) ? char : `_${byte.toString(16).padStart(2, "0")}`;
  }).join("");
  const key = `${kind}.${escaped}`;
  return key.length <= maxKeyLength ? key : `${kind}.sha256-${createHash("sha256").update(holder).digest("hex")}`;
}

/** A record read back, or undefined when the value is not one (written by hand, or by a later version we do not know). */
export function parseRecord(value: string): KubeconfigRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const r = parsed as Record<string, unknown>;
  if (typeof r.holder !== "string" || !(kubeconfigKinds as readonly unknown[]).includes(r.kind) || typeof r.time !== "string" || Number.isNaN(Date.parse(r.time))) return undefined;
  if (!Array.isArray(r.cas) || !r.cas.every((ca) => typeof ca === "string")) return undefined;
  return {
    holder: r.holder,
    kind: r.kind as KubeconfigKind,
    time: r.time,
    cas: r.cas,
    ...(typeof r.clientCA === "string" ? { clientCA: r.clientCA } : {}),
    ...(r.via === "cli" || r.via === "api" ? { via: r.via } : {}),
  };
}

/** The records of a ledger's data, newest first; values that are not records are left out. */
export function parseLedger(data: Readonly<Record<string, string>> | undefined): KubeconfigRecord[] {
  return Object.values(data ?? {})
    .map(parseRecord)
    .filter((r): r is KubeconfigRecord => r !== undefined)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || a.holder.localeCompare(b.holder) || a.kind.localeCompare(b.kind));
}

/** The cluster CA's fingerprint in a Cluster's status (authority `cluster`): the one a completed rotation leaves trusted. */
export function currentClusterCA(cluster: Pick<Cluster, "status">): string | undefined {
  return cluster.status?.certificates?.authorities?.find((a) => a.name === "cluster")?.fingerprint;
}

/** Fingerprints compare without regard to case (`openssl` and Node print upper case, some tools lower). */
export function sameFingerprint(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Whether a kubeconfig keeps working once only the CA `fingerprint` is
 * trusted: its certificate-authority-data holds that CA (else it cannot
 * verify the API server's new serving certificate), and an admin
 * kubeconfig's client certificate was signed by it (else the API server
 * stops accepting it).
 */
export function trustsCA(record: KubeconfigRecord, fingerprint: string): boolean {
  const verifies = record.cas.some((ca) => sameFingerprint(ca, fingerprint));
  const authenticates = record.clientCA === undefined || sameFingerprint(record.clientCA, fingerprint);
  return verifies && authenticates;
}

/**
 * The kubeconfigs handed out that stop working when the cluster CA
 * `currentCAFingerprint` (status.certificates.authorities[cluster]) is the
 * only one trusted, newest first: those a CA rotation would lock out if it
 * completed now. Undefined fingerprint (no status yet): none.
 */
export function outstandingKubeconfigs(ledger: readonly KubeconfigRecord[], currentCAFingerprint: string | undefined): KubeconfigRecord[] {
  if (currentCAFingerprint === undefined || currentCAFingerprint === "") return [];
  return ledger.filter((record) => !trustsCA(record, currentCAFingerprint));
}

/**
 * The `data` of a JSON merge patch that records `record`: its own key set,
 * and — when that would make more than `limit` records — the oldest keys
 * removed (null), values that are not records first. Pure.
 */
export function ledgerDataChange(data: Readonly<Record<string, string>> | undefined, record: KubeconfigRecord, limit: number = maxLedgerRecords): Record<string, string | null> {
  const key = ledgerKey(record.holder, record.kind);
  const change: Record<string, string | null> = { [key]: JSON.stringify(record) };
  const others = Object.entries(data ?? {}).filter(([k]) => k !== key);
  const excess = others.length + 1 - limit;
  if (excess <= 0) return change;
  // Unparseable values sort as the oldest (time -Infinity).
  const byAge = others
    .map(([k, v]) => ({ key: k, time: timeOf(v) }))
    .sort((a, b) => a.time - b.time || a.key.localeCompare(b.key));
  for (const { key: old } of byAge.slice(0, excess)) change[old] = null;
  return change;
}

function timeOf(value: string): number {
  const record = parseRecord(value);
  return record === undefined ? Number.NEGATIVE_INFINITY : Date.parse(record.time);
}

/** A new ledger ConfigMap for `cluster` holding `data`: in the cluster's namespace, labelled with it and owned by it (gone with it). */
export function newLedgerConfigMap(cluster: Pick<Cluster, "apiVersion" | "kind" | "metadata">, data: Record<string, string>): LedgerConfigMap {
  const name = cluster.metadata.name ?? "";
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: clusterObjectNames.kubeconfigLedger(name),
      namespace: cluster.metadata.namespace ?? "",
      labels: { [ledgerClusterLabel]: name },
      // Not blocking deletion: setting that would need delete on the Cluster, which viewers lack.
      ownerReferences: [clusterOwnerReference(cluster)],
    },
    data,
  };
}
