import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { defaultKubernetesVersion, versions } from "./versions.ts";

/** The binaries Seedbed runs, each with the versions-file key that pins it. */
export type BinaryName =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "etcd"
  | "etcdutl"
  | "etcdctl"
  | "kwok"
  | "helm"
  | "kubelet"
  | "kube-proxy"
  | "cri-clean"
  | "pause"
  | "coredns"
  | "kube-network-policies"
  | "versitygw"
  | "distribution";

/** The tools/k8s/build.sh target that builds each binary. */
const buildTarget: Record<BinaryName, "kubernetes" | "node" | "etcd" | "kwok" | "helm" | "pause" | "coredns" | "netpol" | "versitygw" | "distribution"> = {
  "kube-apiserver": "kubernetes",
  "kube-controller-manager": "kubernetes",
  "kube-scheduler": "kubernetes",
  kubectl: "kubernetes",
  // A real node's binaries: a second multi-call binary, built only on request.
  kubelet: "node",
  "kube-proxy": "node",
  "cri-clean": "node",
  pause: "pause",
  // The DNS of the real seeds Seedbed runs on this machine.
  coredns: "coredns",
  // Each real node's NetworkPolicy enforcer.
  "kube-network-policies": "netpol",
  etcd: "etcd",
  etcdutl: "etcd",
  etcdctl: "etcd",
  kwok: "kwok",
  helm: "helm",
  // The S3 server of etcd backups.
  versitygw: "versitygw",
  // The OCI registry of the Helm add-on tests.
  distribution: "distribution",
};

/** The binary cache: $SEEDBED_BIN_DIR, or ~/.cache/seedbed/bin. */
export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_BIN_DIR ?? join(homedir(), ".cache", "seedbed", "bin");
}

/** The pinned version of a binary; Kubernetes components take an explicit one of the offered versions. */
export function binaryVersion(name: BinaryName, kubernetesVersion: string = defaultKubernetesVersion): string {
  const target = buildTarget[name];
  if (target === "kubernetes" || target === "node") return kubernetesVersion;
  return versions[target === "netpol" ? "kubeNetworkPolicies" : target];
}

/**
 * Absolute path of a pinned binary in the cache. Throws, naming the command
 * that builds it, when it is not there.
 */
export function binaryPath(name: BinaryName, options: { kubernetesVersion?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const version = binaryVersion(name, options.kubernetesVersion);
  const path = join(binDir(options.env), `${name}-v${version}`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const target = buildTarget[name];
    // make bins builds what every run needs; a real node's binaries only on request.
    const how = target === "node" || target === "pause" || target === "coredns" || target === "netpol" ? `\`tools/k8s/build.sh ${target}\`` : `\`make bins\` (or tools/k8s/build.sh ${target})`;
    throw new Error(`${name} v${version} is not built (looked for ${path}). Build it with ${how}; set SEEDBED_BIN_DIR if your cache is elsewhere.`);
  }
  return path;
}
