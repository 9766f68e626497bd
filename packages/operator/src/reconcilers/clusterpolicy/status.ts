import { maxPolicyOffenders, platformPolicyNamespace, policyStateConcern, type ClusterPolicy, type ClusterSyncPolicyStatus, type PolicyClusterState, type SyncProblem } from "@seedbed/api";
import { setCondition, type ConditionInput } from "@seedbed/runtime";
import { isDeepStrictEqual } from "node:util";
import { compareKeys } from "../upgradeplan/select.ts";
import type { PolicyReach } from "./selection.ts";

type Status = NonNullable<ClusterPolicy["status"]>;
type Offender = NonNullable<Status["offenders"]>[number];

/** The Ready condition's reasons. */
export const policyReasons = {
  /** Every selected cluster's agent applied the current generation and reports it in sync. */
  allInSync: "AllInSync",
  /** Some selected cluster is pending, drifted, conflicted or failed (the message names the worst). */
  clustersNotInSync: "ClustersNotInSync",
  /** The selectors match no cluster in the policy's reach. */
  noClustersSelected: "NoClustersSelected",
  /** The policy lives where it can reach no cluster: neither a project's namespace nor seedbed-system. */
  notInAProjectNamespace: "NotInAProjectNamespace",
} as const;

/** Longest message an offender or the condition carries (the offender schema's limit). */
const maxMessage = 1024;

/** How the policy stands on one cluster whose ClusterSync lists it. */
export interface ClusterPolicyState {
  readonly namespace: string;
  readonly name: string;
  readonly state: PolicyClusterState;
  readonly message?: string;
}

/** The policy's identity and generation, as the agent's status entry must match them. */
export interface PolicyVersion {
  readonly uid: string;
  readonly generation: number;
}

/**
 * The policy's state on a cluster from its agent's status entry: Pending
 * while there is none, it is of another policy of the same name (another
 * uid) or of an older generation; otherwise the agent's state, with the
 * first problem as message. Pure.
 */
export function clusterPolicyState(policy: PolicyVersion, entry: ClusterSyncPolicyStatus | undefined): { state: PolicyClusterState; message?: string } {
  if (entry === undefined) return { state: "Pending", message: "its agent has not applied the policy yet" };
  if (entry.uid !== policy.uid) return { state: "Pending", message: "its agent still reports an earlier policy of this name" };
  if (entry.observedGeneration < policy.generation) return { state: "Pending", message: `its agent last applied generation ${String(entry.observedGeneration)} of ${String(policy.generation)}` };
  const first = entry.problems?.[0];
  if (entry.state === "InSync") return { state: "InSync" };
  return { state: entry.state, message: first === undefined ? defaultMessage(entry.state) : problemMessage(first) };
}

/** "<kind> <namespace/name>: <message>" (the name alone for cluster-scoped objects), at most 1024 characters. */
export function problemMessage(problem: SyncProblem): string {
  const name = problem.namespace === undefined || problem.namespace === "" ? problem.name : `${problem.namespace}/${problem.name}`;
  return truncate(`${problem.kind} ${name}: ${problem.message}`);
}

function defaultMessage(state: PolicyClusterState): string {
  if (state === "Drifted") return "objects changed on the cluster are being put back";
  if (state === "Pending") return "its agent is applying the policy";
  return `the policy is ${state.toLowerCase()} on the cluster`;
}

/** Sync counts across the selected clusters. */
export interface PolicyCounts {
  readonly selected: number;
  readonly inSync: number;
  readonly pending: number;
  readonly drifted: number;
  readonly conflicted: number;
  readonly failed: number;
}

/** A policy's status as computed from its clusters' states. */
export interface PolicySummary {
  readonly counts: PolicyCounts;
  readonly offenders: Offender[];
  readonly phase: NonNullable<Status["phase"]>;
  readonly ready: ConditionInput;
}

/**
 * Counts, the worst offenders (Failed, Conflicted, Drifted, Pending, then
 * by namespace/name; at most maxPolicyOffenders), the phase and the Ready
 * condition of a policy of `namespace` (for the message) with `reach`,
 * from the states of the clusters whose ClusterSync lists it. Pure.
 */
export function summarizePolicy(namespace: string, reach: PolicyReach, clusters: readonly ClusterPolicyState[]): PolicySummary {
  const count = (state: PolicyClusterState): number => clusters.filter((c) => c.state === state).length;
  const counts: PolicyCounts = { selected: clusters.length, inSync: count("InSync"), pending: count("Pending"), drifted: count("Drifted"), conflicted: count("Conflicted"), failed: count("Failed") };
  const offenders = clusters
    .filter((c) => c.state !== "InSync")
    .sort((a, b) => policyStateConcern[a.state] - policyStateConcern[b.state] || compareKeys(a.namespace, a.name, b.namespace, b.name))
    .slice(0, maxPolicyOffenders)
    .map((c): Offender => ({ namespace: c.namespace, name: c.name, state: c.state, ...(c.message === undefined ? {} : { message: truncate(c.message) }) }));
  return { counts, offenders, phase: phaseOf(counts), ready: readyOf(namespace, reach, counts, offenders[0]) };
}

function phaseOf(counts: PolicyCounts): PolicySummary["phase"] {
  if (counts.selected === 0 || counts.pending === counts.selected) return "Pending";
  if (counts.inSync === counts.selected) return "Synced";
  if (counts.failed === counts.selected) return "Failed";
  return "Partial";
}

function readyOf(namespace: string, reach: PolicyReach, counts: PolicyCounts, worst: Offender | undefined): ConditionInput {
  if (reach.kind === "none") {
    return { type: "Ready", status: "False", reason: policyReasons.notInAProjectNamespace, message: `a ClusterPolicy in namespace ${namespace} selects no cluster: create it in a project's namespace (project-<name>) for that project's clusters, or in ${platformPolicyNamespace} for every project's` };
  }
  if (counts.selected === 0) return { type: "Ready", status: "False", reason: policyReasons.noClustersSelected, message: "no cluster in the policy's reach matches its selectors" };
  if (counts.inSync === counts.selected) return { type: "Ready", status: "True", reason: policyReasons.allInSync, message: `in sync on all ${String(counts.selected)} selected clusters` };
  const others = (["failed", "conflicted", "drifted", "pending"] as const).filter((k) => counts[k] > 0).map((k) => `${String(counts[k])} ${k}`);
  const head = `${String(counts.inSync)} of ${String(counts.selected)} selected clusters in sync (${others.join(", ")})`;
  const tail = worst === undefined ? "" : `; cluster ${worst.namespace}/${worst.name} is ${worst.state}${worst.message === undefined ? "" : `: ${worst.message}`}`;
  return { type: "Ready", status: "False", reason: policyReasons.clustersNotInSync, message: truncate(head + tail) };
}

/** The status to write: the summary, with Ready and observedGeneration of `generation`; Ready's transition time kept while its status holds. Pure. */
export function nextPolicyStatus(current: Status | undefined, summary: PolicySummary, generation: number, now: Date | number): Status {
  const { counts } = summary;
  return {
    observedGeneration: generation,
    phase: summary.phase,
    conditions: setCondition(current?.conditions, { ...summary.ready, observedGeneration: generation }, now),
    selectedClusters: counts.selected,
    inSyncClusters: counts.inSync,
    pendingClusters: counts.pending,
    driftedClusters: counts.drifted,
    conflictedClusters: counts.conflicted,
    failedClusters: counts.failed,
    offenders: summary.offenders,
  };
}

/** Whether writing `next` would change what `current` says (absent lists count as empty). Pure. */
export function policyStatusChanged(current: Status | undefined, next: Status): boolean {
  const normal = (s: Status | undefined): unknown => JSON.parse(JSON.stringify({ ...s, offenders: s?.offenders ?? [] })) as unknown;
  return !isDeepStrictEqual(normal(current), normal(next));
}

function truncate(text: string): string {
  return text.length <= maxMessage ? text : `${text.slice(0, maxMessage - 1)}…`;
}
