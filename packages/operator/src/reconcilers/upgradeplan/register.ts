import type { Cluster, Project, UpgradePlan } from "@seedbed/api";
import { requestFor, type Clock, type Informer, type Manager } from "@seedbed/runtime";
import { clusterKindRef } from "../cluster/kinds.ts";
import { upgradePlanKindRef } from "./kinds.ts";
import { UpgradePlanReconciler } from "./reconciler.ts";

/** The caches the UpgradePlan controller shares with the others. */
export interface UpgradePlanSetup {
  readonly clusters: Informer<Cluster>;
  readonly projects: Informer<Project>;
  readonly clock?: Clock;
}

/**
 * Adds the UpgradePlan controller (see reconciler.ts). Any Cluster change
 * brings back every plan not finished: plans are few, and a cluster a plan
 * selects may be any cluster until the plan has recorded its selection.
 */
export function registerUpgradePlans(manager: Manager, setup: UpgradePlanSetup): void {
  const plans = manager.informers.informerFor<UpgradePlan>(upgradePlanKindRef);
  manager.addController({
    name: "upgradeplan",
    kind: upgradePlanKindRef,
    reconciler: new UpgradePlanReconciler({
      client: manager.client,
      plan: (name) => plans.get(undefined, name),
      clusters: () => setup.clusters.list(),
      cluster: (namespace, name) => setup.clusters.get(namespace, name),
      project: (name) => setup.projects.get(undefined, name),
      events: manager.eventRecorder("upgradeplan"),
      clock: setup.clock,
    }),
    watches: [{ kind: clusterKindRef, mapFn: () => plans.list().filter((p) => p.status?.phase !== "Completed").flatMap(requestFor) }],
  });
}
