import { policyStateConcern, type ClusterPolicy, type PolicyClusterState } from "./cluster-policy.ts";
import type { ClusterSync, SyncProblem } from "./cluster-sync.ts";

/**
 * How one policy stands on one cluster, read from that cluster's
 * ClusterSync: what the CLI's `policy status` and the REST API's
 * …/policies/:policy/clusters show. A policy's own status holds only
 * counts and a few offenders; this is the detail, one cluster at a time.
 */
export interface PolicyClusterEntry {
  /** The cluster's namespace (its project's). */
  readonly namespace: string;
  /** The cluster's name (its ClusterSync's). */
  readonly cluster: string;
  /** The operator lists the policy in the ClusterSync's spec: the policy selects the cluster. False: it no longer does, and the agent is removing (or orphaning) what it made. */
  readonly selected: boolean;
  /** The agent's state; Pending until it has reported on this policy. */
  readonly state: PolicyClusterState;
  /** The agent's report is of the policy's current generation. */
  readonly current: boolean;
  /** The policy generation the report is of (absent before a report). */
  readonly observedGeneration?: number;
  /** Objects the policy keeps on the cluster. */
  readonly objects: number;
  /** The first objects in conflict or failing (at most 10). */
  readonly problems: SyncProblem[];
  /** All objects in conflict or failing, listed or not. */
  readonly problemCount: number;
  /** When the agent last applied the policy there. */
  readonly lastSyncTime?: string;
  /** Why the state is not the whole story (no report yet, an older generation, no longer selected). */
  readonly message?: string;
}

/** The parts of a policy the assembly needs: its identity. */
export type PolicyIdentity = Pick<ClusterPolicy, "metadata">;

/** The entry of one ClusterSync for the policy `uid`; undefined when it neither lists nor reports it. */
function entryOf(sync: ClusterSync, uid: string, generation: number): PolicyClusterEntry | undefined {
  const selected = (sync.spec.policies ?? []).some((ref) => ref.uid === uid);
  const reported = (sync.status?.policies ?? []).find((p) => p.uid === uid);
  if (!selected && reported === undefined) return undefined;
  const where = { namespace: sync.metadata.namespace ?? "", cluster: sync.metadata.name ?? "", selected };
  if (reported === undefined) {
    return { ...where, state: "Pending", current: false, objects: 0, problems: [], problemCount: 0, message: "the cluster's agent has not reported on this policy yet" };
  }
  const current = reported.observedGeneration >= generation;
  const problems = reported.problems ?? [];
  const message = !selected
    ? "no longer selected: the agent is removing (or orphaning, with prune: false) what the policy made"
    : current ? undefined : `the report is of generation ${String(reported.observedGeneration)}; the policy is at ${String(generation)}`;
  return {
    ...where,
    state: reported.state,
    current,
    observedGeneration: reported.observedGeneration,
    objects: reported.objects,
    problems,
    problemCount: Math.max(reported.problemCount ?? 0, problems.length),
    lastSyncTime: reported.lastSyncTime,
    ...(message === undefined ? {} : { message }),
  };
}

/** `namespace/name` order, byte by byte: the order of a paged listing. */
export function compareClusterKeys(a: Pick<PolicyClusterEntry, "namespace" | "cluster">, b: Pick<PolicyClusterEntry, "namespace" | "cluster">): number {
  const left = `${a.namespace}/${a.cluster}`;
  const right = `${b.namespace}/${b.cluster}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The policy's entry on each of `syncs` that lists it (spec: selected) or
 * reports on it (status: still there, or being pruned), matched by uid so
 * that a policy deleted and made again under its name is not mistaken for
 * the old one; sorted by namespace and cluster name. Pure.
 */
export function policyClusterEntries(policy: PolicyIdentity, syncs: readonly ClusterSync[]): PolicyClusterEntry[] {
  const uid = policy.metadata.uid;
  if (uid === undefined) return [];
  const generation = policy.metadata.generation ?? 0;
  return syncs.flatMap((sync) => entryOf(sync, uid, generation) ?? []).sort(compareClusterKeys);
}

/** Worst first (Failed, Conflicted, Drifted, Pending, InSync), then by namespace and name: for people reading a table. */
export function compareByConcern(a: PolicyClusterEntry, b: PolicyClusterEntry): number {
  return policyStateConcern[a.state] - policyStateConcern[b.state] || compareClusterKeys(a, b);
}
