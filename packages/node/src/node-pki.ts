import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildKubeconfig, issueCertificate, loadCertificateAuthority } from "@seedbed/pki";

/** The cluster CA that signs a node's certificates (PEM). */
export interface ClusterCA {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Files of a node's identity, as the kubelet reads them. */
export interface NodeCredentials {
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly kubeconfig: string;
}

/** What a node's certificates name and where its files go. */
export interface NodeCredentialsInput {
  readonly name: string;
  /** The node's InternalIP, named in the kubelet's serving certificate. */
  readonly address: string;
  readonly server: string;
  readonly ca: ClusterCA;
  readonly pkiDir: string;
  readonly kubeconfigPath: string;
  /** kube-proxy's kubeconfig (user system:kube-proxy, which the default system:node-proxier binding authorizes). */
  readonly kubeProxyKubeconfigPath: string;
}

/**
 * Issues the kubelet's client certificate (system:node:NAME in
 * system:nodes, which the Node authorizer expects) and its serving
 * certificate, and writes them with a kubeconfig for `server`. TLS
 * bootstrap (a CSR approved by the cluster) replaces this later.
 */
export async function writeNodeCredentials(options: NodeCredentialsInput): Promise<NodeCredentials> {
  const ca = await loadCertificateAuthority(options.ca.certificatePem, options.ca.privateKeyPem);
  const user = `system:node:${options.name}`;
  const [client, serving, proxy] = await Promise.all([
    issueCertificate(ca, { commonName: user, organizations: ["system:nodes"], usage: "client" }),
    issueCertificate(ca, { commonName: user, organizations: ["system:nodes"], usage: "server", altNames: [options.name, options.address] }),
    issueCertificate(ca, { commonName: "system:kube-proxy", usage: "client" }),
  ]);
  mkdirSync(options.pkiDir, { recursive: true, mode: 0o700 });
  const files = {
    caFile: join(options.pkiDir, "ca.crt"),
    servingCertFile: join(options.pkiDir, "kubelet.crt"),
    servingKeyFile: join(options.pkiDir, "kubelet.key"),
    kubeconfig: options.kubeconfigPath,
  };
  writeFileSync(files.caFile, options.ca.certificatePem);
  writeFileSync(files.servingCertFile, serving.certificatePem);
  writeFileSync(files.servingKeyFile, serving.privateKeyPem, { mode: 0o600 });
  const kubeconfig = buildKubeconfig({
    clusterName: "seedbed",
    server: options.server,
    certificateAuthorityPem: options.ca.certificatePem,
    userName: user,
    clientCertificatePem: client.certificatePem,
    clientKeyPem: client.privateKeyPem,
  });
  writeFileSync(files.kubeconfig, kubeconfig, { mode: 0o600 });
  const proxyKubeconfig = buildKubeconfig({
    clusterName: "seedbed",
    server: options.server,
    certificateAuthorityPem: options.ca.certificatePem,
    userName: "system:kube-proxy",
    clientCertificatePem: proxy.certificatePem,
    clientKeyPem: proxy.privateKeyPem,
  });
  mkdirSync(dirname(options.kubeProxyKubeconfigPath), { recursive: true, mode: 0o700 });
  writeFileSync(options.kubeProxyKubeconfigPath, proxyKubeconfig, { mode: 0o600 });
  return files;
}
