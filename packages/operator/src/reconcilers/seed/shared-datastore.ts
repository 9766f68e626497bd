import type { Seed } from "@seedbed/api";
import type { SharedDatastoreObservation } from "@seedbed/controlplane";

/** status.sharedDatastore of a Seed from what the driver saw. Pure. */
export function sharedDatastoreStatus(seen: SharedDatastoreObservation): NonNullable<NonNullable<Seed["status"]>["sharedDatastore"]> {
  const healthy = seen.members.filter((m) => m.healthy).length;
  return {
    ready: seen.ready,
    members: `${healthy}/${seen.builtMembers}`,
    tenants: seen.tenants,
    ...(seen.dbSizeBytes === undefined ? {} : { dbSizeBytes: seen.dbSizeBytes }),
    ...(seen.message === undefined ? {} : { message: seen.message.slice(0, 1024) }),
  };
}
