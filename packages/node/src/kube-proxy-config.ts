/** What a node's kube-proxy is told. */
export interface KubeProxyConfigInput {
  readonly kubeconfig: string;
  /** The cluster's pod CIDR: traffic to Services from outside it is masqueraded. */
  readonly clusterCIDR: string;
  /** The node's address in its namespace: health and metrics listen there. */
  readonly nodeAddress: string;
}

/**
 * Renders kube-proxy's KubeProxyConfiguration (JSON, read like YAML):
 * iptables mode inside the node's own network namespace.
 */
export function renderKubeProxyConfig(input: KubeProxyConfigInput): string {
  const config = {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clientConnection: { kubeconfig: input.kubeconfig },
    clusterCIDR: input.clusterCIDR,
    bindAddress: input.nodeAddress,
    healthzBindAddress: `${input.nodeAddress}:10256`,
    metricsBindAddress: `${input.nodeAddress}:10249`,
    // NodePorts answer on the node's address only (not on its loopback).
    nodePortAddresses: [`${input.nodeAddress}/32`],
    // The machine is itself a container: its conntrack table sizes are not
    // this namespace's to set (kube-proxy would fail writing them).
    conntrack: { maxPerCore: 0, min: 0 },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
