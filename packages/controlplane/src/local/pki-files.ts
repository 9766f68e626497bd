import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createClusterPKI, type ClusterPKIOptions } from "@seedbed/pki";
import { pkiFiles, type PKIFiles } from "../pki-layout.ts";

export { pkiFiles, type PKIFiles };

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
