/** How many minors a kubelet may lag behind kube-apiserver (Kubernetes' version skew policy since 1.28). */
export const maxKubeletMinorsBehind = 3;

function minorOf(version: string): number | undefined {
  const match = /^v?1\.(\d+)(\.\d+)?$/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/**
 * Why kubelets of `poolVersion` cannot join a control plane running
 * `controlPlaneVersion`, or undefined when they can: a kubelet must not be
 * newer than kube-apiserver, nor more than three minors older. Patch
 * releases do not count. Pure.
 */
export function kubeletSkewProblem(poolVersion: string, controlPlaneVersion: string | undefined, pool: string): string | undefined {
  const kubelet = minorOf(poolVersion);
  const apiserver = controlPlaneVersion === undefined ? undefined : minorOf(controlPlaneVersion);
  if (kubelet === undefined || apiserver === undefined || controlPlaneVersion === undefined) return undefined;
  if (kubelet > apiserver) {
    return `spec.version ${poolVersion} of NodePool ${pool} is newer than its control plane (${controlPlaneVersion}): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.${apiserver} or older (or remove it to follow the cluster)`;
  }
  if (kubelet < apiserver - maxKubeletMinorsBehind) {
    return `spec.version ${poolVersion} of NodePool ${pool} is ${apiserver - kubelet} minors behind its control plane (${controlPlaneVersion}): kubelets may be at most ${maxKubeletMinorsBehind} minors older; set spec.version to 1.${apiserver - maxKubeletMinorsBehind} or newer (or remove it to follow the cluster)`;
  }
  return undefined;
}
