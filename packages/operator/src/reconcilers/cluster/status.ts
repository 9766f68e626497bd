import { ClusterConditions, ClusterReasons, isUpgradeUnderway, type Cluster, type ClusterUpgradeStatus } from "@seedbed/api";
import type { ComponentHealth, ControlPlaneObservation } from "@seedbed/controlplane";
import type { ConditionInput } from "@seedbed/runtime";

/** What one reconcile pass observed, as the status computation needs it. */
export interface ClusterObservation {
  /** Set when the spec cannot be built (terminal). */
  readonly invalidSpec?: { readonly reason: string; readonly message: string };
  /** Set while the cluster cannot be placed yet (its seed is full): phase Pending. */
  readonly waitingForPlacement?: { readonly reason: string; readonly message: string };
  readonly certificatesReady: boolean;
  readonly controlPlane?: ControlPlaneObservation;
  readonly deleting: boolean;
  /** The version the spec asks for (pinned), when it could be resolved. */
  readonly version?: string;
  /** The SpecSupported condition of this pass (see support.ts); informational, not part of Ready. */
  readonly supported?: ConditionInput;
  /** DatastoreWithinLimit of a cluster on a Shared datastore (datastore-limit.ts); informational, not part of Ready. */
  readonly datastoreLimit?: ConditionInput | undefined;
  /** Set while an EtcdRestore puts the cluster's etcd back to a snapshot: what it restores. */
  readonly restoring?: string;
  /** The cluster's upgrade record after this pass (see upgrade/steps.ts): condition Upgrade, and phase Upgrading while one runs. */
  readonly upgrade?: ClusterUpgradeStatus;
  /** While an upgrade runs: the version the whole control plane runs, as the upgrade decided (status.version). */
  readonly runningVersion?: string;
}

/** The phase and conditions a Cluster should show. */
export interface ComputedClusterStatus {
  readonly phase: NonNullable<Cluster["status"]>["phase"];
  readonly conditions: ConditionInput[];
  /** The version the whole control plane runs: the spec's once every component is ready on it, else what it ran before. */
  readonly version?: string;
}

/** What the status said before this pass, as far as the computation needs it. */
export type PreviousClusterStatus = Pick<NonNullable<Cluster["status"]>, "phase" | "version"> | undefined;

/** Phases in which the cluster has served before (so a component down means Degraded, not Provisioning). */
const servedPhases: ReadonlySet<string> = new Set(["Running", "Degraded", "Upgrading", "Restoring"]);

/** Condition Upgrade from the upgrade record. */
export function upgradeCondition(upgrade: ClusterUpgradeStatus): ConditionInput {
  const type = ClusterConditions.Upgrade;
  const message = upgrade.message ?? "";
  switch (upgrade.phase) {
    case "Completed":
      return { type, status: "True", reason: ClusterReasons.Upgraded, message };
    case "RolledBack":
      return { type, status: "True", reason: ClusterReasons.RolledBack, message };
    case "Failed":
      return { type, status: "False", reason: ClusterReasons.UpgradeFailed, message };
    case "RollingBack":
      return { type, status: "False", reason: ClusterReasons.RollingBack, message: `step ${upgrade.step}: ${message}` };
    default:
      return { type, status: "False", reason: ClusterReasons.Upgrading, message: `step ${upgrade.step}: ${message}` };
  }
}

function componentCondition(type: string, component: ComponentHealth | undefined, what: string): ConditionInput {
  if (!component) return { type, status: "False", reason: ClusterReasons.WaitingForDependency, message: `${what} has not been started yet` };
  if (component.ready) return { type, status: "True", reason: ClusterReasons.Ready, message: `${what} is healthy` };
  if (component.running) return { type, status: "False", reason: ClusterReasons.Provisioning, message: component.message ?? `${what} is starting` };
  return { type, status: "False", reason: ClusterReasons.Restarting, message: component.message ?? `${what} is not running and is being restarted` };
}

function controlPlaneCondition(components: readonly ComponentHealth[]): ConditionInput {
  const controllers = ["kube-controller-manager", "kube-scheduler"].map((name) => replicasOf(components, name)).filter((c): c is ComponentHealth => c !== undefined);
  const notReady = controllers.filter((c) => !c.ready);
  if (controllers.length === 2 && notReady.length === 0) {
    return { type: ClusterConditions.ControlPlaneReady, status: "True", reason: ClusterReasons.Ready, message: "kube-controller-manager and kube-scheduler are healthy" };
  }
  const names = controllers.length === 2 ? notReady.map((c) => c.name).join(" and ") : "kube-controller-manager and kube-scheduler";
  const restarting = notReady.some((c) => !c.running);
  // What each says about itself (an image that cannot be pulled, a crash loop, a pod nowhere to go) is what a user acts on.
  const why = notReady.map((c) => c.message).filter((m): m is string => m !== undefined);
  return { type: ClusterConditions.ControlPlaneReady, status: "False", reason: restarting ? ClusterReasons.Restarting : ClusterReasons.Provisioning, message: `waiting for ${names}${why.length > 0 ? `: ${why.join("; ")}` : ""}` };
}

function availableCondition(apiServer: ComponentHealth | undefined, endpoint: string | undefined): ConditionInput {
  if (apiServer?.serving ?? apiServer?.ready ?? false) return { type: ClusterConditions.Available, status: "True", reason: ClusterReasons.Ready, message: `the API answers at ${endpoint ?? "?"}` };
  return { type: ClusterConditions.Available, status: "False", reason: apiServer === undefined ? ClusterReasons.WaitingForDependency : ClusterReasons.Provisioning, message: "kube-apiserver does not answer yet" };
}

/** The status of a cluster that is not built on this pass: deleting, failed on its spec, or waiting to be placed; undefined otherwise. */
function notBuilt(observed: ClusterObservation, previous: PreviousClusterStatus): ComputedClusterStatus | undefined {
  const version = previous?.version;
  if (observed.deleting) {
    return { phase: "Deleting", conditions: [{ type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.Deleting, message: "the control plane is being removed" }], version };
  }
  if (observed.invalidSpec) {
    const { reason, message } = observed.invalidSpec;
    return {
      phase: "Failed",
      conditions: [
        { type: ClusterConditions.SpecValid, status: "False", reason, message },
        { type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.InvalidSpec, message: `the spec cannot be built: ${message}` },
      ],
      version,
    };
  }
  if (observed.waitingForPlacement) {
    const { reason, message } = observed.waitingForPlacement;
    return { phase: "Pending", conditions: [{ type: ClusterConditions.Ready, status: "False", reason, message }], version };
  }
  return undefined;
}

/**
 * A component and its replicas ("etcd", "etcd-m1", …; "kube-apiserver",
 * "kube-apiserver-1", …) as one: ready when every one is, serving while
 * any one serves, the first one's message that is not ready.
 */
function replicasOf(components: readonly ComponentHealth[], name: string): ComponentHealth | undefined {
  const all = components.filter((c) => c.name === name || c.name.startsWith(`${name}-`));
  const [first] = all;
  if (first === undefined || all.length === 1) return first;
  const notReady = all.find((c) => !c.ready);
  return {
    name,
    running: all.every((c) => c.running),
    ready: notReady === undefined,
    serving: all.some((c) => c.serving ?? c.ready),
    restarts: all.reduce((sum, c) => sum + c.restarts, 0),
    ...(notReady?.message === undefined ? {} : { message: notReady.message }),
    ...(all.every((c) => c.version === first.version) && first.version !== undefined ? { version: first.version } : {}),
  };
}

/** The conditions a built cluster's Ready summarises, in a stable order. */
function partConditions(observed: ClusterObservation): ConditionInput[] {
  const components = observed.controlPlane?.components ?? [];
  const byName = (name: string): ComponentHealth | undefined => replicasOf(components, name);
  const quorumLost = observed.controlPlane?.quorumLost;
  return [
    { type: ClusterConditions.SpecValid, status: "True", reason: "Valid", message: "" },
    observed.certificatesReady
      ? { type: ClusterConditions.CertificatesReady, status: "True", reason: ClusterReasons.Ready, message: "CAs, certificates and kubeconfigs are issued" }
      : { type: ClusterConditions.CertificatesReady, status: "False", reason: ClusterReasons.Provisioning, message: "issuing the cluster's CAs and certificates" },
    quorumLost === undefined
      ? componentCondition(ClusterConditions.EtcdReady, byName("etcd"), "etcd")
      : { type: ClusterConditions.EtcdReady, status: "False", reason: ClusterReasons.QuorumLost, message: quorumLost },
    componentCondition(ClusterConditions.APIServerReady, byName("kube-apiserver"), "kube-apiserver"),
    controlPlaneCondition(components),
    availableCondition(byName("kube-apiserver"), observed.controlPlane?.endpoint),
  ];
}

/** Ready from the other conditions: True when all hold, else the first reason (Restoring or Upgrading while one runs) and what it waits for. */
function readyCondition(parts: readonly ConditionInput[], endpoint: string | undefined, upgrade: { from: string; to: string } | undefined, restoring: string | undefined): ConditionInput {
  const notReady = parts.filter((c) => c.status !== "True");
  if (notReady.length === 0) return { type: ClusterConditions.Ready, status: "True", reason: ClusterReasons.Ready, message: `the cluster's API serves at ${endpoint ?? "?"}` };
  const waitingFor = `waiting for ${notReady.map((c) => c.type).join(", ")}`;
  if (restoring !== undefined) return { type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.Restoring, message: `${restoring}: ${waitingFor}` };
  if (upgrade) return { type: ClusterConditions.Ready, status: "False", reason: ClusterReasons.Upgrading, message: `upgrading from ${upgrade.from} to ${upgrade.to}: ${waitingFor}` };
  return { type: ClusterConditions.Ready, status: "False", reason: notReady[0]?.reason ?? ClusterReasons.Provisioning, message: waitingFor };
}

/**
 * Computes a Cluster's conditions, phase and running version from what was
 * observed. Pure: status is computed from the world, never accumulated
 * (STYLE.md habit 4). The previous status tells a cluster that broke
 * (Degraded) or rolls to a new version (Upgrading) from one still coming up.
 * SpecSupported is reported but never holds Ready back: a cluster with
 * fields its seed does not carry out runs without them.
 */
export function computeClusterStatus(observed: ClusterObservation, previous: PreviousClusterStatus): ComputedClusterStatus {
  const early = notBuilt(observed, previous);
  if (early) return early;
  const parts = partConditions(observed);
  const ready = parts.every((c) => c.status === "True");
  const record = observed.upgrade;
  const underway = isUpgradeUnderway(record);
  const upgrade = upgradeUnderway(observed, previous, ready);
  const restoring = ready ? undefined : observed.restoring;
  const conditions = [...parts, readyCondition(parts, observed.controlPlane?.endpoint, upgrade, restoring)];
  if (observed.supported) conditions.splice(1, 0, observed.supported);
  if (record !== undefined) conditions.push(upgradeCondition(record));
  if (observed.datastoreLimit) conditions.push(observed.datastoreLimit);
  const phase = phaseOf({ restoring: restoring !== undefined, upgrading: underway || (!ready && upgrade !== undefined), ready, served: servedPhases.has(previous?.phase ?? "") });
  // An upgrade decides when the control plane runs its new version; otherwise it is the spec's once every component is ready.
  const version = record !== undefined && observed.runningVersion !== undefined ? observed.runningVersion : ready ? observed.version : previous?.version;
  return { phase, conditions, version };
}

/** The phase: a restore, then an upgrade, take precedence over readiness; a cluster that served before and is not ready now is Degraded. */
function phaseOf(is: { restoring: boolean; upgrading: boolean; ready: boolean; served: boolean }): ComputedClusterStatus["phase"] {
  if (is.restoring) return "Restoring";
  if (is.upgrading) return "Upgrading";
  if (is.ready) return "Running";
  return is.served ? "Degraded" : "Provisioning";
}

/** The versions an upgrade moves between, while one runs: from its record, or (a cluster never upgraded by a record) a spec version not ready yet. */
function upgradeUnderway(observed: ClusterObservation, previous: PreviousClusterStatus, ready: boolean): { from: string; to: string } | undefined {
  const record = observed.upgrade;
  if (record !== undefined && isUpgradeUnderway(record)) return record.rollback === true ? { from: record.to, to: record.from } : { from: record.from, to: record.to };
  const from = previous?.version;
  const to = observed.version;
  return !ready && from !== undefined && to !== undefined && from !== to ? { from, to } : undefined;
}

/** A Cluster's status fields. */
type ClusterStatusFields = Partial<NonNullable<Cluster["status"]>>;

/**
 * The status with `fields` laid over `previous`: a field given as
 * undefined is removed, since what it reported no longer holds (a node
 * endpoint the driver stopped reporting). Removed, not left undefined:
 * an unchanged status then compares equal, and server-side apply drops a
 * field its manager no longer sends. Fields not given are kept.
 */
export function overlayStatus(previous: ClusterStatusFields | undefined, fields: ClusterStatusFields): ClusterStatusFields {
  const merged: Record<string, unknown> = { ...previous, ...fields };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** Where a built control plane is reached, as status fields: nodeEndpoint given as undefined (removed) when machines use the endpoint. */
export function endpointFields(controlPlane: ControlPlaneObservation): Pick<ClusterStatusFields, "endpoint" | "nodeEndpoint"> {
  return { endpoint: controlPlane.endpoint, nodeEndpoint: controlPlane.nodeEndpoint };
}
