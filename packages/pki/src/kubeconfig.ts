import { stringify } from "yaml";

/** Who a kubeconfig talks to and as whom (client-certificate authentication). */
export interface KubeconfigOptions {
  readonly clusterName: string;
  /** https://host:port of the kube-apiserver. */
  readonly server: string;
  readonly certificateAuthorityPem: string;
  readonly userName: string;
  readonly clientCertificatePem: string;
  readonly clientKeyPem: string;
}

/** Renders a one-context kubeconfig with its certificates inline, as YAML. */
export function buildKubeconfig(options: KubeconfigOptions): string {
  const b64 = (pem: string): string => Buffer.from(pem, "utf8").toString("base64");
  const context = `${options.userName}@${options.clusterName}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: options.clusterName, cluster: { server: options.server, "certificate-authority-data": b64(options.certificateAuthorityPem) } },
    ],
    users: [
      {
        name: options.userName,
        user: { "client-certificate-data": b64(options.clientCertificatePem), "client-key-data": b64(options.clientKeyPem) },
      },
    ],
    contexts: [{ name: context, context: { cluster: options.clusterName, user: options.userName } }],
    "current-context": context,
  });
}

/** A kubectl exec credential plugin: a command that prints an ExecCredential with the user's token. */
export interface ExecPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Who a token kubeconfig talks to, and the plugin that fetches the token. */
export interface ExecKubeconfigOptions {
  readonly clusterName: string;
  readonly server: string;
  readonly certificateAuthorityPem: string;
  /** The name to present in TLS SNI and verify, when the server URL's host is not that name (e.g. an IP). */
  readonly tlsServerName?: string;
  readonly userName: string;
  readonly exec: ExecPlugin;
}

/**
 * Renders a one-context kubeconfig whose user runs an exec plugin for a
 * short-lived token: nothing in the file grants access by itself.
 */
export function buildExecKubeconfig(options: ExecKubeconfigOptions): string {
  const context = `${options.userName}@${options.clusterName}`;
  const cluster = {
    server: options.server,
    "certificate-authority-data": Buffer.from(options.certificateAuthorityPem, "utf8").toString("base64"),
    ...(options.tlsServerName === undefined ? {} : { "tls-server-name": options.tlsServerName }),
  };
  const exec = {
    apiVersion: "client.authentication.k8s.io/v1",
    command: options.exec.command,
    args: [...options.exec.args],
    ...(options.exec.env === undefined ? {} : { env: Object.entries(options.exec.env).map(([name, value]) => ({ name, value })) }),
    interactiveMode: "IfAvailable",
    provideClusterInfo: false,
  };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: options.clusterName, cluster }],
    users: [{ name: options.userName, user: { exec } }],
    contexts: [{ name: context, context: { cluster: options.clusterName, user: options.userName } }],
    "current-context": context,
  });
}
