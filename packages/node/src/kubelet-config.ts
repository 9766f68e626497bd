import type { NodeLayout } from "./layout.ts";

/** What a node's kubelet is told besides its paths. */
export interface KubeletConfigInput {
  readonly layout: NodeLayout;
  /** The node's address in its namespace: the kubelet's API (logs, exec, metrics; port 10250) and /healthz (10248) listen there. */
  readonly address: string;
  /** The cluster's DNS Service, for pods' resolv.conf. */
  readonly clusterDNS?: { readonly address: string; readonly domain: string };
  /** The parent of the node's pod cgroups in every hierarchy, e.g. /seedbed-ab12cd; must exist. */
  readonly cgroupRoot: string;
  /** The cluster CA, which signed the API server's client certificate for kubelet calls. */
  readonly clientCAFile: string;
  /** The serving certificate; without one the kubelet asks the cluster for it (serverTLSBootstrap in `base`). */
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  /**
   * The KubeletConfiguration a machine's user data carries (a cloud machine
   * would run it as is): what must differ on this machine (cgroups, the
   * runtime's socket, addresses, directories) is laid over it.
   */
  readonly base?: Readonly<Record<string, unknown>>;
  /** Watch the static pod directory for manifests. */
  readonly staticPods: boolean;
}

/**
 * Renders the KubeletConfiguration (as JSON, which the kubelet reads like
 * YAML). Everything the kubelet writes goes under the node's directory,
 * except what the kubelet hard-codes (see docs/real-nodes.md).
 */
export function renderKubeletConfig(input: KubeletConfigInput): string {
  const { layout } = input;
  const local = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // Since 1.35 the kubelet refuses cgroup v1 unless told otherwise; these
    // machines have hybrid v1 cgroups.
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    // Its own cgroup parent, so several nodes share a machine and stopping
    // one removes exactly its cgroups.
    cgroupRoot: input.cgroupRoot,
    containerRuntimeEndpoint: `unix://${layout.containerd.socket}`,
    address: input.address,
    readOnlyPort: 0,
    healthzBindAddress: input.address,
    ...(input.clusterDNS ? { clusterDNS: [input.clusterDNS.address], clusterDomain: input.clusterDNS.domain } : {}),
    ...(input.tlsCertFile === undefined ? {} : { tlsCertFile: input.tlsCertFile, tlsPrivateKeyFile: input.tlsPrivateKeyFile }),
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: input.clientCAFile } },
    authorization: { mode: "Webhook" },
    podLogsDir: layout.kubelet.podLogsDir,
    ...(input.staticPods ? { staticPodPath: layout.kubelet.staticPodDir, fileCheckFrequency: "2s" } : {}),
    failSwapOn: false,
    // The kubelet would otherwise add KUBE-* chains to the host's iptables.
    makeIPTablesUtilChains: false,
    serializeImagePulls: false,
    // Images are imported, never pulled: keep them however full the disk is.
    imageGCHighThresholdPercent: 100,
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
    // A test waits for these: report sooner than the 10 s / 40 s defaults.
    nodeStatusUpdateFrequency: "2s",
    nodeStatusReportFrequency: "10s",
    syncFrequency: "10s",
  };
  return `${JSON.stringify({ ...input.base, ...local }, null, 2)}\n`;
}
