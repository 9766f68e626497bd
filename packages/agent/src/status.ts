import { maxSyncProblems, type ClusterSync, type ClusterSyncPolicyStatus, type PolicyClusterState, type SyncProblem } from "@seedbed/api";

/** The agent's part of a ClusterSync: what it writes to the status subresource. */
export type AgentStatus = NonNullable<ClusterSync["status"]>;

/** The state of a policy from its problems: any failure beats any conflict, any conflict any drift; none is InSync. */
export function stateOf(problems: readonly SyncProblem[]): PolicyClusterState {
  if (problems.some((problem) => problem.reason === "Failed")) return "Failed";
  if (problems.some((problem) => problem.reason === "Conflict")) return "Conflicted";
  if (problems.some((problem) => problem.reason === "Drifted")) return "Drifted";
  return "InSync";
}

/** What one pass over a policy found. */
export interface PolicyOutcome {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly objects: number;
  readonly problems: readonly SyncProblem[];
  /** Overrides the state the problems give (Pending before a first pass). */
  readonly state?: PolicyClusterState;
}

/** A policy's status entry: the first problems (at most maxSyncProblems) and their count. */
export function policyStatus(outcome: PolicyOutcome, now: Date): ClusterSyncPolicyStatus {
  return {
    namespace: outcome.namespace,
    name: outcome.name,
    uid: outcome.uid,
    observedGeneration: outcome.generation,
    state: outcome.state ?? stateOf(outcome.problems),
    objects: outcome.objects,
    ...(outcome.problems.length === 0 ? {} : { problems: outcome.problems.slice(0, maxSyncProblems).map((problem) => ({ ...problem })) }),
    problemCount: outcome.problems.length,
    lastSyncTime: now.toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** The status as written: entries sorted by namespace and name, so equal states compare equal. */
export function agentStatus(entries: Iterable<ClusterSyncPolicyStatus>, observedGeneration: number | undefined, pruning: number): AgentStatus {
  const policies = [...entries].sort((a, b) => compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  return { ...(observedGeneration === undefined ? {} : { observedGeneration }), policies, pruning };
}

/** True when `a` and `b` differ in something other than lastSyncTime: only then is a write worth it. */
export function statusChanged(a: AgentStatus | undefined, b: AgentStatus): boolean {
  return JSON.stringify(comparable(a)) !== JSON.stringify(comparable(b));
}

function comparable(status: AgentStatus | undefined): unknown {
  if (status === undefined) return undefined;
  return {
    observedGeneration: status.observedGeneration,
    pruning: status.pruning ?? 0,
    policies: (status.policies ?? []).map((entry) => ({
      namespace: entry.namespace,
      name: entry.name,
      uid: entry.uid,
      observedGeneration: entry.observedGeneration,
      state: entry.state,
      objects: entry.objects,
      problems: (entry.problems ?? []).map((p) => [p.apiVersion ?? "", p.kind, p.namespace ?? "", p.name, p.reason, p.message]),
      problemCount: entry.problemCount ?? 0,
    })),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
