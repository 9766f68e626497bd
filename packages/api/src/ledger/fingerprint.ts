import { createHash, X509Certificate } from "node:crypto";
import { parse } from "yaml";

/** SHA-256 of a certificate's DER as colon-separated upper-case hex: what `openssl x509 -fingerprint -sha256` and status.certificates.authorities[].fingerprint show. */
export function certificateFingerprint(certificate: X509Certificate): string {
  return createHash("sha256").update(certificate.raw).digest("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:");
}

/** The certificates of a PEM bundle, in order; text between them is ignored. Throws on a block that is not a certificate. */
export function bundleCertificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/** The fingerprints of the certificates of a PEM bundle, in order. */
export function bundleFingerprints(pem: string): string[] {
  return bundleCertificates(pem).map(certificateFingerprint);
}

/** clientCA of a kubeconfig whose client certificate was signed by none of its CAs. */
export const unknownClientCA = "unknown";

/** What a kubeconfig trusts and presents, in public terms. */
export interface KubeconfigTrust {
  /** Fingerprints of the CAs in certificate-authority-data (or the file certificate-authority names: not readable here, so none). */
  readonly cas: string[];
  /** The fingerprint of the CA among `cas` that signed its client certificate, if it has one (unknownClientCA when none of them did). */
  readonly clientCA?: string;
}

interface Named {
  name?: string;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  context?: { cluster?: string; user?: string };
}

interface KubeconfigShape {
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  "current-context"?: string;
}

/** The cluster and user of a kubeconfig's current context, else its first. */
function selected(file: KubeconfigShape): { cluster?: Record<string, unknown>; user?: Record<string, unknown> } {
  const contexts = file.contexts ?? [];
  const context = (contexts.find((c) => c.name === file["current-context"]) ?? contexts[0])?.context;
  const clusters = file.clusters ?? [];
  const users = file.users ?? [];
  const cluster = (clusters.find((c) => c.name === context?.cluster) ?? clusters[0])?.cluster;
  const user = (users.find((u) => u.name === context?.user) ?? users[0])?.user;
  return { ...(cluster === undefined ? {} : { cluster }), ...(user === undefined ? {} : { user }) };
}

/**
 * The CAs a kubeconfig trusts (its current context's cluster, else its
 * first) and, for a certificate-based one, which of them signed the
 * client certificate. Reads only certificates; the key is never touched.
 */
export function kubeconfigTrust(kubeconfig: string): KubeconfigTrust {
  const { cluster, user } = selected((parse(kubeconfig) ?? {}) as KubeconfigShape);
  const caData = cluster?.["certificate-authority-data"];
  const cas = typeof caData === "string" ? bundleCertificates(Buffer.from(caData, "base64").toString("utf8")) : [];
  const clientData = user?.["client-certificate-data"];
  if (typeof clientData !== "string") return { cas: cas.map(certificateFingerprint) };
  const [client] = bundleCertificates(Buffer.from(clientData, "base64").toString("utf8"));
  const signer = client === undefined ? undefined : cas.find((ca) => client.checkIssued(ca) && client.verify(ca.publicKey));
  // A client certificate none of its CAs signed: which CA it needs is unknown, so it counts as trusting none.
  return { cas: cas.map(certificateFingerprint), clientCA: signer === undefined ? unknownClientCA : certificateFingerprint(signer) };
}
