import { stringify } from "yaml";
import { bootstrapKubeconfig, kubeletConfiguration, nodeLabels, type KubeletInput } from "./kubelet.ts";

/** Everything a fresh machine needs to join: the kubelet input plus its token and identity. */
export interface CloudInitInput extends KubeletInput {
  readonly token: string;
  readonly kubernetesVersion: string;
  readonly clusterId: string;
}

/**
 * cloud-init user data that installs nothing and assumes an image with
 * containerd and kubelet <version> (as image builders such as
 * kubernetes-sigs/image-builder produce): it writes the CA, the bootstrap
 * kubeconfig and the kubelet configuration, then starts the kubelet, which
 * registers the Node with the pool's labels and asks for its certificate.
 */
export function cloudInitUserData(input: CloudInitInput): string {
  const labels = Object.entries(nodeLabels(input.template, input.poolName, input.clusterId))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const config = {
    write_files: [
      { path: "/etc/kubernetes/pki/ca.crt", permissions: "0644", content: input.caCertificatePem },
      { path: "/etc/kubernetes/bootstrap-kubelet.conf", permissions: "0600", content: bootstrapKubeconfig({ apiServer: input.apiServer, caCertificatePem: input.caCertificatePem, token: input.token }) },
      { path: "/var/lib/kubelet/config.yaml", permissions: "0644", content: kubeletConfiguration(input) },
      {
        path: "/etc/systemd/system/kubelet.service.d/10-seedbed.conf",
        permissions: "0644",
        content: [
          "[Service]",
          "Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"",
          "Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"",
          `Environment="KUBELET_EXTRA_ARGS=--node-labels=${labels}"`,
          "ExecStart=",
          "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_EXTRA_ARGS",
          "",
        ].join("\n"),
      },
    ],
    runcmd: [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "kubelet"]],
  };
  return `#cloud-config\n# Seedbed: joins a machine to cluster ${input.clusterId} (kubelet ${input.kubernetesVersion}).\n${stringify(config)}`;
}
