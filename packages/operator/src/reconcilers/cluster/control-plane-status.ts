import type { ControlPlaneStatus } from "@seedbed/api";
import type { ComponentHealth, ControlPlaneObservation } from "@seedbed/controlplane";

/** What the control plane was built for: the replica and member counts the driver carries out. */
export interface BuiltControlPlane {
  readonly apiServerReplicas: number;
  readonly etcdMembers: number;
  /** A Shared datastore's limit for the cluster (spec.controlPlane.datastore.storage), bytes. */
  readonly datastoreLimitBytes?: number;
}

/** Components that are kube-apiserver replicas: "kube-apiserver" and "kube-apiserver-<n>". */
function isAPIServer(name: string): boolean {
  return name === "kube-apiserver" || name.startsWith("kube-apiserver-");
}

/**
 * status.controlPlane from what the driver saw. Pure. Ready API servers are
 * the kube-apiserver components that are ready; healthy etcd members are
 * the healthy voters the driver listed (a driver that lists none counts the
 * ready instances of its etcd components instead).
 */
export function controlPlaneStatus(observed: ControlPlaneObservation, built: BuiltControlPlane): ControlPlaneStatus {
  const readyOf = (c: ComponentHealth): number => c.readyReplicas ?? (c.ready ? 1 : 0);
  const apiServersReady = observed.components.filter((c) => isAPIServer(c.name)).reduce((sum, c) => sum + readyOf(c), 0);
  const members = observed.etcdMembers;
  const etcdHealthy = members === undefined
    ? observed.components.filter((c) => c.name === "etcd" || c.name.startsWith("etcd-")).reduce((sum, c) => sum + readyOf(c), 0)
    : members.filter((m) => m.healthy && m.role !== "Learner").length;
  const shared = observed.datastore;
  // A tenant of a shared etcd counts that etcd's members.
  const etcdDesired = shared?.members ?? built.etcdMembers;
  const datastore: ControlPlaneStatus["datastore"] = shared === undefined
    ? { type: "Dedicated" }
    : { type: "Shared", sharedWith: shared.shared, ...(shared.usage === undefined ? {} : { keys: shared.usage.keys, bytes: shared.usage.bytes }), ...(built.datastoreLimitBytes === undefined ? {} : { limitBytes: built.datastoreLimitBytes }) };
  return {
    apiServers: `${apiServersReady}/${built.apiServerReplicas}`,
    etcd: `${etcdHealthy}/${etcdDesired}`,
    builtMembers: etcdDesired,
    datastore,
    ...(members === undefined ? {} : { members: members.map((m) => memberStatus(m, shared !== undefined)) }),
    ...(observed.membership === undefined ? {} : { membership: observed.membership.slice(0, 1024) }),
  };
}

/**
 * One etcd member as a Cluster shows it. A tenant of a shared etcd leaves
 * out the member's database size: that is the whole shared etcd's (the
 * Seed's status.sharedDatastore.dbSizeBytes), and copied into every
 * tenant it would rewrite all their statuses — and wake every controller
 * of Clusters — whenever any one of them writes.
 */
function memberStatus(member: NonNullable<ControlPlaneObservation["etcdMembers"]>[number], shared: boolean): NonNullable<ControlPlaneStatus["members"]>[number] {
  const { dbSizeBytes, message, ...rest } = member;
  return { ...rest, ...(shared || dbSizeBytes === undefined ? {} : { dbSizeBytes }), ...(message === undefined ? {} : { message: message.slice(0, 1024) }) };
}
