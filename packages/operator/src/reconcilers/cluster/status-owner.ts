import { ClusterConditions, type Cluster } from "@seedbed/api";

type Status = NonNullable<Cluster["status"]>;

/**
 * The part of a Cluster's status the Cluster controller applies.
 * status.addons and the AddonsReady condition belong to the add-on
 * controller, which applies them with a field manager of its own: left out
 * here, server-side apply keeps them as that controller wrote them, and a
 * status built from a cache that has not seen its last write cannot undo it.
 */
export function clusterOwnedStatus<S extends Partial<Status>>(status: S): Omit<S, "addons"> {
  const rest = Object.fromEntries(Object.entries(status).filter(([key]) => key !== "addons")) as Omit<S, "addons">;
  const conditions = (rest as Partial<Status>).conditions;
  if (conditions === undefined) return rest;
  return { ...rest, conditions: conditions.filter((c) => c.type !== ClusterConditions.AddonsReady) };
}
