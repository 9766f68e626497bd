// Upgrade arithmetic for the cluster page and the bulk upgrade: pure,
// tested in versions.test.ts. The API decides; these only choose what to offer.
import type { ClusterUpgradeStatus } from "../api/types.ts";

/** The minor of a Kubernetes 1.x version ("1.37", "1.37.1", "v1.37.1" → 37); undefined for anything else. */
export function minorNumber(version: string): number | undefined {
  const match = /^v?1\.(\d+)(?:\.\d+)?$/.exec(version);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The offered version one minor above `running` (the first of `offered`
 * with that minor: the config lists newest first), or undefined when the
 * running version is unknown or the next minor is not offered.
 */
export function nextMinorOffer(running: string | undefined, offered: readonly string[]): string | undefined {
  const from = running === undefined ? undefined : minorNumber(running);
  if (from === undefined) return undefined;
  return offered.find((v) => minorNumber(v) === from + 1);
}

/** Whether an upgrade or a rollback is running now (another one would be refused with 409). */
export function upgradeUnderway(upgrade: ClusterUpgradeStatus | undefined): boolean {
  return upgrade?.phase === "Upgrading" || upgrade?.phase === "RollingBack";
}

/**
 * Whether POST …/rollback would set a version back, as the server's
 * rollbackTarget decides: while the last upgrade is Upgrading, Completed,
 * or Failed (not a failed rollback); not when there was none, or it was
 * rolled back already or is being rolled back.
 */
export function rollbackAllowed(upgrade: ClusterUpgradeStatus | undefined): boolean {
  if (upgrade === undefined) return false;
  if (upgrade.phase === "Failed") return upgrade.rollback !== true;
  return upgrade.phase === "Upgrading" || upgrade.phase === "Completed";
}

/** The steps of an upgrade, in order (packages/api upgrade.ts). */
export const upgradeSteps = ["Snapshot", "Etcd", "APIServer", "Controllers", "NodePools", "Done"] as const;

/** A rollback goes the other way: pools first, then the snapshot is restored, then the control plane. */
export const rollbackSteps = ["NodePools", "Snapshot", "Etcd", "APIServer", "Controllers", "Done"] as const;

/** Each step of the upgrade (or rollback) with whether it is done, under way or to come. */
export function stepStates(upgrade: ClusterUpgradeStatus): { step: string; state: "done" | "current" | "todo" }[] {
  const order: readonly string[] = upgrade.rollback === true || upgrade.phase === "RollingBack" || upgrade.phase === "RolledBack" ? rollbackSteps : upgradeSteps;
  const finished = upgrade.phase === "Completed" || upgrade.phase === "RolledBack";
  const at = order.indexOf(upgrade.step);
  return order.map((step, i) => ({ step, state: finished || i < at ? "done" : i === at ? "current" : "todo" }));
}
