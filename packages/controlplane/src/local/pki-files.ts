import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClusterPKI, type ClusterPKIOptions } from "@seedbed/pki";

/** Paths of the PEM files of a control plane's PKI directory. */
export interface PKIFiles {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly etcdCACert: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  readonly apiServerCert: string;
  readonly apiServerKey: string;
  readonly apiServerEtcdClientCert: string;
  readonly apiServerEtcdClientKey: string;
  readonly etcdServerCert: string;
  readonly etcdServerKey: string;
  readonly etcdPeerCert: string;
  readonly etcdPeerKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly controllerManagerCert: string;
  readonly controllerManagerKey: string;
  readonly schedulerCert: string;
  readonly schedulerKey: string;
}

/** The file layout of a PKI directory. */
export function pkiFiles(dir: string): PKIFiles {
  const f = (name: string): string => join(dir, name);
  return {
    dir,
    caCert: f("ca.crt"),
    caKey: f("ca.key"),
    etcdCACert: f("etcd-ca.crt"),
    serviceAccountKey: f("sa.key"),
    serviceAccountPublicKey: f("sa.pub"),
    apiServerCert: f("apiserver.crt"),
    apiServerKey: f("apiserver.key"),
    apiServerEtcdClientCert: f("apiserver-etcd-client.crt"),
    apiServerEtcdClientKey: f("apiserver-etcd-client.key"),
    etcdServerCert: f("etcd-server.crt"),
    etcdServerKey: f("etcd-server.key"),
    etcdPeerCert: f("etcd-peer.crt"),
    etcdPeerKey: f("etcd-peer.key"),
    adminCert: f("admin.crt"),
    adminKey: f("admin.key"),
    controllerManagerCert: f("controller-manager.crt"),
    controllerManagerKey: f("controller-manager.key"),
    schedulerCert: f("scheduler.crt"),
    schedulerKey: f("scheduler.key"),
  };
}

/**
 * Returns the PKI directory, creating it first when it does not exist. The
 * files are written to a temporary directory that is renamed into place, so
 * a crash never leaves a half-written PKI; an existing one is reused as is,
 * which keeps kubeconfigs and service-account tokens valid across restarts.
 */
export async function ensurePKIFiles(dir: string, options: ClusterPKIOptions): Promise<PKIFiles> {
  const files = pkiFiles(dir);
  if (existsSync(dir)) return files;
  const pki = await createClusterPKI(options);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const staged = pkiFiles(tmp);
  const contents: [string, string][] = [
    [staged.caCert, pki.clusterCA.certificatePem],
    [staged.caKey, pki.clusterCA.keyPair.privateKeyPem],
    [staged.etcdCACert, pki.etcdCA.certificatePem],
    [staged.serviceAccountKey, pki.serviceAccountKey.privateKeyPem],
    [staged.serviceAccountPublicKey, pki.serviceAccountKey.publicKeyPem],
    [staged.apiServerCert, pki.apiServer.certificatePem],
    [staged.apiServerKey, pki.apiServer.privateKeyPem],
    [staged.apiServerEtcdClientCert, pki.apiServerEtcdClient.certificatePem],
    [staged.apiServerEtcdClientKey, pki.apiServerEtcdClient.privateKeyPem],
    [staged.etcdServerCert, pki.etcdServer.certificatePem],
    [staged.etcdServerKey, pki.etcdServer.privateKeyPem],
    [staged.etcdPeerCert, pki.etcdPeer.certificatePem],
    [staged.etcdPeerKey, pki.etcdPeer.privateKeyPem],
    [staged.adminCert, pki.admin.certificatePem],
    [staged.adminKey, pki.admin.privateKeyPem],
    [staged.controllerManagerCert, pki.controllerManager.certificatePem],
    [staged.controllerManagerKey, pki.controllerManager.privateKeyPem],
    [staged.schedulerCert, pki.scheduler.certificatePem],
    [staged.schedulerKey, pki.scheduler.privateKeyPem],
  ];
  for (const [path, pem] of contents) writeFileSync(path, pem, { mode: 0o600 });
  renameSync(tmp, dir);
  return files;
}
