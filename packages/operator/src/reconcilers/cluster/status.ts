import { ClusterConditions, ClusterReasons, type Cluster } from "@seedbed/api";
import type { ComponentHealth, ControlPlaneObservation } from "@seedbed/controlplane";
import type { ConditionInput } from "@seedbed/runtime";

/** What one reconcile pass observed, as the status computation needs it. */
export interface ClusterObservation {
  /** Set when the spec cannot be built (terminal). */
  readonly invalidSpec?: { readonly reason: string; readonly message: string };
  readonly certificatesReady: boolean;
  readonly controlPlane?: ControlPlaneObservation;
  readonly deleting: boolean;
}

/** The phase and conditions a Cluster should show. */
export interface ComputedClusterStatus {
  readonly phase: NonNullable<Cluster["status"]>["phase"];
  readonly conditions: ConditionInput[];
}

function componentCondition(type: string, component: ComponentHealth | undefined, what: string): ConditionInput {
  if (!component) return { type, status: "False", reason: ClusterReasons.WaitingForDependency, message: `${what} has not been started yet` };
  if (component.ready) return { type, status: "True", reason: ClusterReasons.Ready, message: `${what} is healthy` };
  if (component.running) return { type, status: "False", reason: ClusterReasons.Provisioning, message: component.message ?? `${what} is starting` };
  return { type, status: "False", reason: ClusterReasons.Restarting, message: component.message ?? `${what} is not running and is being restarted` };
}

function controlPlaneCondition(components: readonly ComponentHealth[]): ConditionInput {
  const controllers = components.filter((c) => c.name === "kube-controller-manager" || c.name === "kube-scheduler");
  const notReady = controllers.filter((c) => !c.ready);
  if (controllers.length === 2 && notReady.length === 0) {
    return { type: ClusterConditions.ControlPlaneReady, status: "True", reason: ClusterReasons.Ready, message: "kube-controller-manager and kube-scheduler are healthy" };
  }
  const names = controllers.length === 2 ? notReady.map((c) => c.name).join(" and ") : "kube-controller-manager and kube-scheduler";
  const restarting = notReady.some((c) => !c.running);
  return { type: ClusterConditions.ControlPlaneReady, status: "False", reason: restarting ? ClusterReasons.Restarting : ClusterReasons.Provisioning, message: `waiting for ${names}` };
}

/**
 * Computes a Cluster's conditions and phase from what was observed. Pure:
 * status is computed from the world, never accumulated (STYLE.md habit 4).
 * `wasRunning` tells a cluster that broke (Degraded) from one still coming up.
 */
export function computeClusterStatus(observed: ClusterObservation, wasRunning: boolean): ComputedClusterStatus {
  if (observed.deleting) {
    return { phase: "Deleting", conditions: [{ type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.Deleting, message: "the control plane is being removed" }] };
  }
  if (observed.invalidSpec) {
    const { reason, message } = observed.invalidSpec;
    return {
      phase: "Failed",
      conditions: [
        { type: ClusterConditions.SpecValid, status: "False", reason, message },
        { type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.InvalidSpec, message: `the spec cannot be built: ${message}` },
      ],
    };
  }
  const components = observed.controlPlane?.components ?? [];
  const byName = (name: string): ComponentHealth | undefined => components.find((c) => c.name === name);
  const conditions: ConditionInput[] = [
    { type: ClusterConditions.SpecValid, status: "True", reason: "Valid", message: "" },
    observed.certificatesReady
      ? { type: ClusterConditions.CertificatesReady, status: "True", reason: ClusterReasons.Ready, message: "CAs, certificates and kubeconfigs are issued" }
      : { type: ClusterConditions.CertificatesReady, status: "False", reason: ClusterReasons.Provisioning, message: "issuing the cluster's CAs and certificates" },
    componentCondition(ClusterConditions.EtcdReady, byName("etcd"), "etcd"),
    componentCondition(ClusterConditions.APIServerReady, byName("kube-apiserver"), "kube-apiserver"),
    controlPlaneCondition(components),
  ];
  const notReady = conditions.filter((c) => c.status !== "True");
  const ready = notReady.length === 0;
  conditions.push(
    ready
      ? { type: ClusterConditions.Ready, status: "True", reason: ClusterReasons.Ready, message: `the cluster's API serves at ${observed.controlPlane?.endpoint ?? "?"}` }
      : { type: ClusterConditions.Ready, status: "False", reason: notReady[0]?.reason ?? ClusterReasons.Provisioning, message: `waiting for ${notReady.map((c) => c.type).join(", ")}` },
  );
  return { phase: ready ? "Running" : wasRunning ? "Degraded" : "Provisioning", conditions };
}
