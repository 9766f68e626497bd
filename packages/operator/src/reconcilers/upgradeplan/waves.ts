import type { UpgradePlanStatus } from "@seedbed/api";
import { compareToTarget } from "./versions.ts";

/** One selected cluster's entry in a plan's status. */
export type PlanCluster = NonNullable<UpgradePlanStatus["clusters"]>[number];

/** A selected cluster as the wave planner sees it. */
export interface Candidate {
  readonly namespace: string;
  readonly name: string;
  /** The version its control plane runs (status.version). */
  readonly version: string | undefined;
}

/**
 * How many clusters a wave after the canary holds: a count ("3") or a
 * percentage of the clusters the plan selected ("25%"), rounded up, at
 * least one. Admission checks the shape; an unreadable value counts as
 * one, the most careful reading. Pure.
 */
export function batchSizeOf(batchSize: string, selected: number): number {
  const percent = /^(\d+)%$/.exec(batchSize);
  if (percent) return Math.max(1, Math.ceil((selected * Number(percent[1])) / 100));
  const count = Number(batchSize);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/**
 * The plan's clusters, each with its wave, as recorded when the plan
 * starts: the clusters that need the upgrade, in the order given (sorted
 * by namespace/name by selectClusters), fill wave 0 with `canary` of them
 * when canary > 0, then waves of batchSizeOf(batchSize, all selected).
 * Clusters already at the target are Upgraded from the start, untouched,
 * in wave 0; clusters newer than it too (a plan never downgrades), with a
 * message saying so. Pure.
 */
export function assignWaves(candidates: readonly Candidate[], options: { target: string; canary: number; batchSize: string }): PlanCluster[] {
  const size = batchSizeOf(options.batchSize, candidates.length);
  let position = 0;
  return candidates.map((c): PlanCluster => {
    const standing = compareToTarget(options.target, c.version);
    if (standing === "at") return { namespace: c.namespace, name: c.name, wave: 0, state: "Upgraded", message: `already at ${c.version ?? options.target}: left as it is` };
    if (standing === "above") return { namespace: c.namespace, name: c.name, wave: 0, state: "Upgraded", message: `runs ${c.version ?? "?"}, newer than ${options.target}: left as it is (a plan never downgrades)` };
    const index = position++;
    const wave = options.canary > 0 ? (index < options.canary ? 0 : 1 + Math.floor((index - options.canary) / size)) : Math.floor(index / size);
    return { namespace: c.namespace, name: c.name, wave, state: "Pending" };
  });
}

/** How many waves the entries make (the highest wave plus one; 0 for none). Pure. */
export function waveCount(entries: readonly PlanCluster[]): number {
  return entries.length === 0 ? 0 : Math.max(...entries.map((e) => e.wave)) + 1;
}
