import type { EtcdMember } from "./types.ts";

/**
 * The `--initial-cluster` a member joining a running cluster
 * (`--initial-cluster-state=existing`) must start with: every current member
 * as name=peerURL, the joining one under its own name.
 *
 * etcd compares this list with the running cluster's full member list
 * (membership.ValidateClusterAndAssignIDs: "member count is unequal", then
 * every peer URL must match), so members that have not started yet are
 * listed too, under their empty name, as `etcdctl member add` prints
 * ETCD_INITIAL_CLUSTER. With etcd's default --max-learners=1 and learners
 * only, the joining learner is normally the only such member. Sorted, so the
 * same members always give the same flag (a stable rendered command line).
 */
export function initialClusterFor(members: readonly EtcdMember[], self: { readonly id: string; readonly name: string }): string {
  if (!members.some((m) => m.id === self.id)) throw new Error(`member ${self.id} (${self.name}) is not in the member list; add it with addLearner first`);
  if (self.name === "") throw new Error("the joining member needs a name (it is empty until a member has started)");
  return members
    .flatMap((m) => m.peerURLs.map((url) => `${m.id === self.id ? self.name : m.name}=${url}`))
    .sort()
    .join(",");
}
