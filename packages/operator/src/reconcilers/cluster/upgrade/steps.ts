// The upgrade of one cluster as a state machine recorded in status.upgrade:
// each step is written before it is acted on, so an operator killed at any
// point resumes at the step it recorded. Pure: the reconciler observes,
// these functions decide, the reconciler carries out (upgrade.ts).
import { isUpgradeUnderway, type ClusterUpgradeStatus, type UpgradeStep } from "@seedbed/api";
import type { ComponentHealth, ComponentVersions } from "@seedbed/controlplane";

/** What a cluster's spec and status say before a pass acts. */
export interface UpgradeStart {
  /** The pinned version the spec asks for. */
  readonly target: string;
  /** status.version: what the control plane runs (undefined while it was never Ready). */
  readonly running: string | undefined;
  readonly upgrade: ClusterUpgradeStatus | undefined;
  readonly snapshot: "Required" | "Skip";
  /** The UpgradePlan that changed spec.version, if one did. */
  readonly plan?: string;
  readonly now: string;
}

/** The version an upgrade record moves the cluster to: `to`, or `from` once it is rolled back. */
export function goalOf(upgrade: ClusterUpgradeStatus): string {
  return upgrade.rollback === true ? upgrade.from : upgrade.to;
}

/**
 * The upgrade to record when the spec asks for a version the control plane
 * does not run: a new upgrade, or the rollback of the last one when the
 * spec went back to the version it came from. Undefined when nothing new
 * starts (the cluster was never Ready, runs the target, or the record
 * already heads there; a stopped one stays stopped until the spec changes).
 */
export function beginUpgrade(start: UpgradeStart): ClusterUpgradeStatus | undefined {
  const { target, running, upgrade, now } = start;
  if (running === undefined) return undefined;
  if (upgrade !== undefined && isUpgradeUnderway(upgrade) && goalOf(upgrade) === target) return undefined;
  // The spec went back to the version the last upgrade came from: admission allows only that downgrade.
  if (upgrade !== undefined && upgrade.rollback !== true && target === upgrade.from && upgrade.phase !== "RolledBack") {
    const rollback: ClusterUpgradeStatus = { ...upgrade, phase: "RollingBack", rollback: true, step: "NodePools", message: `rolling back to ${upgrade.from}: node pools first`, startedTime: now, stepStartedTime: now };
    // The upgrade's completion is not the rollback's.
    delete rollback.completionTime;
    return rollback;
  }
  // A stopped record heading elsewhere gives way to the new target even when the control plane already runs it (the steps then pass at once).
  const stoppedElsewhere = upgrade?.phase === "Failed" && goalOf(upgrade) !== target;
  if (target === running && !stoppedElsewhere) return undefined;
  if (upgrade?.phase === "Failed" && goalOf(upgrade) === target) return undefined;
  return {
    from: running,
    to: target,
    phase: "Upgrading",
    step: start.snapshot === "Skip" ? "Etcd" : "Snapshot",
    message: start.snapshot === "Skip" ? "no pre-upgrade snapshot (spec.upgrade.snapshot is Skip)" : "taking the pre-upgrade snapshot",
    startedTime: now,
    stepStartedTime: now,
    ...(start.plan === undefined ? {} : { plan: start.plan }),
  };
}

/**
 * The versions to apply at an upgrade's step, in the Kubernetes
 * version-skew order: kube-apiserver is never older than the controllers
 * and never older than any kubelet. A rollback keeps kube-apiserver where
 * it was (`running`) until the machines are back, then the whole control
 * plane goes back.
 */
export function versionsAt(upgrade: ClusterUpgradeStatus, running: string): ComponentVersions {
  const { from, to } = upgrade;
  if (upgrade.rollback === true) {
    if (upgrade.step === "NodePools") return { apiServer: running, controllers: from };
    return { apiServer: from, controllers: from };
  }
  switch (upgrade.step) {
    case "Snapshot":
    case "Etcd":
      return { apiServer: from, controllers: from };
    case "APIServer":
      return { apiServer: to, controllers: from };
    default:
      return { apiServer: to, controllers: to };
  }
}

/** What a pass observed that an upgrade's step waits for. */
export interface UpgradeObservation {
  readonly components: readonly ComponentHealth[];
  /** Node pools following the cluster whose machines do not all run the node version yet, with their progress ("workers 1/3"). */
  readonly poolsBehind: readonly string[];
  /** The pre-upgrade EtcdBackup, once made. */
  readonly snapshot?: { readonly name: string; readonly phase?: string; readonly message?: string };
  /** The rollback's EtcdRestore, once made. */
  readonly restore?: { readonly name: string; readonly phase?: string; readonly message?: string };
  /** Whether the driver can restore etcd (a rollback restores the snapshot only where it can). */
  readonly canRestore: boolean;
  readonly etcdVersion: string;
  readonly now: string;
  /** spec.upgrade.deadline in milliseconds. */
  readonly deadlineMs: number;
}

/** What to make before the next step can be reached. */
export type UpgradeAction = "createSnapshot" | "createRestore";

/** The record after a pass, the version the control plane now runs, and what to do. */
export interface UpgradeAdvance {
  readonly upgrade: ClusterUpgradeStatus;
  /** status.version: changes only when every component runs the new version. */
  readonly running: string;
  readonly action?: UpgradeAction;
  /** The step changed (or the upgrade ended): worth an event. */
  readonly changed: boolean;
}

/** Every replica of the component ("kube-apiserver", "kube-apiserver-1", …) ready on `version`: the skew order holds for the slowest one. */
function componentAt(components: readonly ComponentHealth[], name: string, version: string): boolean {
  const replicas = components.filter((x) => x.name === name || (x.name.startsWith(`${name}-`) && /^\d+$/.test(x.name.slice(name.length + 1))));
  return replicas.length > 0 && replicas.every((c) => c.ready && c.version === version);
}

function why(components: readonly ComponentHealth[], names: readonly string[]): string {
  const messages = components.filter((c) => names.some((n) => c.name === n || c.name.startsWith(`${n}-`)) && !c.ready).map((c) => c.message ?? `${c.name} is not ready`);
  return messages.length > 0 ? `: ${messages.join("; ")}` : "";
}

/** Moves the record to `step` with its message (a new step restarts stepStartedTime). */
function to(upgrade: ClusterUpgradeStatus, step: UpgradeStep, message: string, now: string): ClusterUpgradeStatus {
  return { ...upgrade, step, message, stepStartedTime: step === upgrade.step ? upgrade.stepStartedTime : now };
}

/**
 * One pass of an upgrade under way: the step's wait checked against what
 * was observed, the next step (or the end) when it is met, and Failed when
 * the deadline passed first. A stopped upgrade changes nothing more.
 */
export function advanceUpgrade(upgrade: ClusterUpgradeStatus, running: string, seen: UpgradeObservation): UpgradeAdvance {
  if (!isUpgradeUnderway(upgrade)) return { upgrade, running, changed: false };
  const next = upgrade.rollback === true ? rollbackStep(upgrade, running, seen) : upgradeStep(upgrade, running, seen);
  if (next.upgrade.step !== upgrade.step || next.upgrade.phase !== upgrade.phase) return { ...next, changed: true };
  const elapsed = Date.parse(seen.now) - Date.parse(upgrade.startedTime);
  if (elapsed > seen.deadlineMs) {
    const what = upgrade.rollback === true ? "the rollback" : "the upgrade";
    const message = `${what} stopped at step ${upgrade.step} after ${Math.round(elapsed / 60_000)} min, past its deadline (spec.upgrade.deadline): ${next.upgrade.message ?? ""}. Nothing more is changed; ${upgrade.rollback === true ? "fix the cause and set spec.version again, or restore a backup" : "roll it back with `seedbed cluster rollback`"}`;
    return { upgrade: { ...next.upgrade, phase: "Failed", message }, running: next.running, changed: true };
  }
  return { ...next, changed: false };
}

function upgradeStep(upgrade: ClusterUpgradeStatus, running: string, seen: UpgradeObservation): Omit<UpgradeAdvance, "changed"> {
  const { now } = seen;
  switch (upgrade.step) {
    case "Snapshot": {
      const snap = seen.snapshot;
      if (snap === undefined) return { upgrade: to(upgrade, "Snapshot", "taking the pre-upgrade snapshot", now), running, action: "createSnapshot" };
      if (snap.phase === "Completed") return { upgrade: to({ ...upgrade, snapshot: snap.name }, "Etcd", etcdMessage(seen), now), running };
      if (snap.phase === "Failed") return { upgrade: to({ ...upgrade, snapshot: snap.name }, "Snapshot", `the pre-upgrade snapshot ${snap.name} failed: ${snap.message ?? "see the EtcdBackup"}; the upgrade waits (set spec.upgrade.snapshot to Skip to go on without one, or roll back)`, now), running };
      return { upgrade: to({ ...upgrade, snapshot: snap.name }, "Snapshot", `taking the pre-upgrade snapshot ${snap.name}`, now), running };
    }
    case "Etcd":
      // One etcd serves every offered minor (tools/k8s/versions.json pins one): nothing to roll.
      return { upgrade: to(upgrade, "APIServer", `rolling kube-apiserver to ${upgrade.to}, one replica at a time`, now), running };
    case "APIServer":
      if (componentAt(seen.components, "kube-apiserver", upgrade.to)) return { upgrade: to(upgrade, "Controllers", `rolling kube-controller-manager and kube-scheduler to ${upgrade.to}`, now), running };
      return { upgrade: to(upgrade, "APIServer", `rolling kube-apiserver to ${upgrade.to}, one replica at a time${why(seen.components, ["kube-apiserver"])}`, now), running };
    case "Controllers":
      if (componentAt(seen.components, "kube-controller-manager", upgrade.to) && componentAt(seen.components, "kube-scheduler", upgrade.to) && componentAt(seen.components, "kube-apiserver", upgrade.to)) {
        // The control plane runs the new version: status.version says so, and node pools that follow it start rolling.
        return { upgrade: to(upgrade, "NodePools", `the control plane runs ${upgrade.to}; replacing machines of node pools`, now), running: upgrade.to };
      }
      return { upgrade: to(upgrade, "Controllers", `rolling kube-controller-manager and kube-scheduler to ${upgrade.to}${why(seen.components, ["kube-controller-manager", "kube-scheduler"])}`, now), running };
    case "NodePools":
      if (seen.poolsBehind.length === 0) return { upgrade: { ...to(upgrade, "Done", `upgraded from ${upgrade.from} to ${upgrade.to}`, now), phase: "Completed", completionTime: now }, running: upgrade.to };
      return { upgrade: to(upgrade, "NodePools", `replacing machines of node pools (updated/wanted): ${seen.poolsBehind.join(", ")}`, now), running: upgrade.to };
    default:
      return { upgrade: { ...upgrade, phase: "Completed", completionTime: upgrade.completionTime ?? now }, running: upgrade.to };
  }
}

function etcdMessage(seen: UpgradeObservation): string {
  return `etcd ${seen.etcdVersion} serves both versions: unchanged`;
}

/**
 * A rollback: machines back to `from` first (no kubelet may be newer than
 * kube-apiserver), then etcd restored from the pre-upgrade snapshot where
 * the driver can, then the control plane at `from`.
 */
function rollbackStep(upgrade: ClusterUpgradeStatus, running: string, seen: UpgradeObservation): Omit<UpgradeAdvance, "changed"> {
  const { now } = seen;
  switch (upgrade.step) {
    case "NodePools":
      if (seen.poolsBehind.length > 0) return { upgrade: to(upgrade, "NodePools", `rolling back to ${upgrade.from}: replacing machines of node pools first (updated/wanted): ${seen.poolsBehind.join(", ")}`, now), running };
      if (upgrade.snapshot !== undefined && seen.canRestore) return { upgrade: to(upgrade, "Snapshot", `rolling back to ${upgrade.from}: restoring etcd from the pre-upgrade snapshot ${upgrade.snapshot}`, now), running, action: "createRestore" };
      return { upgrade: to(upgrade, "APIServer", `rolling back to ${upgrade.from}: the control plane goes back; ${noRestoreReason(upgrade, seen)}`, now), running };
    case "Snapshot": {
      const restore = seen.restore;
      if (restore === undefined) return { upgrade: to(upgrade, "Snapshot", `rolling back to ${upgrade.from}: restoring etcd from the pre-upgrade snapshot ${upgrade.snapshot ?? "?"}`, now), running, action: "createRestore" };
      if (restore.phase === "Completed") return { upgrade: to({ ...upgrade, restore: restore.name }, "APIServer", `rolling back to ${upgrade.from}: etcd holds the pre-upgrade data again; the control plane goes back`, now), running };
      const failed = restore.phase === "Failed" ? `the restore ${restore.name} failed: ${restore.message ?? "see the EtcdRestore"}` : `restoring etcd from the pre-upgrade snapshot ${upgrade.snapshot ?? "?"} (EtcdRestore ${restore.name})`;
      return { upgrade: to({ ...upgrade, restore: restore.name }, "Snapshot", `rolling back to ${upgrade.from}: ${failed}`, now), running };
    }
    case "APIServer":
    case "Controllers":
      if (["kube-apiserver", "kube-controller-manager", "kube-scheduler"].every((name) => componentAt(seen.components, name, upgrade.from))) {
        return { upgrade: { ...to(upgrade, "Done", `rolled back from ${upgrade.to} to ${upgrade.from}`, now), phase: "RolledBack", completionTime: now }, running: upgrade.from };
      }
      return { upgrade: to(upgrade, upgrade.step, `rolling back to ${upgrade.from}: the control plane goes back${why(seen.components, ["kube-apiserver", "kube-controller-manager", "kube-scheduler"])}`, now), running };
    default:
      return { upgrade: { ...upgrade, phase: "RolledBack", completionTime: upgrade.completionTime ?? now }, running: upgrade.from };
  }
}

function noRestoreReason(upgrade: ClusterUpgradeStatus, seen: UpgradeObservation): string {
  if (upgrade.snapshot === undefined) return "no pre-upgrade snapshot was taken, so the data is kept (Kubernetes' storage versions allow one minor back)";
  if (!seen.canRestore) return `this seed cannot restore etcd yet, so the data is kept (Kubernetes' storage versions allow one minor back); the snapshot ${upgrade.snapshot} stays for a restore by hand`;
  return "";
}
