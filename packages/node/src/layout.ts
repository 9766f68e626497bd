import { join } from "node:path";

/** Where a real node keeps everything: one directory, removed whole when it stops. */
export interface NodeLayout {
  readonly dir: string;
  readonly logDir: string;
  readonly imageDir: string;
  readonly containerd: {
    readonly config: string;
    readonly root: string;
    readonly state: string;
    readonly socket: string;
    /** runc's state (its --root), kept beside containerd's instead of in /run/containerd/runc. */
    readonly runcRoot: string;
  };
  readonly cni: {
    readonly confDir: string;
    /** host-local's address allocations. */
    readonly ipamDir: string;
  };
  readonly kubelet: {
    readonly config: string;
    readonly kubeconfig: string;
    readonly rootDir: string;
    readonly podLogsDir: string;
    readonly staticPodDir: string;
    readonly pkiDir: string;
  };
  readonly kubeProxy: {
    readonly config: string;
    readonly kubeconfig: string;
  };
  /** The NetworkPolicy agent's credentials (network-policies.ts). */
  readonly networkPolicies: {
    readonly kubeconfig: string;
  };
}

/** The layout of a node directory. */
export function nodeLayout(dir: string): NodeLayout {
  const containerd = join(dir, "containerd");
  const kubelet = join(dir, "kubelet");
  return {
    dir,
    logDir: join(dir, "logs"),
    imageDir: join(dir, "images"),
    containerd: {
      config: join(containerd, "config.toml"),
      root: join(containerd, "root"),
      state: join(containerd, "state"),
      // Unix socket paths are limited to 107 bytes: keep this one short.
      socket: join(containerd, "sock"),
      runcRoot: join(containerd, "runc"),
    },
    cni: { confDir: join(dir, "cni", "net.d"), ipamDir: join(dir, "cni", "ipam") },
    kubelet: {
      config: join(kubelet, "config.yaml"),
      kubeconfig: join(kubelet, "kubeconfig"),
      rootDir: join(kubelet, "root"),
      podLogsDir: join(kubelet, "pod-logs"),
      staticPodDir: join(kubelet, "manifests"),
      pkiDir: join(kubelet, "pki"),
    },
    kubeProxy: { config: join(dir, "kube-proxy", "config.yaml"), kubeconfig: join(dir, "kube-proxy", "kubeconfig") },
    networkPolicies: { kubeconfig: join(dir, "kube-network-policies", "kubeconfig") },
  };
}
