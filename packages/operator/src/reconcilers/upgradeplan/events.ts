import type { UpgradePlan } from "@seedbed/api";
import type { EventRecorder } from "@seedbed/runtime";
import type { PlanDecision } from "./plan.ts";
import type { PlanCluster } from "./waves.ts";

/** What changed between the status recorded and the one decided, as Events. */
export interface PlanEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly note: string;
}

const keyOf = (e: PlanCluster): string => `${e.namespace}/${e.name}`;

/**
 * The Events a pass owes: a wave whose first cluster started, each cluster
 * newly failed or rolled back, the plan halted, the plan completed; found
 * by comparing the status recorded before the pass with the one decided,
 * so a pass repeated after a crash reports nothing twice once its status
 * was written. Pure.
 */
export function planEvents(before: UpgradePlan["status"], decision: PlanDecision): PlanEvent[] {
  const events = [...waveEvents(before, decision), ...clusterEvents(before, decision)];
  if (decision.phase === "Halted" && before?.phase !== "Halted") events.push({ type: "Warning", reason: "Halted", note: decision.ready.message });
  if (decision.phase === "Completed" && before?.phase !== "Completed") events.push({ type: "Normal", reason: "Completed", note: decision.ready.message });
  return events;
}

/** A WaveStarted for each wave whose first clusters started this pass. */
function waveEvents(before: UpgradePlan["status"], decision: PlanDecision): PlanEvent[] {
  const startedWaves = new Set((before?.clusters ?? []).filter((e) => e.startedTime !== undefined).map((e) => e.wave));
  const starting = new Map<number, string[]>();
  for (const entry of decision.entries) {
    if (entry.startedTime === undefined || startedWaves.has(entry.wave)) continue;
    starting.set(entry.wave, [...(starting.get(entry.wave) ?? []), keyOf(entry)]);
  }
  return [...starting].sort(([a], [b]) => a - b).map(([wave, clusters]) => ({ type: "Normal", reason: "WaveStarted", note: `wave ${String(wave)} of ${String(decision.waves)} started: ${clusters.join(", ")}` }));
}

/** A ClusterFailed or ClusterRolledBack for each cluster newly so. */
function clusterEvents(before: UpgradePlan["status"], decision: PlanDecision): PlanEvent[] {
  const old = new Map((before?.clusters ?? []).map((e) => [keyOf(e), e.state]));
  const events: PlanEvent[] = [];
  for (const entry of decision.entries) {
    const was = old.get(keyOf(entry));
    if (entry.state === "Failed" && was !== "Failed" && was !== "RolledBack") events.push({ type: "Warning", reason: "ClusterFailed", note: `cluster ${keyOf(entry)}: ${entry.message ?? "failed"}` });
    if (entry.state === "RolledBack" && was !== "RolledBack") events.push({ type: "Warning", reason: "ClusterRolledBack", note: `cluster ${keyOf(entry)}: ${entry.message ?? "rolled back"}` });
  }
  return events;
}

/** Records planEvents on the plan. */
export function reportTransitions(recorder: EventRecorder, plan: UpgradePlan, decision: PlanDecision): void {
  for (const event of planEvents(plan.status, decision)) recorder.record(plan, { type: event.type, reason: event.reason, action: "Upgrade", note: event.note });
}
