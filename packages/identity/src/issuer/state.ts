import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority, type CertificateAuthority } from "@seedbed/pki";
import { ensurePrivateDir, readIfExists, writeFileAtomic } from "../files.ts";
import { loadOrCreateUsers, type DevUser } from "./users.ts";

/** The names of the files the development issuer keeps in its directory. */
export const stateFiles = {
  caCert: "ca.crt",
  caKey: "ca.key",
  servingCert: "tls.crt",
  servingKey: "tls.key",
  signingKeys: "jwks.json",
} as const;

/** The signing algorithm of the ID tokens: RS256 is the one every OIDC client and kube-apiserver accept. */
export const signingAlgorithm = "RS256";

/** Everything the development issuer keeps across restarts. */
export interface IssuerState {
  readonly caPEM: string;
  readonly caFile: string;
  readonly servingCertPEM: string;
  readonly servingKeyPEM: string;
  /** The private signing keys as a JWKS; the published JWKS holds their public halves. */
  readonly signingKeys: { readonly keys: readonly JWK[] };
  readonly users: readonly DevUser[];
}

/** Renew the serving certificate when less than this is left, so a long-lived directory keeps working. */
const renewBeforeMs = 30 * 24 * 60 * 60 * 1000;

/**
 * Loads the issuer's CA, serving certificate, signing keys and users from
 * `dir`, creating whatever is missing. Keys and users are created once and
 * reused, so tokens and passwords survive a restart; the serving
 * certificate is reissued from the same CA when it no longer covers `host`
 * or is about to expire.
 */
export async function loadOrCreateState(dir: string, host: string, now: Date = new Date()): Promise<IssuerState> {
  await ensurePrivateDir(dir);
  const ca = await loadOrCreateCA(dir);
  const serving = await loadOrIssueServing(dir, ca, host, now);
  const signingKeys = await loadOrCreateSigningKeys(dir);
  const users = await loadOrCreateUsers(dir);
  return { caPEM: ca.certificatePem, caFile: join(dir, stateFiles.caCert), ...serving, signingKeys, users };
}

async function loadOrCreateCA(dir: string): Promise<CertificateAuthority> {
  const certPEM = await readIfExists(join(dir, stateFiles.caCert));
  const keyPEM = await readIfExists(join(dir, stateFiles.caKey));
  if (certPEM !== undefined && keyPEM !== undefined) return loadCertificateAuthority(certPEM, keyPEM);
  const ca = await createCertificateAuthority({ commonName: "seedbed development issuer CA" });
  // The key first: a certificate without its key would be unusable on the next start.
  await writeFileAtomic(join(dir, stateFiles.caKey), ca.keyPair.privateKeyPem, 0o600);
  await writeFileAtomic(join(dir, stateFiles.caCert), ca.certificatePem, 0o644);
  return ca;
}

async function loadOrIssueServing(dir: string, ca: CertificateAuthority, host: string, now: Date): Promise<{ servingCertPEM: string; servingKeyPEM: string }> {
  const certPath = join(dir, stateFiles.servingCert);
  const keyPath = join(dir, stateFiles.servingKey);
  const certPEM = await readIfExists(certPath);
  const keyPEM = await readIfExists(keyPath);
  if (certPEM !== undefined && keyPEM !== undefined && stillServes(certPEM, host, now)) {
    return { servingCertPEM: certPEM, servingKeyPEM: keyPEM };
  }
  const altNames = [...new Set(["127.0.0.1", "localhost", host])];
  const issued = await issueCertificate(ca, { commonName: "seedbed-dev-issuer", altNames, usage: "server", now });
  await writeFileAtomic(keyPath, issued.privateKeyPem, 0o600);
  await writeFileAtomic(certPath, issued.certificatePem, 0o644);
  return { servingCertPEM: issued.certificatePem, servingKeyPEM: issued.privateKeyPem };
}

function stillServes(certPEM: string, host: string, now: Date): boolean {
  const cert = new X509Certificate(certPEM);
  const coversHost = isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined;
  return coversHost && new Date(cert.validTo).getTime() - now.getTime() > renewBeforeMs;
}

async function loadOrCreateSigningKeys(dir: string): Promise<{ keys: JWK[] }> {
  const path = join(dir, stateFiles.signingKeys);
  const existing = await readIfExists(path);
  if (existing !== undefined) {
    const parsed = JSON.parse(existing) as { keys?: JWK[] };
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${path}: expected a JWKS with at least one key`);
    return { keys: parsed.keys };
  }
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The thumbprint of the public half is a stable kid that needs no bookkeeping.
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e });
  const jwks = { keys: [{ ...jwk, kid, alg: signingAlgorithm, use: "sig" }] };
  await writeFileAtomic(path, `${JSON.stringify(jwks, null, 2)}\n`, 0o600);
  return jwks;
}

/** Reads the issuer's private signing JWKS from its directory; tests use it to sign tokens with exactly one property wrong. */
export async function readSigningKeys(dir: string): Promise<{ keys: JWK[] }> {
  const text = await readIfExists(join(dir, stateFiles.signingKeys));
  if (text === undefined) throw new Error(`no signing keys in ${dir}: start the development issuer there first`);
  return JSON.parse(text) as { keys: JWK[] };
}
