import { stringify } from "yaml";
import { bootstrapKubeconfig, kubeletConfiguration, kubeProxyConfiguration, nodeLabels, type KubeletInput } from "./kubelet.ts";

/** Everything a fresh machine needs to join: the kubelet input plus its token and identity. */
export interface CloudInitInput extends KubeletInput {
  readonly token: string;
  readonly kubernetesVersion: string;
  readonly clusterId: string;
  /** The cluster's pod CIDR (network.podCIDR): kube-proxy tells pod traffic from outside traffic by it. */
  readonly podCIDR: string;
}

/** Where the user data puts what it writes; the local provider reads the same paths. */
export const machinePaths = {
  ca: "/etc/kubernetes/pki/ca.crt",
  bootstrapKubeconfig: "/etc/kubernetes/bootstrap-kubelet.conf",
  kubeletKubeconfig: "/etc/kubernetes/kubelet.conf",
  kubeletConfig: "/var/lib/kubelet/config.yaml",
  kubeletDropIn: "/etc/systemd/system/kubelet.service.d/10-seedbed.conf",
  kubeProxyConfig: "/var/lib/kube-proxy/config.yaml",
  kubeProxyUnit: "/etc/systemd/system/kube-proxy.service",
} as const;

/**
 * cloud-init user data that installs nothing and assumes an image with
 * containerd and kubelet <version> (as image builders such as
 * kubernetes-sigs/image-builder produce): it writes the CA, the bootstrap
 * kubeconfig and the kubelet configuration, then starts the kubelet, which
 * registers the Node with the pool's labels and asks for its certificate,
 * and kube-proxy, which runs with the kubelet's identity (the tenant binds
 * system:node-proxier to system:nodes) until add-ons run it as a DaemonSet.
 */
export function cloudInitUserData(input: CloudInitInput): string {
  const labels = Object.entries(nodeLabels(input.template, input.poolName, input.clusterId))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const config = {
    write_files: [
      { path: machinePaths.ca, permissions: "0644", content: input.caCertificatePem },
      { path: machinePaths.bootstrapKubeconfig, permissions: "0600", content: bootstrapKubeconfig({ apiServer: input.apiServer, caCertificatePem: input.caCertificatePem, token: input.token }) },
      { path: machinePaths.kubeletConfig, permissions: "0644", content: kubeletConfiguration(input) },
      { path: machinePaths.kubeProxyConfig, permissions: "0644", content: kubeProxyConfiguration({ kubeconfig: machinePaths.kubeletKubeconfig, clusterCIDR: input.podCIDR }) },
      {
        path: machinePaths.kubeletDropIn,
        permissions: "0644",
        content: [
          "[Service]",
          `Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=${machinePaths.bootstrapKubeconfig} --kubeconfig=${machinePaths.kubeletKubeconfig}"`,
          `Environment="KUBELET_CONFIG_ARGS=--config=${machinePaths.kubeletConfig}"`,
          `Environment="KUBELET_EXTRA_ARGS=--node-labels=${labels}"`,
          "ExecStart=",
          "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_EXTRA_ARGS",
          "",
        ].join("\n"),
      },
      {
        path: machinePaths.kubeProxyUnit,
        permissions: "0644",
        content: [
          "[Unit]",
          "Description=kube-proxy (Seedbed)",
          "After=kubelet.service",
          "[Service]",
          `ExecStart=/usr/bin/kube-proxy --config=${machinePaths.kubeProxyConfig}`,
          "Restart=always",
          "RestartSec=5",
          "[Install]",
          "WantedBy=multi-user.target",
          "",
        ].join("\n"),
      },
    ],
    runcmd: [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "kubelet"], ["systemctl", "enable", "--now", "kube-proxy"]],
  };
  return `#cloud-config\n# Seedbed: joins a machine to cluster ${input.clusterId} (kubelet ${input.kubernetesVersion}).\n${stringify(config)}`;
}
