import type { UpgradePlanSpec, UpgradePlanStatus } from "@seedbed/api";
import type { WindowState } from "./windows.ts";
import { waveCount, type PlanCluster } from "./waves.ts";

/** An UpgradePlan's phase. */
export type PlanPhase = NonNullable<UpgradePlanStatus["phase"]>;

/** The plan's Ready condition, before its times are set. */
export interface PlanCondition {
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
}

/** What the plan does next and how its status reads. */
export interface PlanDecision {
  /** Every entry, those started now Upgrading (with startedTime), those waiting for their window WaitingForWindow. */
  readonly entries: PlanCluster[];
  /** The entries to start now: their Cluster's spec.version is set to the plan's. */
  readonly start: PlanCluster[];
  readonly phase: PlanPhase;
  /** The first wave with a cluster not finished; undefined once every wave is. */
  readonly currentWave: number | undefined;
  readonly waves: number;
  readonly soakUntil: string | undefined;
  readonly counts: NonNullable<UpgradePlanStatus["counts"]>;
  readonly ready: PlanCondition;
  /** When to look again without any change seen (ms): a soak's end, a window's opening. */
  readonly wakeAt: number | undefined;
}

/** Where the plan stands, for decidePlan. */
export interface PlanState {
  readonly spec: Pick<UpgradePlanSpec, "version" | "paused" | "maxFailures" | "soak">;
  /** Every entry, judged (judgeCluster) this pass. */
  readonly entries: readonly PlanCluster[];
  readonly soakMs: number;
  readonly now: number;
  /** The maintenance windows of a Pending entry's cluster, as they stand now. */
  readonly windowOf: (entry: PlanCluster) => WindowState;
}

/** Whether an entry needs nothing more from the plan. */
export function isFinished(entry: PlanCluster): boolean {
  return entry.state === "Upgraded" || entry.state === "Failed" || entry.state === "RolledBack";
}

/** Whether an entry counts against maxFailures. */
function isFailure(entry: PlanCluster): boolean {
  return entry.state === "Failed" || entry.state === "RolledBack";
}

const keyOf = (e: PlanCluster): string => `${e.namespace}/${e.name}`;

/**
 * The plan's next step, from its judged entries: the current wave is the
 * first with a cluster not finished (Upgraded, Failed or RolledBack), so a
 * wave starts only once every cluster before it has soaked or failed;
 * its clusters not started yet start now when their maintenance window is
 * open, unless the plan is paused or halted (failures ≥ maxFailures).
 * Also the phase, counts, soak end, Ready condition and when to look
 * again. Pure.
 */
export function decidePlan(state: PlanState): PlanDecision {
  const failures = state.entries.filter(isFailure);
  const halted = failures.length >= state.spec.maxFailures;
  const waves = waveCount(state.entries);
  const currentWave = state.entries.filter((e) => !isFinished(e)).reduce<number | undefined>((low, e) => (low === undefined || e.wave < low ? e.wave : low), undefined);
  const start: PlanCluster[] = [];
  let wakeAt: number | undefined;
  const later = (at: number | undefined): void => {
    if (at !== undefined && at > state.now) wakeAt = Math.min(wakeAt ?? at, at);
  };
  const entries = state.entries.map((entry): PlanCluster => {
    if (entry.wave !== currentWave || (entry.state !== "Pending" && entry.state !== "WaitingForWindow")) return entry;
    if (halted || state.spec.paused) return entry;
    const window = state.windowOf(entry);
    if (!window.open) {
      later(window.nextOpen);
      const next = window.nextOpen === undefined ? "none of its windows opens again" : `the next opens at ${new Date(window.nextOpen).toISOString()}`;
      return { ...entry, state: "WaitingForWindow", message: `waiting for a maintenance window of the cluster (or its project): ${next}` };
    }
    const started: PlanCluster = { ...entry, state: "Upgrading", startedTime: new Date(state.now).toISOString(), message: `starting its upgrade to ${state.spec.version}` };
    start.push(started);
    return started;
  });
  const soakEnds = entries.filter((e) => e.wave === currentWave && e.state === "Soaking" && e.upgradedTime !== undefined).map((e) => Date.parse(e.upgradedTime ?? "") + state.soakMs);
  for (const end of soakEnds) later(end);
  const soakUntil = soakEnds.length === 0 ? undefined : new Date(Math.max(...soakEnds)).toISOString();
  const counts = {
    selected: entries.length,
    pending: entries.filter((e) => e.state === "Pending" || e.state === "WaitingForWindow").length,
    upgrading: entries.filter((e) => e.state === "Upgrading" || e.state === "Soaking").length,
    upgraded: entries.filter((e) => e.state === "Upgraded").length,
    failed: failures.length,
  };
  const phase = phaseOf({ entries, currentWave, halted, paused: state.spec.paused });
  return { entries, start, phase, currentWave, waves, soakUntil, counts, ready: readyOf({ ...state, entries, phase, currentWave, waves, failures, counts }), wakeAt };
}

function phaseOf(input: { entries: readonly PlanCluster[]; currentWave: number | undefined; halted: boolean; paused: boolean }): PlanPhase {
  if (input.halted) return "Halted";
  if (input.currentWave === undefined) return "Completed";
  if (input.paused) return "Paused";
  const wave = input.entries.filter((e) => e.wave === input.currentWave);
  if (wave.some((e) => e.state === "Upgrading")) return "Progressing";
  if (wave.some((e) => e.state === "Soaking")) return "Soaking";
  return input.entries.some((e) => e.startedTime !== undefined) ? "Progressing" : "Pending";
}

/** The Ready condition: True once Completed; otherwise why not, naming the failed clusters. */
function readyOf(input: PlanState & { entries: readonly PlanCluster[]; phase: PlanPhase; currentWave: number | undefined; waves: number; failures: readonly PlanCluster[]; counts: PlanDecision["counts"] }): PlanCondition {
  const { counts, failures } = input;
  const failed = failures.map((e) => `${keyOf(e)} (${e.message ?? e.state})`).join("; ");
  const at = `${String(counts.upgraded)} of ${String(counts.selected)} cluster(s) at ${input.spec.version}`;
  if (input.phase === "Completed") {
    if (counts.selected === 0) return { status: "True", reason: "Completed", message: "no cluster matched the plan's selector and projects when it started" };
    return { status: "True", reason: "Completed", message: failures.length === 0 ? `every selected cluster is at ${input.spec.version}` : `${at}; failed: ${failed}` };
  }
  if (input.phase === "Halted") {
    return { status: "False", reason: "Halted", message: `halted after ${String(failures.length)} failure(s) (maxFailures ${String(input.spec.maxFailures)}): ${failed}; no new cluster starts (upgrades under way finish); ${at}` };
  }
  const wave = `wave ${String(input.currentWave ?? 0)} of ${String(input.waves)} (0 is the canary when there is one)`;
  const alsoFailed = failures.length === 0 ? "" : `; failed so far: ${failed}`;
  if (input.phase === "Paused") return { status: "False", reason: "Paused", message: `paused at ${wave}: no new cluster starts until spec.paused is false; ${at}${alsoFailed}` };
  const waiting = input.entries.filter((e) => e.wave === input.currentWave && e.state === "WaitingForWindow");
  if (input.phase === "Soaking") return { status: "False", reason: "Soaking", message: `${wave} soaks for ${input.spec.soak}; ${at}${alsoFailed}` };
  if (waiting.length > 0 && !input.entries.some((e) => e.wave === input.currentWave && e.state === "Upgrading")) {
    return { status: "False", reason: "WaitingForWindow", message: `${wave}: ${waiting.map(keyOf).join(", ")} wait for a maintenance window; ${at}${alsoFailed}` };
  }
  return { status: "False", reason: input.phase, message: `${wave} is upgrading; ${at}${alsoFailed}` };
}
