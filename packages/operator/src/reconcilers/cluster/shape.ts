import { parseQuantity } from "@seedbed/runtime";
import type { Cluster } from "@seedbed/api";
import type { ControlPlanePlan, HostingDriver } from "@seedbed/controlplane";
import type { BuiltControlPlane } from "./control-plane-status.ts";
import { chooseDatastore } from "./datastore.ts";
import type { EffectiveClusterSpec } from "./resolve.ts";
import { etcdMembersToBuild, type SupportContext } from "./support.ts";

/** What a pass builds: the plan's control plane, what status counts against, and what SpecSupported judges by. */
export interface ControlPlaneShape {
  readonly plan: ControlPlanePlan["controlPlane"];
  readonly built: BuiltControlPlane;
  readonly support: SupportContext;
}

/**
 * The size and datastore of the control plane a pass builds on its seed:
 * replicas and members cut to what the driver runs, the members a driver
 * that cannot resize keeps, and the datastore (chooseDatastore). Pure.
 */
export function controlPlaneShape(cluster: Cluster, effective: EffectiveClusterSpec, where: { seed: string; driver: HostingDriver; sharedDatastore?: boolean; sharedEndpoint: boolean }): ControlPlaneShape {
  const { seed, driver } = where;
  const can = driver.capabilities;
  const datastore = chooseDatastore(effective, seed, where.sharedDatastore === true, cluster.status?.controlPlane, can.datastoreMoves);
  const builtMembers = cluster.status?.controlPlane?.builtMembers;
  const support: SupportContext = {
    seed,
    driver: driver.name,
    capabilities: can,
    sharedEndpoint: where.sharedEndpoint,
    ...(builtMembers === undefined ? {} : { builtEtcdMembers: builtMembers }),
    ...(datastore.unsupported === undefined ? {} : { datastoreUnsupported: datastore.unsupported }),
    sharedDatastore: datastore.shared !== undefined,
  };
  const etcdMembers = Math.min(etcdMembersToBuild(effective, support), can.maxEtcdMembers);
  const built: BuiltControlPlane = {
    apiServerReplicas: Math.min(effective.controlPlaneReplicas, can.maxAPIServerReplicas),
    etcdMembers,
    ...(datastore.shared === undefined ? {} : { datastoreLimitBytes: parseQuantity(effective.etcdStorage) }),
  };
  const plan: ControlPlanePlan["controlPlane"] = {
    apiServerReplicas: effective.controlPlaneReplicas,
    etcdMembers,
    etcdStorage: effective.etcdStorage,
    ...(datastore.shared === undefined ? {} : { sharedDatastore: datastore.shared }),
  };
  return { plan, built, support };
}
