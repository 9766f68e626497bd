import { pinnedKubernetesVersion } from "@seedbed/binaries";
import type { Cluster, ClusterUpgradeStatus } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { watchOne } from "../watch-one.ts";
import { clustersPath } from "./clusters-api.ts";

/** What `cluster upgrade --wait` and `cluster rollback --wait` wait for. */
export type UpgradeGoal =
  /**
   * The upgrade to `pinned`. `previous` is the status.upgrade the cluster
   * had before the command changed spec.version: a record of an earlier
   * upgrade, which must not be taken for this one.
   */
  | { readonly kind: "upgrade"; readonly pinned: string; readonly previous?: ClusterUpgradeStatus }
  /** The rollback of the upgrade that came from `to`. */
  | { readonly kind: "rollback"; readonly to: string };

/** Where the upgrade or rollback waited for ended, once it has. */
export type UpgradeOutcome = { readonly done: true; readonly upgrade: ClusterUpgradeStatus } | { readonly done: false; readonly message: string };

/** What a wait has seen so far: the last line printed, and whether the rollback has begun. */
export interface UpgradeWatchState {
  printed?: string;
  rollingBack: boolean;
}

/** A new, empty wait state. */
export function newUpgradeWatch(): UpgradeWatchState {
  return { rollingBack: false };
}

/** "12s", "3m05s", "1h02m": a duration as progress lines show it. Pure. */
export function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${String(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${String(minutes)}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${String(Math.floor(minutes / 60))}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Whether `upgrade` is the record of the upgrade `goal` waits for (not an earlier one's). Pure. */
function isOurs(upgrade: ClusterUpgradeStatus, goal: UpgradeGoal): boolean {
  if (goal.kind === "rollback") return upgrade.from === goal.to || pinnedKubernetesVersion(upgrade.from) === pinnedKubernetesVersion(goal.to);
  if (pinnedKubernetesVersion(upgrade.to) !== goal.pinned) return false;
  // The reconciler records a new upgrade with a new startedTime; until it has, the old record is still there.
  return goal.previous === undefined || upgrade.startedTime !== goal.previous.startedTime;
}

/**
 * The progress line for a change of the cluster's status.upgrade — its
 * step and the step's message, after the time since the wait began, e.g.
 * "[12s] APIServer: rolling kube-apiserver (1 of 2 replicas at 1.37.1)" —
 * or undefined when nothing the wait follows has changed. Updates `state`.
 */
export function upgradeProgressLine(state: UpgradeWatchState, cluster: Cluster, goal: UpgradeGoal, sinceMs: number): string | undefined {
  const upgrade = cluster.status?.upgrade;
  if (upgrade === undefined || !isOurs(upgrade, goal)) return undefined;
  if (upgrade.phase === "RollingBack" || upgrade.rollback === true) state.rollingBack = true;
  // A rollback's wait starts on the record of the upgrade it undoes: only what follows is its progress.
  if (goal.kind === "rollback" && !state.rollingBack && upgrade.phase !== "RolledBack") return undefined;
  const key = `${upgrade.step}|${upgrade.message ?? ""}`;
  if (key === state.printed) return undefined;
  state.printed = key;
  return `[${elapsed(sinceMs)}] ${upgrade.step}${upgrade.message === undefined || upgrade.message === "" ? "" : `: ${upgrade.message}`}`;
}

/**
 * Whether the upgrade (or rollback) `goal` waits for has ended, and if it
 * did not succeed, why. An upgrade ends Completed, or Failed past its
 * deadline, or rolled back meanwhile; a rollback ends RolledBack, or
 * Failed once it had begun (status.upgrade.rollback, or RollingBack seen:
 * the record it starts from may say Failed already, that of the upgrade
 * it undoes). Pure but for `state`.
 */
export function upgradeOutcome(state: UpgradeWatchState, cluster: Cluster, goal: UpgradeGoal, name: string, project: string): UpgradeOutcome | undefined {
  const upgrade = cluster.status?.upgrade;
  if (upgrade === undefined || !isOurs(upgrade, goal)) return undefined;
  if (upgrade.phase === "RollingBack" || upgrade.rollback === true) state.rollingBack = true;
  const why = upgrade.message === undefined || upgrade.message === "" ? "no message recorded" : upgrade.message;
  if (goal.kind === "rollback") {
    if (upgrade.phase === "RolledBack") return { done: true, upgrade };
    if (upgrade.phase === "Failed" && state.rollingBack) return { done: false, message: `the rollback of cluster ${name} to ${upgrade.from} failed at step ${upgrade.step}: ${why}; see seedbed cluster get ${name} --project ${project}` };
    return undefined;
  }
  const rolledBack = { done: false, message: `the upgrade of cluster ${name} to ${upgrade.to} was rolled back to ${upgrade.from} meanwhile (spec.version set back); follow it: seedbed cluster rollback ${name} --project ${project} --wait` } as const;
  if (upgrade.rollback === true) return rolledBack;
  switch (upgrade.phase) {
    case "Completed":
      return { done: true, upgrade };
    case "Failed":
      return { done: false, message: `the upgrade of cluster ${name} to ${upgrade.to} failed at step ${upgrade.step}: ${why}; roll it back: seedbed cluster rollback ${name} --project ${project}` };
    case "RollingBack":
    case "RolledBack":
      return rolledBack;
    default:
      return undefined;
  }
}

/** How long an upgrade took by its own record, for the closing line. Pure. */
export function tookOf(upgrade: ClusterUpgradeStatus): string {
  if (upgrade.completionTime === undefined) return "";
  return ` in ${elapsed(new Date(upgrade.completionTime).getTime() - new Date(upgrade.startedTime).getTime())}`;
}

/**
 * Follows one Cluster, printing a line per change of its upgrade's step
 * and message, until the upgrade or rollback `goal` names has ended.
 * Resolves with the finished record; rejects with exit 8 when it failed,
 * 7 past the timeout (it goes on in the background).
 */
export async function waitForUpgrade(ctx: CommandContext, name: string, goal: UpgradeGoal, timeoutMs: number, now: () => number = Date.now): Promise<ClusterUpgradeStatus | undefined> {
  const state = newUpgradeWatch();
  const start = now();
  const what = goal.kind === "upgrade" ? "upgrade" : "rollback";
  const cluster = await watchOne<Cluster>(ctx, {
    path: clustersPath(ctx.namespace),
    name,
    kind: "cluster",
    timeoutMs,
    timeoutMessage: `gave up waiting for the ${what} of cluster ${name} after ${elapsed(timeoutMs)}; it goes on in the background (until its deadline, spec.upgrade.deadline): seedbed cluster get ${name} --project ${ctx.project}`,
    onEvent: (type, object, { resolve, reject }) => {
      if (type === "DELETED") {
        reject(new CliError(`cluster ${name} was deleted while we waited for its ${what}`, ExitCode.failed));
        return;
      }
      const line = upgradeProgressLine(state, object, goal, now() - start);
      const outcome = upgradeOutcome(state, object, goal, name, ctx.project);
      // The last step of a success ("Done: upgraded from …") is what the closing line says better.
      if (line !== undefined && outcome?.done !== true) ctx.out.write(`${line}\n`);
      if (outcome === undefined) return;
      if (outcome.done) resolve(object);
      else reject(new CliError(outcome.message, ExitCode.failed));
    },
  });
  return cluster?.status?.upgrade;
}
