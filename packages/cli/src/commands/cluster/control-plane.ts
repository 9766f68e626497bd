import type { Cluster, DatastoreStatus, EtcdMemberStatus } from "@seedbed/api";
import { tableLines } from "../../output.ts";
import { humanSize } from "../backup/table.ts";

/** The columns of the etcd member table in `seedbed cluster get`. */
export const memberTableHeader = ["NAME", "ROLE", "HEALTHY", "DB SIZE", "MESSAGE"] as const;

/** Where the leader is in "etcd: 3/3 healthy, …": only said when the driver lists members. */
function leaderOf(members: readonly EtcdMemberStatus[] | undefined): string {
  if (members === undefined || members.length === 0) return "";
  const leader = members.find((m) => m.role === "Leader");
  return leader === undefined ? ", no leader" : `, leader ${leader.name}`;
}

/** "Datastore: Shared (seed local), 412 keys, 1.2 MiB of 1.0 GiB" — where the data lives, and a shared tenant's usage against its limit. */
function datastoreLines(datastore: DatastoreStatus | undefined): string[] {
  if (datastore === undefined) return [];
  if (datastore.type === "Dedicated") return ["  Datastore:   Dedicated (an etcd of its own)"];
  const usage = datastore.keys === undefined ? "" : `, ${datastore.keys} keys, ${humanSize(datastore.bytes) || "0 B"}${datastore.limitBytes === undefined ? "" : ` of ${humanSize(datastore.limitBytes)}`}`;
  return [`  Datastore:   Shared (the shared etcd of seed ${datastore.sharedWith ?? "?"})${usage}`];
}

/**
 * The lines of `cluster get` about the control plane (status.controlPlane):
 * API servers ready, etcd voters healthy and the leader, the membership
 * change under way, then one row per etcd member. None before the platform
 * has reported it. Pure.
 */
export function controlPlaneLines(cluster: Cluster): string[] {
  const cp = cluster.status?.controlPlane;
  if (cp === undefined) return [];
  const members = cp.members ?? [];
  const rows = members.map((m) => [`  ${m.name}`, m.role, m.healthy ? "yes" : "no", humanSize(m.dbSizeBytes) || "-", m.message ?? ""]);
  return [
    "Control plane:",
    `  API servers: ${cp.apiServers} ready`,
    `  etcd:        ${cp.etcd} healthy${leaderOf(cp.members)}`,
    ...datastoreLines(cp.datastore),
    ...(cp.membership === undefined || cp.membership === "" ? [] : [`  Membership:  ${cp.membership}`]),
    ...(rows.length === 0 ? [] : tableLines(memberTableHeader.map((h, i) => (i === 0 ? `  ${h}` : h)), rows)),
  ];
}
