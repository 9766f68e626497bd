import { minorNumberOf, minorOf, offeredKubernetesVersions, pinnedKubernetesVersion } from "@seedbed/binaries";
import { isUpgradeUnderway, type Cluster, type ClusterUpgradeStatus } from "@seedbed/api";
import { CliError, ExitCode } from "../../errors.ts";

// The checks `cluster upgrade` and `cluster rollback` make before they
// touch the cluster. Admission makes the same ones on spec.version (and
// has the last word); here they come first so that the message can name
// the flag, the cluster's own versions and the command that fixes it —
// and because admission cannot see a downgrade from a version the cluster
// took from its template or the platform default (spec.version unset).

/** The form admission accepts: MAJOR.MINOR or MAJOR.MINOR.PATCH of Kubernetes 1. */
const versionPattern = /^1\.(\d+)(?:\.(\d+))?$/;

/** What `cluster upgrade` is to do. */
export type UpgradeDecision =
  /** Set spec.version to `version`; the control plane goes from `from` (undefined: the cluster has not run yet). */
  | { readonly action: "upgrade"; readonly version: string; readonly pinned: string; readonly from: string | undefined }
  /** spec.version asks for this version already: nothing to patch (an upgrade to it may be under way). */
  | { readonly action: "already"; readonly pinned: string };

/** Where an upgrade command sends the user back to, in messages. */
export interface CheckSubject {
  readonly name: string;
  readonly project: string;
}

/** --version as given: checked for form and offered here, else a usage or invalid error naming the flag. Pure. */
export function offeredVersionFlag(value: string | undefined): { readonly version: string; readonly pinned: string } {
  const offered = offeredKubernetesVersions();
  if (value === undefined || value === "") throw new CliError(`--version is required: the Kubernetes version to upgrade to, one of ${offered.join(", ")}`, ExitCode.usage);
  if (!versionPattern.test(value)) throw new CliError(`--version must be MAJOR.MINOR or MAJOR.MINOR.PATCH, such as ${minorOf(offered[0] ?? "1.0.0")} or ${offered[0] ?? ""}; got "${value}"`, ExitCode.usage);
  const pinned = pinnedKubernetesVersion(value);
  if (pinned === undefined) throw new CliError(`--version ${value}: Kubernetes ${value.split(".").slice(0, 2).join(".")} is not offered here; choose one of ${offered.join(", ")}`, ExitCode.invalid);
  return { version: value, pinned };
}

/**
 * The version the cluster is at, for the skew check: spec.version when
 * set, else the version its control plane runs (a cluster that took its
 * version from a template or the default). Undefined before either exists.
 */
export function currentVersionOf(cluster: Cluster): string | undefined {
  return cluster.spec.version ?? cluster.status?.version;
}

/**
 * What `cluster upgrade NAME --version V` does to `cluster`, or the error
 * that says why not and what to do instead: a version not offered, a
 * downgrade, a skipped minor, another upgrade under way, a failed one
 * still in place. Pure.
 */
export function upgradeDecision(cluster: Cluster, flag: string | undefined, subject: CheckSubject): UpgradeDecision {
  const { version, pinned } = offeredVersionFlag(flag);
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${subject.name} is being deleted: nothing to upgrade`, ExitCode.failed);
  const current = currentVersionOf(cluster);
  const upgrade = cluster.status?.upgrade;
  if (current !== undefined && pinnedKubernetesVersion(current) === pinned) {
    if (upgrade?.phase === "Failed" && upgrade.rollback !== true && pinnedKubernetesVersion(upgrade.to) === pinned) {
      throw new CliError(`the upgrade of cluster ${subject.name} to ${upgrade.to} failed at step ${upgrade.step}: ${upgrade.message ?? "no message recorded"}; roll it back: seedbed cluster rollback ${subject.name} --project ${subject.project}`, ExitCode.failed);
    }
    return { action: "already", pinned };
  }
  checkLastUpgrade(upgrade, version, subject);
  if (current !== undefined) checkSkew(current, version, subject);
  return { action: "upgrade", version, pinned, from: current };
}

/** Refuses a new upgrade while the last one is under way, or Failed and not rolled back. */
function checkLastUpgrade(upgrade: ClusterUpgradeStatus | undefined, version: string, subject: CheckSubject): void {
  const where = `--project ${subject.project}`;
  if (isUpgradeUnderway(upgrade) && upgrade !== undefined) {
    const what = upgrade.phase === "RollingBack" ? `a rollback of cluster ${subject.name} to ${upgrade.from}` : `an upgrade of cluster ${subject.name} to ${upgrade.to}`;
    throw new CliError(`--version ${version}: ${what} is under way (step ${upgrade.step}); wait until it is done (seedbed cluster get ${subject.name} ${where}), then upgrade`, ExitCode.invalid);
  }
  // A failed rollback leaves spec.version at `from`: going forward again is the way out the operator names.
  if (upgrade?.phase === "Failed" && upgrade.rollback !== true) {
    throw new CliError(`--version ${version}: the last upgrade of cluster ${subject.name}, to ${upgrade.to}, failed (${upgrade.message ?? "see seedbed cluster get"}); roll it back first: seedbed cluster rollback ${subject.name} ${where}`, ExitCode.invalid);
  }
}

/** Refuses a downgrade and a skipped minor from `current` (the version-skew policy: one minor at a time, forward). */
function checkSkew(current: string, version: string, subject: CheckSubject): void {
  const from = minorNumberOf(current);
  const to = minorNumberOf(version);
  if (from === undefined || to === undefined) return;
  const where = `--project ${subject.project}`;
  if (to < from) {
    throw new CliError(`--version ${version}: cluster ${subject.name} is at ${current}, and Kubernetes does not downgrade; only the last upgrade can be undone, back to the version it came from: seedbed cluster rollback ${subject.name} ${where}`, ExitCode.invalid);
  }
  if (to > from + 1) {
    const next = pinnedKubernetesVersion(`1.${String(from + 1)}`);
    const first = next === undefined ? `1.${String(from + 1)} is not offered here, so this cluster cannot reach ${version}` : `upgrade to ${minorOf(next)} first (seedbed cluster upgrade ${subject.name} --version ${minorOf(next)} ${where} --wait), then to ${version}`;
    throw new CliError(`--version ${version}: cluster ${subject.name} is at ${current}, and upgrades go one minor at a time; ${first}`, ExitCode.invalid);
  }
}

/** What `cluster rollback` is to do. */
export type RollbackDecision =
  /** Set spec.version back to `to` (status.upgrade.from). */
  | { readonly action: "rollback"; readonly to: string; readonly upgrade: ClusterUpgradeStatus }
  /** A rollback is under way already: nothing to patch (--wait follows it). */
  | { readonly action: "already"; readonly upgrade: ClusterUpgradeStatus };

/**
 * What `cluster rollback NAME` does to `cluster`: spec.version back to the
 * version its last upgrade came from, while that upgrade is Upgrading,
 * Failed or Completed. Otherwise the error says why not. Pure.
 */
export function rollbackDecision(cluster: Cluster, subject: CheckSubject): RollbackDecision {
  const upgrade = cluster.status?.upgrade;
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${subject.name} is being deleted: nothing to roll back`, ExitCode.failed);
  if (upgrade === undefined) {
    throw new CliError(`cluster ${subject.name} has no upgrade to roll back (status.upgrade is empty): only the last upgrade can be undone, and this cluster has not been upgraded`, ExitCode.invalid);
  }
  switch (upgrade.phase) {
    case "RollingBack":
      return { action: "already", upgrade };
    case "Failed":
      if (upgrade.rollback === true) {
        throw new CliError(`the rollback of cluster ${subject.name} to ${upgrade.from} failed at step ${upgrade.step}: ${upgrade.message ?? "no message recorded"}`, ExitCode.failed);
      }
      return { action: "rollback", to: upgrade.from, upgrade };
    case "RolledBack":
      throw new CliError(`cluster ${subject.name} was rolled back to ${upgrade.from} already${upgrade.completionTime === undefined ? "" : ` (${upgrade.completionTime})`}: only the last upgrade can be undone, once`, ExitCode.invalid);
    default:
      return { action: "rollback", to: upgrade.from, upgrade };
  }
}
