import Type from "typebox";
import { ageColumn, type KindDefinition } from "../crd/definition.ts";
import { maxNameLength } from "../schema/names.ts";
import { MapList, StringEnum } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { policyClusterStates } from "./cluster-policy.ts";

/** A policy that selects the cluster, by identity and the generation its agent should reach. */
export const ClusterSyncPolicyRef = Type.Object({
  namespace: Type.String({ maxLength: 63 }),
  name: Type.String({ maxLength: 253 }),
  uid: Type.String({ maxLength: 64 }),
  generation: Type.Integer({ minimum: 0, format: "int64" }),
});
/** A reference to a ClusterPolicy from a ClusterSync. */
export type ClusterSyncPolicyRef = Type.Static<typeof ClusterSyncPolicyRef>;

/** Maximum problems an agent lists per policy: the object stays small whatever goes wrong. */
export const maxSyncProblems = 10;

/** An object a policy could not keep as it says, and why. */
export const SyncProblem = Type.Object({
  kind: Type.String({ maxLength: 128 }),
  apiVersion: Type.Optional(Type.String({ maxLength: 256 })),
  namespace: Type.Optional(Type.String({ maxLength: 63 })),
  name: Type.String({ maxLength: 253 }),
  reason: StringEnum(["Conflict", "Drifted", "Failed"], { description: "Conflict: the policy's rules say to leave it; Drifted: an object the policy keeps differs from it and could not be set back yet (retried); Failed: it could not be applied or removed." }),
  message: Type.String({ maxLength: 1024 }),
});
/** One problem of a policy on a cluster. */
export type SyncProblem = Type.Static<typeof SyncProblem>;

/** How one policy stands on the cluster, as its agent last applied it. */
export const ClusterSyncPolicyStatus = Type.Object({
  namespace: Type.String({ maxLength: 63 }),
  name: Type.String({ maxLength: 253 }),
  uid: Type.String({ maxLength: 64 }),
  observedGeneration: Type.Integer({ minimum: 0, format: "int64", description: "The policy's generation this state is of." }),
  state: StringEnum(policyClusterStates),
  objects: Type.Integer({ minimum: 0, description: "Objects the policy keeps on the cluster." }),
  problems: Type.Optional(Type.Array(SyncProblem, { maxItems: maxSyncProblems, description: "The first objects in conflict or failing (at most 10)." })),
  problemCount: Type.Optional(Type.Integer({ minimum: 0, description: "All objects in conflict or failing, listed or not." })),
  lastSyncTime: Type.String({ format: "date-time" }),
});
/** A policy's state on one cluster. */
export type ClusterSyncPolicyStatus = Type.Static<typeof ClusterSyncPolicyStatus>;

/** The policies that select a cluster: the operator writes the spec, the cluster's agent the status. */
export const ClusterSyncSchema = Type.Object({
  spec: Type.Object({
    policies: Type.Optional(MapList(ClusterSyncPolicyRef, ["namespace", "name"], { maxItems: 1024, description: "Every ClusterPolicy that selects the cluster (the operator keeps this list)." })),
  }),
  status: Type.Optional(Type.Object({
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64", description: "The ClusterSync generation the agent last applied in full." })),
    policies: Type.Optional(MapList(ClusterSyncPolicyStatus, ["namespace", "name"], { maxItems: 1024, description: "Each policy's state on the cluster (its agent writes this)." })),
    pruning: Type.Optional(Type.Integer({ minimum: 0, description: "Policies no longer selecting the cluster whose objects the agent is still removing (or orphaning)." })),
  })),
});

/** One per Cluster, named as it: what its policy agent keeps there, and how that went. */
export type ClusterSync = ResourceOf<"ClusterSync", typeof ClusterSyncSchema>;

/** ClusterSync as a CRD. */
export const clusterSyncKind: KindDefinition = {
  kind: "ClusterSync",
  plural: "clustersyncs",
  singular: "clustersync",
  shortNames: ["csync"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.cluster, why: "it is named after its Cluster" },
  schema: ClusterSyncSchema,
  description: "The ClusterPolicies that select one Cluster (spec, kept by the operator) and how each is applied there (status, written by the cluster's policy agent, whose credentials may write nothing else). Named after its Cluster; deleted with it.",
  printerColumns: [
    { name: "Applied", type: "integer", jsonPath: ".status.observedGeneration", priority: 1 },
    ageColumn,
  ],
};
