import Type from "typebox";
import { ageColumn, readyColumn, type KindDefinition } from "../crd/definition.ts";
import { described, LabelSelector, StatusOf } from "../schema/common.ts";
import { dns1123LabelPattern, maxNameLength } from "../schema/names.ts";
import { FreeForm, MapList, StringEnum, StringMap } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";

const kubeName = Type.String({ minLength: 1, maxLength: 253 });
const namespaceName = Type.String({ maxLength: 63, pattern: dns1123LabelPattern });

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export const PolicyRule = Type.Object({
  apiGroups: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 32 })),
  resources: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 64 })),
  resourceNames: Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: 64 })),
  nonResourceURLs: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 32 })),
  verbs: Type.Array(StringEnum(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate", "bind", "escalate", "use", "*"]), { minItems: 1, maxItems: 13 }),
});

/** What the agent does when an object is not as the policy would have it. */
export const PolicyConflicts = Type.Object({
  existing: Type.Optional(StringEnum(["Adopt", "Report"], { description: "An object of the same name the policy did not make: Adopt takes it over (fields others set differently are still reported, unless changed is Overwrite); Report leaves it alone and reports a conflict. Default Report." })),
  changed: Type.Optional(StringEnum(["Overwrite", "Report"], { description: "A field the policy sets that someone else changed or owns: Overwrite sets it back and takes it over; Report leaves it and reports a conflict. Default Overwrite." })),
});
/** A policy's conflict rules. */
export type PolicyConflicts = Type.Static<typeof PolicyConflicts>;

const conflictsOverride = Type.Optional({ ...PolicyConflicts, description: "This object's conflict rules, over the policy's spec.conflicts." });

/** A Role (with namespace) or ClusterRole (without) to keep on each selected cluster. */
export const PolicyRole = Type.Object({
  name: kubeName,
  namespace: Type.Optional(namespaceName),
  rules: Type.Array(PolicyRule, { maxItems: 64 }),
  conflicts: conflictsOverride,
});

/** A RoleBinding (with namespace) or ClusterRoleBinding (without). */
export const PolicyBinding = Type.Object({
  name: kubeName,
  namespace: Type.Optional(namespaceName),
  roleRef: Type.Object({ kind: StringEnum(["Role", "ClusterRole"]), name: kubeName }),
  subjects: Type.Array(Type.Object({
    kind: StringEnum(["User", "Group", "ServiceAccount"]),
    name: kubeName,
    namespace: Type.Optional(namespaceName),
  }, { "x-kubernetes-validations": [{ rule: "self.kind != 'ServiceAccount' || has(self.namespace)", message: "a ServiceAccount subject needs its namespace" }] }), { minItems: 1, maxItems: 64 }),
  conflicts: conflictsOverride,
}, { "x-kubernetes-validations": [{ rule: "self.roleRef.kind == 'ClusterRole' || has(self.namespace)", message: "a binding to a Role needs a namespace (the Role's)", fieldPath: ".roleRef" }] });

/** What to keep in sync on every cluster the selector matches. */
export const ClusterPolicySpec = Type.Object({
  clusterSelector: described(LabelSelector, "Clusters whose labels match ({} selects every cluster in the policy's reach)."),
  projectSelector: Type.Optional(described(LabelSelector, "Only clusters of Projects whose labels match (a policy in seedbed-system; one in a project namespace reaches that project's clusters only).")),
  namespaces: Type.Optional(MapList(Type.Object({ name: namespaceName, labels: Type.Optional(StringMap()), annotations: Type.Optional(StringMap()), conflicts: conflictsOverride }), ["name"], { maxItems: 256 })),
  roles: Type.Optional(Type.Array(PolicyRole, { maxItems: 256 })),
  bindings: Type.Optional(Type.Array(PolicyBinding, { maxItems: 256 })),
  manifests: Type.Optional(Type.Array(FreeForm({ embeddedResource: true }), { maxItems: 256, description: "Any other objects, applied as written (server-side apply)." })),
  conflicts: Type.Optional({ ...PolicyConflicts, description: "What the agent does with objects it did not make or whose fields someone else changed; each namespace, role and binding may say otherwise." }),
  prune: Type.Boolean({ default: true, description: "Delete from the clusters what a policy stops listing, and everything it made when it is deleted or a cluster stops matching; false orphans them (left in place, no longer the policy's)." }),
});
/** A ClusterPolicy's spec. */
export type ClusterPolicySpec = Type.Static<typeof ClusterPolicySpec>;

/** A policy's phases. */
export const clusterPolicyPhases = ["Pending", "Synced", "Partial", "Failed"] as const;

/** How a policy stands on one cluster, as that cluster's agent reports it. */
export const policyClusterStates = ["Pending", "InSync", "Drifted", "Conflicted", "Failed"] as const;
export type PolicyClusterState = (typeof policyClusterStates)[number];

/** How bad each state is, worst first: the order of a policy's offenders and of `seedbed policy status`. */
export const policyStateConcern: Readonly<Record<PolicyClusterState, number>> = { Failed: 0, Conflicted: 1, Drifted: 2, Pending: 3, InSync: 4 };

/** One of the clusters where a policy is worst off. */
export const PolicyOffender = Type.Object({
  namespace: Type.String({ maxLength: 63 }),
  name: Type.String({ maxLength: 253 }),
  state: StringEnum(policyClusterStates),
  message: Type.Optional(Type.String({ maxLength: 1024 })),
});

/** Maximum offenders a policy's status lists: its size must not grow with the fleet. */
export const maxPolicyOffenders = 10;

/** Sync state across the selected clusters: counts, and the worst few by name. */
export const ClusterPolicyStatus = StatusOf(clusterPolicyPhases, {
  selectedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  inSyncClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  pendingClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  driftedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  conflictedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  failedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  offenders: Type.Optional(Type.Array(PolicyOffender, { maxItems: maxPolicyOffenders, description: "The clusters where the policy is worst off (Failed, then Conflicted, Drifted, Pending), at most 10; per-cluster detail is in each cluster's ClusterSync." })),
});

/** The ClusterPolicy resource schema. */
export const ClusterPolicySchema = Type.Object({ spec: ClusterPolicySpec, status: Type.Optional(ClusterPolicyStatus) });

/** Namespaces, RBAC and manifests kept in sync on the clusters a selector matches. */
export type ClusterPolicy = ResourceOf<"ClusterPolicy", typeof ClusterPolicySchema>;

/** ClusterPolicy as a CRD. */
export const clusterPolicyKind: KindDefinition = {
  kind: "ClusterPolicy",
  plural: "clusterpolicies",
  singular: "clusterpolicy",
  shortNames: ["cpol", "sbpolicy"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.clusterPolicy, why: "the longest name Kubernetes allows for a label value" },
  schema: ClusterPolicySchema,
  description: "Namespaces, RBAC roles and bindings and other manifests kept in sync on every Cluster its selector matches: in a project namespace, that project's clusters; in seedbed-system, every cluster.",
  printerColumns: [
    { name: "Selected", type: "integer", jsonPath: ".status.selectedClusters" },
    { name: "InSync", type: "integer", jsonPath: ".status.inSyncClusters" },
    { name: "Conflicted", type: "integer", jsonPath: ".status.conflictedClusters", priority: 1 },
    { name: "Failed", type: "integer", jsonPath: ".status.failedClusters", priority: 1 },
    readyColumn,
    ageColumn,
  ],
};
