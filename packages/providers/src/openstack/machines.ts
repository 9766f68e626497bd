import { machineLabels, type Machine, type PoolRef } from "../provider.ts";
import type { NovaServer } from "./nova.ts";

/**
 * Server metadata keys of the pool tags. Nova allows only
 * [a-zA-Z0-9-_:. ] in metadata keys, so the "/" of the label keys becomes ":".
 */
export const metadataKeys = {
  pool: machineLabels.pool.replace("/", ":"),
  clusterId: machineLabels.clusterId.replace("/", ":"),
} as const;

/** The metadata that ties a server to `pool`. */
export function poolMetadata(pool: PoolRef): Record<string, string> {
  return { [metadataKeys.clusterId]: pool.clusterId, [metadataKeys.pool]: pool.name };
}

/** Whether the server carries both tags of `pool` (a name prefix alone could be another cluster's pool of the same name). */
export function inPool(server: NovaServer, pool: PoolRef): boolean {
  return server.metadata[metadataKeys.clusterId] === pool.clusterId && server.metadata[metadataKeys.pool] === pool.name;
}

const providerPrefix = "openstack:///";

/** The server ID in a providerID of this provider, or undefined if it is not one. */
export function serverIdOf(providerID: string): string | undefined {
  if (!providerID.startsWith(providerPrefix)) return undefined;
  const id = providerID.slice(providerPrefix.length);
  return id === "" || id.includes("/") ? undefined : id;
}

/** A Nova server as a Machine. */
export function toMachine(server: NovaServer): Machine {
  return {
    name: server.name,
    providerID: providerPrefix + server.id,
    // cloud-init sets the hostname from the server name and the kubelet registers it lowercased.
    nodeName: server.name.toLowerCase(),
    phase: phaseOf(server),
    createdAt: server.created,
  };
}

/**
 * Nova's server status as a machine phase. Statuses from which a server
 * does not come back by itself (ERROR, SHUTOFF, SHELVED, …) are Failed, so
 * the reconciler replaces the machine; statuses of work under way on a
 * server that exists (REBOOT, RESIZE, MIGRATING, …) and UNKNOWN (the
 * compute host is unreachable, the VM may well run) are Running, and the
 * Node's readiness decides whether it is healthy.
 */
export function phaseOf(server: Pick<NovaServer, "status" | "taskState">): Machine["phase"] {
  if (server.taskState === "deleting") return "Deleting";
  switch (server.status) {
    case "BUILD":
      return "Pending";
    case "DELETED":
    case "SOFT_DELETED":
      return "Deleting";
    case "ERROR":
    case "SHUTOFF":
    case "STOPPED":
    case "SUSPENDED":
    case "PAUSED":
    case "SHELVED":
    case "SHELVED_OFFLOADED":
      return "Failed";
    default:
      return "Running";
  }
}
