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
