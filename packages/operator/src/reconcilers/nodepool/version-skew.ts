import { kubeletMinorsBehindAllowed, nodeVersionOf, type Cluster, type NodePool } from "@seedbed/api";
import { minorNumberOf, pinnedKubernetesVersion } from "@seedbed/binaries";

/** How many minors a kubelet may lag behind kube-apiserver: the number NodePool admission uses too. */
export const maxKubeletMinorsBehind: number = kubeletMinorsBehindAllowed;

/**
 * Why kubelets of `poolVersion` cannot join a control plane running
 * `controlPlaneVersion`, or undefined when they can: a kubelet must not be
 * newer than kube-apiserver, nor more than three minors older. Patch
 * releases do not count. Pure.
 */
export function kubeletSkewProblem(poolVersion: string, controlPlaneVersion: string | undefined, pool: string): string | undefined {
  const kubelet = minorNumberOf(poolVersion);
  const apiserver = controlPlaneVersion === undefined ? undefined : minorNumberOf(controlPlaneVersion);
  if (kubelet === undefined || apiserver === undefined || controlPlaneVersion === undefined) return undefined;
  if (kubelet > apiserver) {
    return `spec.version ${poolVersion} of NodePool ${pool} is newer than its control plane (${controlPlaneVersion}): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.${apiserver} or older (or remove it to follow the cluster)`;
  }
  if (kubelet < apiserver - maxKubeletMinorsBehind) {
    return `spec.version ${poolVersion} of NodePool ${pool} is ${apiserver - kubelet} minors behind its control plane (${controlPlaneVersion}): kubelets may be at most ${maxKubeletMinorsBehind} minors older; set spec.version to 1.${apiserver - maxKubeletMinorsBehind} or newer (or remove it to follow the cluster)`;
  }
  return undefined;
}

/**
 * Why a pool's pinned spec.version cannot run beside its cluster, or
 * undefined: checked against the version kube-apiserver runs
 * (status.version, not spec.version, which an upgrade reaches only at its
 * end) and, while a rollback runs, against the version the control plane
 * goes back to (status.upgrade.from): kubelets go back first, and none may
 * be newer than kube-apiserver once it is back.
 */
export function poolSkewProblem(pool: Pick<NodePool, "metadata" | "spec">, cluster: Pick<Cluster, "metadata" | "status">): string | undefined {
  const pinned = pool.spec.version;
  if (pinned === undefined) return undefined;
  const name = pool.metadata.name ?? "";
  const running = kubeletSkewProblem(pinned, cluster.status?.version, name);
  if (running !== undefined) return running;
  const upgrade = cluster.status?.upgrade;
  if (upgrade?.phase !== "RollingBack") return undefined;
  const kubelet = minorNumberOf(pinned);
  const back = minorNumberOf(upgrade.from);
  if (kubelet === undefined || back === undefined || kubelet <= back) return undefined;
  return `spec.version ${pinned} of NodePool ${name} is newer than ${upgrade.from}, which Cluster ${cluster.metadata.name ?? ""} is rolling back to: a kubelet must not be newer than kube-apiserver; set spec.version to 1.${back} or older (or remove it to follow the cluster)`;
}

/**
 * The kubelet version a pool's machines run to (its status.version): its
 * own spec.version, pinned to the offered patch release as a Cluster's is
 * ("1.36" → "1.36.3"), else the version its cluster's control plane runs
 * (nodeVersionOf: the version a rollback goes back to while one runs).
 * Undefined while the cluster reports none.
 */
export function poolTargetVersion(pool: Pick<NodePool, "spec">, cluster: Pick<Cluster, "status">): string | undefined {
  const pinned = pool.spec.version;
  if (pinned === undefined) return nodeVersionOf(cluster);
  return pinnedKubernetesVersion(pinned) ?? pinned;
}
