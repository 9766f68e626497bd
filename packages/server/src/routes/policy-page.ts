import { policyClusterEntries, SyncProblem, policyClusterStates, type ClusterPolicy, type ClusterSync, type PolicyClusterEntry } from "@seedbed/api";
import Type from "typebox";

/** The most entries one page holds. */
export const maxPageSize = 500;

/** A page of a policy's clusters: `continue` is there when more follow. */
export interface PolicyClustersPage {
  readonly items: PolicyClusterEntry[];
  readonly continue?: string;
}

/**
 * One page of the policy's per-cluster entries, in cluster-name order:
 * those after the cluster `after` (the previous page's `continue`), at
 * most `limit`. The token is the last cluster's name, so any name is a
 * valid token (a cluster deleted meanwhile is simply passed); no state is
 * kept between pages. Pure.
 */
export function policyClustersPage(policy: ClusterPolicy, syncs: readonly ClusterSync[], limit: number | undefined, after: string | undefined): PolicyClustersPage {
  const entries = policyClusterEntries(policy, syncs).filter((e) => after === undefined || e.cluster > after);
  const size = Math.min(limit ?? maxPageSize, maxPageSize);
  const items = entries.slice(0, size);
  const last = items.at(-1);
  return { items, ...(entries.length > size && last !== undefined ? { continue: last.cluster } : {}) };
}

/** A page's entries as the OpenAPI document describes them. */
export const PolicyClusterEntrySchema = Type.Object({
  namespace: Type.String({ description: "The cluster's namespace (its project's)." }),
  cluster: Type.String({ description: "The cluster's name." }),
  selected: Type.Boolean({ description: "The policy selects the cluster (the operator lists it in the cluster's ClusterSync). false: it no longer does, and the cluster's agent is removing (or orphaning, with prune: false) what it made." }),
  state: Type.String({ enum: [...policyClusterStates], description: "The agent's state; Pending until it has reported on the policy." }),
  current: Type.Boolean({ description: "The report is of the policy's current generation." }),
  observedGeneration: Type.Optional(Type.Integer({ description: "The policy generation the report is of." })),
  objects: Type.Integer({ description: "Objects the policy keeps on the cluster." }),
  problems: Type.Array(SyncProblem, { description: "The first objects in conflict or failing (at most 10), each with its kind, name, reason and message." }),
  problemCount: Type.Integer({ description: "All objects in conflict or failing, listed or not." }),
  lastSyncTime: Type.Optional(Type.String({ format: "date-time" })),
  message: Type.Optional(Type.String({ description: "Why the state is not the whole story: no report yet, a report of an older generation, no longer selected." })),
}, { description: "How a policy stands on one cluster, from the cluster's ClusterSync." });
