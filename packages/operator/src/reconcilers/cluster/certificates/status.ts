import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import type { AuthorityName, AuthorityStatus, ClusterCertificatesStatus } from "@seedbed/api";
import { authorityCertificateFiles } from "@seedbed/controlplane";
import { clockSkewMs } from "@seedbed/pki";
import type { RotationState } from "./rotation.ts";

/** Where each authority's certificate (public key for the service-account key) is, current and previous. */
const authorityFiles: readonly { name: AuthorityName; current: string; previous: string }[] = [
  { name: "cluster", current: "ca.crt", previous: "ca-previous.crt" },
  { name: "etcd", current: "etcd-ca.crt", previous: "etcd-ca-previous.crt" },
  { name: "frontProxy", current: "front-proxy-ca.crt", previous: "front-proxy-ca-previous.crt" },
  { name: "serviceAccount", current: "sa.pub", previous: "sa-previous.pub" },
];

/** SHA-256 of a certificate's DER (or a public key's SPKI), as colon-separated hex: what `openssl x509 -fingerprint -sha256` prints. */
export function fingerprintOf(pem: string): string {
  if (pem.includes("BEGIN CERTIFICATE")) return new X509Certificate(pem).fingerprint256;
  const der = createPublicKey(pem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:");
}

function describe(pem: string): { fingerprint: string; notAfter?: string } {
  if (!pem.includes("BEGIN CERTIFICATE")) return { fingerprint: fingerprintOf(pem) };
  const certificate = new X509Certificate(pem);
  return { fingerprint: certificate.fingerprint256, notAfter: new Date(certificate.validTo).toISOString() };
}

/** The fingerprints and dates of a PKI's authorities and leaves (never a key), for status.certificates. */
export function describePKI(files: ReadonlyMap<string, string>): Pick<ClusterCertificatesStatus, "authorities" | "leaves"> {
  const authorities: AuthorityStatus[] = authorityFiles.flatMap(({ name, current, previous }) => {
    const pem = files.get(current);
    if (pem === undefined) return [];
    const old = files.get(previous);
    return [{ name, ...describe(pem), ...(old === undefined ? {} : { previous: describe(old) }) }];
  });
  const leaves = [...files]
    .filter(([file, pem]) => file.endsWith(".crt") && !authorityCertificateFiles.has(file) && pem.includes("BEGIN CERTIFICATE"))
    .map(([file, pem]) => ({ name: file.slice(0, -".crt".length), notAfter: new Date(new X509Certificate(pem).validTo).toISOString() }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { authorities, leaves };
}

/** When the CAs in use were made: the cluster CA's notBefore, less the backdating every certificate gets (see validityWindow). */
export function authoritiesMadeMs(files: ReadonlyMap<string, string>): number {
  const pem = files.get("ca.crt");
  if (pem === undefined) return 0;
  return new Date(new X509Certificate(pem).validFrom).getTime() + clockSkewMs;
}

/** status.certificates.rotation from the stored state. */
export function rotationStatus(state: RotationState, message: string | undefined, outstanding: number | undefined): NonNullable<ClusterCertificatesStatus["rotation"]> {
  return {
    id: state.id,
    phase: state.phase,
    ...(state.requested === undefined ? {} : { requested: state.requested }),
    trigger: state.trigger,
    startedTime: state.startedTime,
    phaseTime: state.phaseTime,
    ...(state.completionTime === undefined ? {} : { completionTime: state.completionTime }),
    ...(message === undefined ? {} : { message }),
    ...(outstanding === undefined ? {} : { outstandingKubeconfigs: outstanding }),
  };
}
