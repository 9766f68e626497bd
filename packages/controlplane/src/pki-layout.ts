import { join } from "node:path";

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
