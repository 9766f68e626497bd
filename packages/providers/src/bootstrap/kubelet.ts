import { stringify } from "yaml";
import type { MachineTemplate } from "../provider.ts";

/** What a kubelet needs to know about its cluster. */
export interface KubeletInput {
  readonly apiServer: string;
  readonly caCertificatePem: string;
  readonly clusterDNS: string;
  readonly clusterDomain: string;
  readonly template: MachineTemplate;
  readonly poolName: string;
}

/** A KubeletConfiguration (kubelet.config.k8s.io/v1beta1) for a machine of the pool. */
export function kubeletConfiguration(input: KubeletInput): string {
  return stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" } },
    authorization: { mode: "Webhook" },
    clusterDNS: [input.clusterDNS],
    clusterDomain: input.clusterDomain,
    maxPods: input.template.pods,
    rotateCertificates: true,
    serverTLSBootstrap: true,
    cgroupDriver: "systemd",
    containerRuntimeEndpoint: "unix:///run/containerd/containerd.sock",
    registerWithTaints: (input.template.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
  });
}

/**
 * A KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1): iptables
 * mode, talking to the API with the kubeconfig the kubelet wrote for its
 * own certificate (kube-proxy starts again until that file exists).
 */
export function kubeProxyConfiguration(input: { kubeconfig: string; clusterCIDR: string }): string {
  return stringify({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clientConnection: { kubeconfig: input.kubeconfig },
    clusterCIDR: input.clusterCIDR,
  });
}

/** The kubeconfig the kubelet bootstraps with: the token, exchanged for a client certificate through a CSR. */
export function bootstrapKubeconfig(input: { apiServer: string; caCertificatePem: string; token: string }): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "cluster", cluster: { server: input.apiServer, "certificate-authority-data": Buffer.from(input.caCertificatePem).toString("base64") } }],
    users: [{ name: "kubelet-bootstrap", user: { token: input.token } }],
    contexts: [{ name: "bootstrap", context: { cluster: "cluster", user: "kubelet-bootstrap" } }],
    "current-context": "bootstrap",
  });
}

/** Node labels the kubelet registers with (the pool's own plus the pool marker). */
export function nodeLabels(template: MachineTemplate, poolName: string, clusterId: string): Record<string, string> {
  return { ...template.labels, "seedbed.dev/node-pool": poolName, "seedbed.dev/cluster-id": clusterId };
}
