import { join } from "node:path";
import type { ClusterPKI } from "@seedbed/pki";

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
  serviceAccountKey: { file: "sa.key", pem: (p: ClusterPKI) => p.serviceAccountKey.privateKeyPem },
  serviceAccountPublicKey: { file: "sa.pub", pem: (p: ClusterPKI) => p.serviceAccountKey.publicKeyPem },
  apiServerCert: { file: "apiserver.crt", pem: (p: ClusterPKI) => p.apiServer.certificatePem },
  apiServerKey: { file: "apiserver.key", pem: (p: ClusterPKI) => p.apiServer.privateKeyPem },
  apiServerEtcdClientCert: { file: "apiserver-etcd-client.crt", pem: (p: ClusterPKI) => p.apiServerEtcdClient.certificatePem },
  apiServerEtcdClientKey: { file: "apiserver-etcd-client.key", pem: (p: ClusterPKI) => p.apiServerEtcdClient.privateKeyPem },
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
} as const;

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
  return new Map(Object.values(layout).map(({ file, pem }) => [file, pem(pki)]));
}

/** The file names of a PKI directory, in a stable order. */
export const pkiFileNames: readonly string[] = Object.values(layout).map(({ file }) => file);
