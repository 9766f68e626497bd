import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCertificateAuthority, issueCertificate, loadCertificateAuthority, type CertificateAuthority } from "@seedbed/pki";

/** The files of a shared etcd's own PKI, in <dir>/pki. */
export interface SharedDatastorePKI {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly peerCertFile: string;
  readonly peerKeyFile: string;
  /** Client certificate with CN=root: Seedbed's own way in once etcd's auth is on. */
  readonly rootCertFile: string;
  readonly rootKeyFile: string;
}

/** A tenant's way into the shared etcd: the CA it trusts and its client certificate (CN = its cluster id). */
export interface SharedTenantCertificate {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A shared etcd's CA is its own, apart from every tenant's: a tenant's
 * cluster CA signs that tenant's certificates, so trusting it would let one
 * tenant mint a client certificate naming another. Files are made once and
 * kept; a restart of the platform reads them back.
 */
export async function ensureSharedDatastorePKI(dir: string, altNames: readonly string[]): Promise<SharedDatastorePKI> {
  const pki = join(dir, "pki");
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const files: SharedDatastorePKI = {
    caFile: join(pki, "ca.crt"),
    serverCertFile: join(pki, "server.crt"),
    serverKeyFile: join(pki, "server.key"),
    peerCertFile: join(pki, "peer.crt"),
    peerKeyFile: join(pki, "peer.key"),
    rootCertFile: join(pki, "root.crt"),
    rootKeyFile: join(pki, "root.key"),
  };
  const leaves = [
    { cert: files.serverCertFile, key: files.serverKeyFile, commonName: "shared-etcd-server", usage: "server-and-client" as const, altNames },
    { cert: files.peerCertFile, key: files.peerKeyFile, commonName: "shared-etcd-peer", usage: "server-and-client" as const, altNames },
    { cert: files.rootCertFile, key: files.rootKeyFile, commonName: "root", usage: "client" as const, altNames: [] },
  ];
  // Called on every look at the shared etcd: the CA is read only when a leaf is missing.
  const missing = leaves.filter((leaf) => !existsSync(leaf.cert) || !existsSync(leaf.key));
  if (missing.length === 0) return files;
  const ca = await loadOrCreateCA(pki);
  for (const leaf of missing) {
    const issued = await issueCertificate(ca, { commonName: leaf.commonName, usage: leaf.usage, altNames: [...leaf.altNames] });
    writePem(leaf.key, issued.privateKeyPem);
    writePem(leaf.cert, issued.certificatePem);
  }
  return files;
}

/** Issues (once) the client certificate of tenant `id` into `tenantDir`, signed by the shared etcd's CA. */
export async function ensureTenantCertificate(datastoreDir: string, tenantDir: string, id: string): Promise<SharedTenantCertificate> {
  mkdirSync(tenantDir, { recursive: true, mode: 0o700 });
  const files: SharedTenantCertificate = { caFile: join(tenantDir, "ca.crt"), certFile: join(tenantDir, "client.crt"), keyFile: join(tenantDir, "client.key") };
  const caPem = readFileSync(join(datastoreDir, "pki", "ca.crt"), "utf8");
  // Issued by this CA already: kept (the same file content keeps the API server from restarting).
  if (existsSync(files.certFile) && existsSync(files.keyFile) && existsSync(files.caFile) && readFileSync(files.caFile, "utf8") === caPem) return files;
  const ca = await loadOrCreateCA(join(datastoreDir, "pki"));
  const issued = await issueCertificate(ca, { commonName: id, usage: "client" });
  writePem(files.keyFile, issued.privateKeyPem);
  writePem(files.certFile, issued.certificatePem);
  writePem(files.caFile, caPem);
  return files;
}

async function loadOrCreateCA(pki: string): Promise<CertificateAuthority> {
  const cert = join(pki, "ca.crt");
  const key = join(pki, "ca.key");
  if (existsSync(cert) && existsSync(key)) return loadCertificateAuthority(readFileSync(cert, "utf8"), readFileSync(key, "utf8"));
  const ca = await createCertificateAuthority({ commonName: "seedbed-shared-etcd-ca" });
  writePem(key, ca.keyPair.privateKeyPem);
  writePem(cert, ca.certificatePem);
  return ca;
}

function writePem(path: string, pem: string): void {
  writeFileSync(`${path}.tmp`, pem, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
