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
  | "helm";

const buildTarget: Record<BinaryName, "kubernetes" | "etcd" | "kwok" | "helm"> = {
  "kube-apiserver": "kubernetes",
  "kube-controller-manager": "kubernetes",
  "kube-scheduler": "kubernetes",
  kubectl: "kubernetes",
  etcd: "etcd",
  etcdutl: "etcd",
  etcdctl: "etcd",
  kwok: "kwok",
  helm: "helm",
};

/** The binary cache: $SEEDBED_BIN_DIR, or ~/.cache/seedbed/bin. */
export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_BIN_DIR ?? join(homedir(), ".cache", "seedbed", "bin");
}

/** The pinned version of a binary; Kubernetes components take an explicit one of the offered versions. */
export function binaryVersion(name: BinaryName, kubernetesVersion: string = defaultKubernetesVersion): string {
  const target = buildTarget[name];
  return target === "kubernetes" ? kubernetesVersion : versions[target];
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
    throw new Error(
      `${name} v${version} is not built (looked for ${path}). Build it with \`make bins\` ` +
        `(or tools/k8s/build.sh ${buildTarget[name]}); set SEEDBED_BIN_DIR if your cache is elsewhere.`,
    );
  }
  return path;
}
