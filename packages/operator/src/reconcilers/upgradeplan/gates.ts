import { ClusterConditions, isUpgradeUnderway, type Cluster } from "@seedbed/api";
import { isTarget } from "./versions.ts";
import type { PlanCluster } from "./waves.ts";

/**
 * The Cluster annotation holding status.controlPlaneRestarts as it was
 * when the cluster's soak began, as "<count>@<the upgrade's startedTime>"
 * (a baseline of an earlier upgrade is no baseline for this one): the
 * health gate's baseline, kept on the cluster so that the plan's own
 * per-cluster status stays small.
 */
export const restartsBaselineAnnotation = "seedbed.dev/upgrade-plan-restarts";

/** The annotation's value for a baseline of `restarts` during the upgrade that started at `startedTime`. */
export function baselineValue(restarts: number, startedTime: string): string {
  return `${String(restarts)}@${startedTime}`;
}

/** What judging one started cluster needs. */
export interface GateInput {
  /** The cluster's entry as the plan recorded it. */
  readonly entry: PlanCluster;
  /** The Cluster now; undefined when it is gone. */
  readonly cluster: Cluster | undefined;
  /** The plan's spec.version. */
  readonly target: string;
  /** The plan's name: an upgrade whose status.upgrade.plan names it is the one the plan started. */
  readonly plan?: string;
  readonly soakMs: number;
  readonly onFailure: "Halt" | "Rollback";
  readonly now: number;
}

/** A started cluster's standing in the plan, and what the reconciler must do about it. */
export interface GateOutcome {
  readonly entry: PlanCluster;
  /** When its soak ends (ms), while it soaks. */
  readonly soakEndsAt?: number;
  /** Record this restart baseline (restartsBaselineAnnotation's value): the cluster soaks and has none for this upgrade. */
  readonly recordBaseline?: string;
  /** Roll it back: set spec.version to this (its status.upgrade.from). */
  readonly rollbackTo?: string;
}

// Times written by two passes of the same operator; this much earlier still counts as the same upgrade.
const clockSlackMs = 2000;

type Upgrade = NonNullable<NonNullable<Cluster["status"]>["upgrade"]>;

/**
 * The cluster's status.upgrade if it is the upgrade the plan started: to
 * the plan's version, and under way or started since the plan started the
 * cluster (an older upgrade to the same version, rolled back, is not it).
 */
function ourUpgrade(input: GateInput): Upgrade | undefined {
  const upgrade = input.cluster?.status?.upgrade;
  if (upgrade === undefined || !isTarget(input.target, upgrade.to)) return undefined;
  if (isUpgradeUnderway(upgrade)) return upgrade;
  // Recorded by the Cluster reconciler from the plan's annotation: ours whatever the times say
  // (a pass that read the plan from a stale cache may have written a later startedTime).
  if (input.plan !== undefined && upgrade.plan === input.plan) return upgrade;
  const started = Date.parse(input.entry.startedTime ?? "");
  return Number.isNaN(started) || Date.parse(upgrade.startedTime) >= started - clockSlackMs ? upgrade : undefined;
}

/** The first health gate a soaking cluster fails, in words; undefined when it passes them all. */
export function failedGate(cluster: Cluster, baseline: number | undefined): string | undefined {
  const conditions = cluster.status?.conditions ?? [];
  for (const type of [ClusterConditions.Ready, ClusterConditions.Upgrade]) {
    const condition = conditions.find((c) => c.type === type);
    if (condition?.status !== "True") return `condition ${type} is ${condition?.status ?? "missing"}${condition === undefined ? "" : ` (${condition.reason}${condition.message === "" ? "" : `: ${condition.message}`})`}`;
  }
  const nodes = cluster.status?.nodes;
  if (nodes !== undefined && nodes.ready !== nodes.total) return `${String(nodes.ready)} of ${String(nodes.total)} nodes are Ready`;
  const restarts = cluster.status?.controlPlaneRestarts ?? 0;
  if (baseline !== undefined && restarts > baseline) return `the control plane restarted ${String(restarts - baseline)} time(s) during the soak`;
  return undefined;
}

/** The restart baseline recorded on the cluster for the upgrade that started at `startedTime`, if any. */
function baselineOf(cluster: Cluster, startedTime: string): number | undefined {
  const match = /^(\d+)@(.+)$/.exec(cluster.metadata.annotations?.[restartsBaselineAnnotation] ?? "");
  return match !== null && match[2] === startedTime ? Number(match[1]) : undefined;
}

/**
 * Where a cluster the plan started stands, from the Cluster as it is now:
 * Upgrading while its status.upgrade to the plan's version runs (or has
 * not been recorded yet); Failed when that upgrade failed (past its
 * deadline), is rolling back, or a health gate fails during the soak
 * (Ready and Upgrade True, every Node Ready, no control-plane restart
 * since the soak began), or when the cluster is gone; Soaking from the
 * upgrade's completion until soak has passed, then Upgraded; RolledBack
 * once its rollback finished. Upgraded and RolledBack are final, and a
 * Failed cluster only goes on to RolledBack: a gate that passes again
 * does not undo a failure the plan counted. With onFailure Rollback, a
 * failed cluster is rolled back to the version it came from. Pure.
 */
export function judgeCluster(input: GateInput): GateOutcome {
  const { entry, cluster } = input;
  if (!isJudged(entry)) return { entry };
  if (cluster === undefined) return { entry: { ...entry, state: "Failed", message: entry.state === "Failed" ? entry.message : "the Cluster was deleted while the plan upgraded it" } };
  const upgrade = ourUpgrade(input);
  if (upgrade?.phase === "RolledBack") return { entry: { ...entry, state: "RolledBack", message: `rolled back to ${upgrade.from}` } };
  if (entry.state === "Failed") return failed(input, upgrade?.rollback === true && upgrade.phase === "Failed" ? rollbackStopped(upgrade) : (entry.message ?? "failed"), upgrade);
  if (upgrade === undefined) return notStartedYet(input, cluster);
  switch (upgrade.phase) {
    case "Upgrading":
      return { entry: { ...entry, state: "Upgrading", message: `step ${upgrade.step}${upgrade.message === undefined ? "" : `: ${upgrade.message}`}` } };
    case "Failed":
      return failed(input, upgrade.rollback === true ? rollbackStopped(upgrade) : `the upgrade failed: ${upgrade.message ?? "past its deadline"}`, upgrade);
    case "RollingBack":
      return failed(input, `rolling back to ${upgrade.from}`, upgrade);
    default:
      return soak(input, cluster, upgrade);
  }
}

/** Whether the entry's state follows its cluster: started, and not final. */
function isJudged(entry: PlanCluster): boolean {
  return entry.state === "Upgrading" || entry.state === "Soaking" || entry.state === "Failed";
}

function rollbackStopped(upgrade: Upgrade): string {
  return `its rollback to ${upgrade.from} stopped: ${upgrade.message ?? "past its deadline"}`;
}

/**
 * A started cluster with no upgrade of the plan's recorded: not begun yet
 * (the usual case, for a moment); or one that never ran and came up at
 * the target without an upgrade (it soaks from now); or one whose earlier
 * upgrade to the target had stopped before the plan started it, which the
 * Cluster reconciler leaves stopped (a failure the plan cannot mend).
 */
function notStartedYet(input: GateInput, cluster: Cluster): GateOutcome {
  const stale = cluster.status?.upgrade;
  if (stale !== undefined && isTarget(input.target, stale.to) && stale.phase === "Failed" && stale.rollback !== true) {
    return failed(input, `its upgrade to ${stale.to} had stopped before the plan started it: ${stale.message ?? "past its deadline"}`, stale);
  }
  if (stale === undefined && isTarget(input.target, cluster.status?.version) && isTarget(input.target, cluster.spec.version)) {
    const since = input.entry.upgradedTime ?? new Date(input.now).toISOString();
    return soak(input, cluster, { from: input.entry.from ?? "", to: cluster.status?.version ?? input.target, phase: "Completed", step: "Done", startedTime: input.entry.startedTime ?? since, completionTime: since });
  }
  return { entry: { ...input.entry, state: "Upgrading", message: `waiting for the cluster to start its upgrade to ${input.target}` } };
}

/** A cluster that completed its upgrade: soaking, Upgraded once the soak passed, Failed when a gate fails. */
function soak(input: GateInput, cluster: Cluster, upgrade: Upgrade): GateOutcome {
  const completed = Date.parse(upgrade.completionTime ?? input.entry.upgradedTime ?? "");
  const upgradedTime = Number.isNaN(completed) ? new Date(input.now).toISOString() : new Date(completed).toISOString();
  const entry = { ...input.entry, upgradedTime };
  const baseline = baselineOf(cluster, upgrade.startedTime);
  const gate = failedGate(cluster, baseline);
  if (gate !== undefined) return failed({ ...input, entry }, `failed its health gate during the soak: ${gate}`, upgrade);
  const soakEndsAt = Date.parse(upgradedTime) + input.soakMs;
  const recordBaseline = baseline === undefined ? { recordBaseline: baselineValue(cluster.status?.controlPlaneRestarts ?? 0, upgrade.startedTime) } : {};
  if (input.now >= soakEndsAt) return { entry: { ...entry, state: "Upgraded", message: `at ${cluster.status?.version ?? input.target}; healthy through the soak` }, ...recordBaseline };
  return { entry: { ...entry, state: "Soaking", message: `healthy; soaks until ${new Date(soakEndsAt).toISOString()}` }, soakEndsAt, ...recordBaseline };
}

/** A failed cluster, rolled back with onFailure Rollback (once: not when its spec.version already went back). */
function failed(input: GateInput, message: string, upgrade: Upgrade | undefined): GateOutcome {
  const entry = { ...input.entry, state: "Failed" as const, message };
  const from = upgrade?.from;
  const stillAtTarget = isTarget(input.target, input.cluster?.spec.version);
  const rollable = upgrade !== undefined && upgrade.rollback !== true && (upgrade.phase === "Failed" || upgrade.phase === "Completed");
  if (input.onFailure !== "Rollback" || from === undefined || !stillAtTarget || !rollable) return { entry };
  const saying = `; rolling back to ${from}`;
  return { entry: { ...entry, message: message.endsWith(saying) ? message : `${message}${saying}` }, rollbackTo: from };
}
