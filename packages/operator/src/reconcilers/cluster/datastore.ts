import type { ControlPlaneStatus } from "@seedbed/api";
import type { EffectiveClusterSpec } from "./resolve.ts";

/** The datastore a pass builds the control plane on. */
export interface DatastoreChoice {
  /** The seed whose shared etcd keeps the data; undefined: an etcd of the cluster's own. */
  readonly shared?: string;
  /** Why spec.controlPlane.datastore.type is not what is built, and what to do (SpecSupported). */
  readonly unsupported?: string;
}

/**
 * Where a cluster's data lives. A built cluster (status.controlPlane
 * .datastore) changes datastore only where the driver moves its data
 * (export, import with the writers stopped); elsewhere it stays: pointing a
 * running API server at another etcd would show it an empty one. Shared
 * needs a seed that offers a shared etcd. Pure.
 */
export function chooseDatastore(spec: Pick<EffectiveClusterSpec, "datastoreType">, seed: string, offered: boolean, status: ControlPlaneStatus | undefined, canMove: boolean): DatastoreChoice {
  // A control plane reported before datastores were recorded was built on an etcd of its own.
  const built = status?.datastore?.type ?? (status === undefined ? undefined : "Dedicated");
  const sharedWith = status?.datastore?.sharedWith ?? seed;
  const noShared = `seed ${seed} offers no shared etcd (its spec.sharedDatastore; local seeds only)`;
  if (built === "Shared" && spec.datastoreType === "Shared") return { shared: sharedWith };
  if (built === "Shared") {
    return canMove ? {} : { shared: sharedWith, unsupported: `is Dedicated, but the cluster was built on the shared etcd of seed ${sharedWith} and this seed's driver does not move a built cluster's data, so it stays there; set type: Shared, or back it up and restore the backup into a new Cluster with type: Dedicated` };
  }
  if (spec.datastoreType !== "Shared") return {};
  if (built === "Dedicated" && !canMove) return { unsupported: "is Shared, but the cluster was built on an etcd of its own and this seed's driver does not move a built cluster's data, so it keeps it; set type: Dedicated, or back it up and restore the backup into a new Cluster with type: Shared" };
  if (!offered) return { unsupported: `is Shared, but ${noShared}, so the cluster ${built === undefined ? "gets" : "keeps"} an etcd of its own; set type: Dedicated, or choose a seed that offers one` };
  return { shared: seed };
}
