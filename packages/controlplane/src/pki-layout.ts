import { join } from "node:path";
import { createFrontProxyCA, importKeyPair, loadCertificateAuthority, type ClusterAuthorities, type ClusterPKI, type ClusterPKIOptions } from "@seedbed/pki";

/**
 * The PEM files of a control plane, by role: one table shared by the files
 * on disk (local driver), the keys of the cluster's PKI Secret and the
 * mounted files of the seed driver.
 */
const layout = {
  caCert: { file: "ca.crt", pem: (p: ClusterPKI) => p.clusterCA.certificatePem },
  caKey: { file: "ca.key", pem: (p: ClusterPKI) => p.clusterCA.keyPair.privateKeyPem },
  etcdCACert: { file: "etcd-ca.crt", pem: (p: ClusterPKI) => p.etcdCA.certificatePem },
  etcdCAKey: { file: "etcd-ca.key", pem: (p: ClusterPKI) => p.etcdCA.keyPair.privateKeyPem },
  frontProxyCACert: { file: "front-proxy-ca.crt", pem: (p: ClusterPKI) => p.frontProxyCA.certificatePem },
  frontProxyCAKey: { file: "front-proxy-ca.key", pem: (p: ClusterPKI) => p.frontProxyCA.keyPair.privateKeyPem },
  serviceAccountKey: { file: "sa.key", pem: (p: ClusterPKI) => p.serviceAccountKey.privateKeyPem },
  serviceAccountPublicKey: { file: "sa.pub", pem: (p: ClusterPKI) => p.serviceAccountKey.publicKeyPem },
  apiServerCert: { file: "apiserver.crt", pem: (p: ClusterPKI) => p.apiServer.certificatePem },
  apiServerKey: { file: "apiserver.key", pem: (p: ClusterPKI) => p.apiServer.privateKeyPem },
  apiServerEtcdClientCert: { file: "apiserver-etcd-client.crt", pem: (p: ClusterPKI) => p.apiServerEtcdClient.certificatePem },
  apiServerEtcdClientKey: { file: "apiserver-etcd-client.key", pem: (p: ClusterPKI) => p.apiServerEtcdClient.privateKeyPem },
  apiServerKubeletClientCert: { file: "apiserver-kubelet-client.crt", pem: (p: ClusterPKI) => p.apiServerKubeletClient.certificatePem },
  apiServerKubeletClientKey: { file: "apiserver-kubelet-client.key", pem: (p: ClusterPKI) => p.apiServerKubeletClient.privateKeyPem },
  frontProxyClientCert: { file: "front-proxy-client.crt", pem: (p: ClusterPKI) => p.frontProxyClient.certificatePem },
  frontProxyClientKey: { file: "front-proxy-client.key", pem: (p: ClusterPKI) => p.frontProxyClient.privateKeyPem },
  etcdServerCert: { file: "etcd-server.crt", pem: (p: ClusterPKI) => p.etcdServer.certificatePem },
  etcdServerKey: { file: "etcd-server.key", pem: (p: ClusterPKI) => p.etcdServer.privateKeyPem },
  etcdPeerCert: { file: "etcd-peer.crt", pem: (p: ClusterPKI) => p.etcdPeer.certificatePem },
  etcdPeerKey: { file: "etcd-peer.key", pem: (p: ClusterPKI) => p.etcdPeer.privateKeyPem },
  adminCert: { file: "admin.crt", pem: (p: ClusterPKI) => p.admin.certificatePem },
  adminKey: { file: "admin.key", pem: (p: ClusterPKI) => p.admin.privateKeyPem },
  controllerManagerCert: { file: "controller-manager.crt", pem: (p: ClusterPKI) => p.controllerManager.certificatePem },
  controllerManagerKey: { file: "controller-manager.key", pem: (p: ClusterPKI) => p.controllerManager.privateKeyPem },
  schedulerCert: { file: "scheduler.crt", pem: (p: ClusterPKI) => p.scheduler.certificatePem },
  schedulerKey: { file: "scheduler.key", pem: (p: ClusterPKI) => p.scheduler.privateKeyPem },
  // What components trust and sign with: the current authority, and during
  // a CA rotation the previous one too. Components read these, never the
  // CA files above, so that a rotation changes only what they load.
  caBundle: { file: "ca-bundle.crt", pem: (p: ClusterPKI) => bundle(p.clusterCA.certificatePem, p.rotation?.previous.clusterCA.certificatePem) },
  etcdCABundle: { file: "etcd-ca-bundle.crt", pem: (p: ClusterPKI) => bundle(p.etcdCA.certificatePem, p.rotation?.previous.etcdCA.certificatePem) },
  frontProxyCABundle: { file: "front-proxy-ca-bundle.crt", pem: (p: ClusterPKI) => bundle(p.frontProxyCA.certificatePem, p.rotation?.previous.frontProxyCA.certificatePem) },
  serviceAccountVerifyKeys: { file: "sa-verify.pub", pem: (p: ClusterPKI) => bundle(p.serviceAccountKey.publicKeyPem, p.rotation?.previous.serviceAccountKey.publicKeyPem) },
  serviceAccountSigningKey: { file: "sa-signing.key", pem: (p: ClusterPKI) => (p.rotation?.client === "previous" ? p.rotation.previous : p).serviceAccountKey.privateKeyPem },
} as const;

/**
 * The authorities being rotated out, stored only while a CA rotation runs:
 * still trusted, and (until the rotation completes) signing the serving
 * certificates, so their keys are kept too.
 */
const previousLayout = {
  caCert: { file: "ca-previous.crt", pem: (a: ClusterAuthorities) => a.clusterCA.certificatePem },
  caKey: { file: "ca-previous.key", pem: (a: ClusterAuthorities) => a.clusterCA.keyPair.privateKeyPem },
  etcdCACert: { file: "etcd-ca-previous.crt", pem: (a: ClusterAuthorities) => a.etcdCA.certificatePem },
  etcdCAKey: { file: "etcd-ca-previous.key", pem: (a: ClusterAuthorities) => a.etcdCA.keyPair.privateKeyPem },
  frontProxyCACert: { file: "front-proxy-ca-previous.crt", pem: (a: ClusterAuthorities) => a.frontProxyCA.certificatePem },
  frontProxyCAKey: { file: "front-proxy-ca-previous.key", pem: (a: ClusterAuthorities) => a.frontProxyCA.keyPair.privateKeyPem },
  serviceAccountKey: { file: "sa-previous.key", pem: (a: ClusterAuthorities) => a.serviceAccountKey.privateKeyPem },
  serviceAccountPublicKey: { file: "sa-previous.pub", pem: (a: ClusterAuthorities) => a.serviceAccountKey.publicKeyPem },
} as const;

/** The file names of the authorities a CA rotation rotates out (present only while one runs). */
export const previousAuthorityFiles: readonly string[] = Object.values(previousLayout).map(({ file }) => file);

function bundle(current: string, previous: string | undefined): string {
  return previous === undefined ? current : `${current.trimEnd()}\n${previous.trimEnd()}\n`;
}

/** A role in a control plane's PKI. */
export type PKIRole = keyof typeof layout;

/** Paths of the PEM files of a control plane's PKI directory. */
export type PKIFiles = { readonly dir: string } & { readonly [R in PKIRole]: string };

/** The file layout of a PKI directory. */
export function pkiFiles(dir: string): PKIFiles {
  const paths = Object.fromEntries(Object.entries(layout).map(([role, { file }]) => [role, join(dir, file)]));
  return { dir, ...paths } as PKIFiles;
}

/** Every PEM of a cluster's PKI by file name ("ca.crt" → PEM), as written to disk or to a Secret. */
export function pkiFileContents(pki: ClusterPKI): Map<string, string> {
  const previous = pki.rotation?.previous;
  return new Map([
    ...Object.values(layout).map(({ file, pem }): [string, string] => [file, pem(pki)]),
    ...(previous === undefined ? [] : Object.values(previousLayout).map(({ file, pem }): [string, string] => [file, pem(previous)])),
  ]);
}

/** The file names of a PKI directory, in a stable order. */
export const pkiFileNames: readonly string[] = Object.values(layout).map(({ file }) => file);

/**
 * What every PKI Seedbed ever stored holds and leaves are issued from: the
 * cluster and etcd CAs with their keys, and the service-account key pair.
 * Without them a PKI cannot be completed, only made anew.
 */
export const requiredAuthorityFiles: readonly string[] = ["ca.crt", "ca.key", "etcd-ca.crt", "etcd-ca.key", "sa.key", "sa.pub"];

/** CA certificates: they live ten years and are not leaves, so they do not count when leaves are due for renewal. */
export const authorityCertificateFiles: ReadonlySet<string> = new Set(["ca.crt", "etcd-ca.crt", "front-proxy-ca.crt", "ca-bundle.crt", "etcd-ca-bundle.crt", "front-proxy-ca-bundle.crt", "ca-previous.crt", "etcd-ca-previous.crt", "front-proxy-ca-previous.crt"]);

/**
 * The authorities of a stored PKI (file name → PEM), to issue its leaves
 * from. An authority a newer Seedbed added (the front-proxy CA) is made
 * when the PKI has none; one that exists is always kept, since a new CA
 * would lock out every client and node that trusts the old one.
 */
export async function loadAuthorities(files: ReadonlyMap<string, string>, options: Pick<ClusterPKIOptions, "clusterName" | "keyAlgorithm" | "now" | "caValidity">): Promise<ClusterAuthorities> {
  const missing = requiredAuthorityFiles.filter((file) => files.get(file) === undefined);
  if (missing.length > 0) throw new Error(`the stored PKI lacks ${missing.join(", ")}: its leaves cannot be issued from its own authorities`);
  const pem = (file: string): string => files.get(file) ?? "";
  const frontProxy = [files.get("front-proxy-ca.crt"), files.get("front-proxy-ca.key")];
  if (frontProxy.filter((f) => f !== undefined).length === 1) {
    throw new Error("the stored PKI holds only one of front-proxy-ca.crt and front-proxy-ca.key: restore the other (a new front-proxy CA is made only when both are absent)");
  }
  const [clusterCA, etcdCA, frontProxyCA, serviceAccountKey] = await Promise.all([
    loadCertificateAuthority(pem("ca.crt"), pem("ca.key")),
    loadCertificateAuthority(pem("etcd-ca.crt"), pem("etcd-ca.key")),
    frontProxy[0] === undefined ? createFrontProxyCA(options) : loadCertificateAuthority(pem("front-proxy-ca.crt"), pem("front-proxy-ca.key")),
    importKeyPair(pem("sa.key"), pem("sa.pub")),
  ]);
  return { clusterCA, etcdCA, frontProxyCA, serviceAccountKey };
}

/** The authorities a CA rotation rotates out, when the stored PKI holds them (a rotation runs). */
export async function loadPreviousAuthorities(files: ReadonlyMap<string, string>): Promise<ClusterAuthorities | undefined> {
  const present = previousAuthorityFiles.filter((file) => files.get(file) !== undefined);
  if (present.length === 0) return undefined;
  if (present.length < previousAuthorityFiles.length) {
    const missing = previousAuthorityFiles.filter((file) => files.get(file) === undefined);
    throw new Error(`the stored PKI holds part of the authorities being rotated out; it lacks ${missing.join(", ")}`);
  }
  const pem = (file: string): string => files.get(file) ?? "";
  const [clusterCA, etcdCA, frontProxyCA, serviceAccountKey] = await Promise.all([
    loadCertificateAuthority(pem("ca-previous.crt"), pem("ca-previous.key")),
    loadCertificateAuthority(pem("etcd-ca-previous.crt"), pem("etcd-ca-previous.key")),
    loadCertificateAuthority(pem("front-proxy-ca-previous.crt"), pem("front-proxy-ca-previous.key")),
    importKeyPair(pem("sa-previous.key"), pem("sa-previous.pub")),
  ]);
  return { clusterCA, etcdCA, frontProxyCA, serviceAccountKey };
}
