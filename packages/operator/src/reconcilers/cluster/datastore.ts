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
 * Where a cluster's data lives. A cluster stays on the datastore it was
 * built on (status.controlPlane.datastore): pointing a running API server
 * at another etcd would show it an empty one. Before it is built, Shared
 * needs a seed that offers a shared etcd. Pure.
 */
export function chooseDatastore(spec: Pick<EffectiveClusterSpec, "datastoreType">, seed: string, offered: boolean, status: ControlPlaneStatus | undefined): DatastoreChoice {
  // A control plane reported before datastores were recorded was built on an etcd of its own.
  const built = status?.datastore?.type ?? (status === undefined ? undefined : "Dedicated");
  const sharedWith = status?.datastore?.sharedWith ?? seed;
  if (built === "Shared") {
    return spec.datastoreType === "Shared" ? { shared: sharedWith } : { shared: sharedWith, unsupported: `is Dedicated, but the cluster was built on the shared etcd of seed ${sharedWith} and a built cluster does not move between datastores yet, so it stays there; set type: Shared, or back it up and restore the backup into a new Cluster with type: Dedicated` };
  }
  if (built === "Dedicated") {
    return spec.datastoreType === "Shared" ? { unsupported: "is Shared, but the cluster was built on an etcd of its own and a built cluster does not move between datastores yet, so it keeps it; set type: Dedicated, or back it up and restore the backup into a new Cluster with type: Shared" } : {};
  }
  if (spec.datastoreType !== "Shared") return {};
  return offered ? { shared: seed } : { unsupported: `is Shared, but seed ${seed} offers no shared etcd (its spec.sharedDatastore; local seeds only), so the cluster gets an etcd of its own; set type: Dedicated, or choose a seed that offers one` };
}
