import Type from "typebox";
import { StringEnum } from "../schema/primitives.ts";

/** One etcd member as the platform last saw it. */
export const EtcdMemberStatus = Type.Object({
  name: Type.String({ maxLength: 63, description: "The member's name (stable for its life; a replaced member gets a new one)." }),
  id: Type.Optional(Type.String({ maxLength: 16, description: "etcd's member ID, in hex as etcdctl prints it." })),
  role: StringEnum(["Leader", "Follower", "Learner", "Unknown"], { description: "Leader or Follower (voters), Learner (joining: catches up, then is promoted), Unknown (not answering)." }),
  healthy: Type.Boolean({ description: "The member answers and serves reads (its /readyz)." }),
  dbSizeBytes: Type.Optional(Type.Integer({ minimum: 0, description: "Size of its database file." })),
  message: Type.Optional(Type.String({ maxLength: 1024, description: "Why it is not healthy, or what is being done to it." })),
});

/** One etcd member as the platform last saw it. */
export type EtcdMemberStatus = Type.Static<typeof EtcdMemberStatus>;

/** Where a cluster's data lives and how much of it there is. */
export const DatastoreStatus = Type.Object({
  type: StringEnum(["Dedicated", "Shared"], { description: "The datastore the cluster was built on: an etcd of its own, or a key prefix in its seed's shared etcd." }),
  sharedWith: Type.Optional(Type.String({ maxLength: 253, description: "Shared: the seed whose shared etcd keeps the data (under the key prefix /<cluster id>/)." })),
  keys: Type.Optional(Type.Integer({ minimum: 0, description: "Shared: keys under the cluster's prefix." })),
  bytes: Type.Optional(Type.Integer({ minimum: 0, description: "Shared: bytes of those keys and their values (etcd's own bookkeeping and old revisions not counted)." })),
  limitBytes: Type.Optional(Type.Integer({ minimum: 0, description: "Shared: spec.controlPlane.datastore.storage in bytes; once bytes reach it, the cluster's API refuses new objects (condition DatastoreWithinLimit)." })),
});

/** Where a cluster's data lives and how much of it there is. */
export type DatastoreStatus = Type.Static<typeof DatastoreStatus>;

/** The control plane's replicas and etcd members, for `kubectl get sbc -o wide` and `seedbed cluster get`. */
export const ControlPlaneStatus = Type.Object({
  apiServers: Type.String({ maxLength: 8, description: "kube-apiservers ready / desired, e.g. 2/3." }),
  etcd: Type.String({ maxLength: 8, description: "etcd voting members healthy / desired, e.g. 3/3." }),
  builtMembers: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: "The etcd member count the datastore was built for. On a driver that cannot change etcd membership, a changed spec.controlPlane.datastore.members is not carried out (SpecSupported says so) and this count stays." })),
  members: Type.Optional(Type.Array(EtcdMemberStatus, { maxItems: 8, description: "Each etcd member, voters first." })),
  datastore: Type.Optional(DatastoreStatus),
  membership: Type.Optional(Type.String({ maxLength: 1024, description: "The etcd membership change under way (a learner added, promoted, a member removed or replaced), or why it waits; with none, the maintenance under way (a member defragmented, a NOSPACE alarm worked off)." })),
});

/** The control plane's replicas and etcd members. */
export type ControlPlaneStatus = Type.Static<typeof ControlPlaneStatus>;
