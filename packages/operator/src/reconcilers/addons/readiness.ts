import type { KubernetesObject } from "@kubernetes/client-node";

/** Whether an add-on's workloads serve, and if not, which and why. */
export interface Readiness {
  readonly ready: boolean;
  /** The workloads that are not available yet, e.g. "Deployment kube-system/coredns: 0 of 2 replicas available". */
  readonly message?: string;
}

interface WorkloadStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly availableReplicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly desiredNumberScheduled?: number;
  readonly numberAvailable?: number;
  readonly updatedNumberScheduled?: number;
}

type Live = KubernetesObject & { spec?: { replicas?: number }; status?: WorkloadStatus };

/**
 * The readiness of a built-in add-on from its live objects: every
 * Deployment has its replicas updated and available, every DaemonSet runs
 * on every node it should. Objects without a workload status (ConfigMaps,
 * roles, Services) are ready once they exist. Pure.
 */
export function addonReadiness(rendered: readonly KubernetesObject[], live: (object: KubernetesObject) => KubernetesObject | undefined): Readiness {
  const problems = rendered.flatMap((object) => {
    const current = live(object);
    const name = `${object.kind ?? ""} ${object.metadata?.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata?.name ?? ""}`;
    if (current === undefined) return [`${name} is missing`];
    const problem = workloadProblem(current);
    return problem === undefined ? [] : [`${name}: ${problem}`];
  });
  return problems.length === 0 ? { ready: true } : { ready: false, message: problems.join("; ") };
}

function workloadProblem(object: Live): string | undefined {
  const generation = object.metadata?.generation ?? 0;
  switch (object.kind) {
    case "Deployment":
    case "StatefulSet":
      if ((object.status?.observedGeneration ?? 0) < generation) return notObserved;
      return replicasProblem(object);
    case "DaemonSet":
      if ((object.status?.observedGeneration ?? 0) < generation) return notObserved;
      return daemonSetProblem(object.status ?? {});
    default:
      return undefined;
  }
}

const notObserved = "its controller has not seen the last change yet";

/** A Deployment's or StatefulSet's replicas not all updated and available. */
function replicasProblem(object: Live): string | undefined {
  const status = object.status ?? {};
  const want = object.spec?.replicas ?? 1;
  const available = object.kind === "Deployment" ? status.availableReplicas ?? 0 : status.readyReplicas ?? 0;
  if ((status.updatedReplicas ?? 0) >= want && available >= want) return undefined;
  const hint = available === 0 ? ` (no node to run on, or its pods do not start: kubectl -n ${object.metadata?.namespace ?? ""} describe pods)` : "";
  return `${String(available)} of ${String(want)} replicas available${hint}`;
}

/** A DaemonSet not running, updated, on every node it should. */
function daemonSetProblem(status: WorkloadStatus): string | undefined {
  const want = status.desiredNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  return available < want || (status.updatedNumberScheduled ?? 0) < want ? `${String(available)} of ${String(want)} nodes run it` : undefined;
}
