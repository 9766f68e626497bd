import Type from "typebox";
import { ageColumn, readyColumn, type KindDefinition } from "../crd/definition.ts";
import { LabelSelector, StatusOf } from "../schema/common.ts";
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

/** A Role (with namespace) or ClusterRole (without) to keep on each selected cluster. */
export const PolicyRole = Type.Object({
  name: kubeName,
  namespace: Type.Optional(namespaceName),
  rules: Type.Array(PolicyRule, { maxItems: 64 }),
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
}, { "x-kubernetes-validations": [{ rule: "self.roleRef.kind == 'ClusterRole' || has(self.namespace)", message: "a binding to a Role needs a namespace (the Role's)", fieldPath: ".roleRef" }] });

/** What to keep in sync on every cluster the selector matches. */
export const ClusterPolicySpec = Type.Object({
  clusterSelector: LabelSelector,
  namespaces: Type.Optional(MapList(Type.Object({ name: namespaceName, labels: Type.Optional(StringMap()), annotations: Type.Optional(StringMap()) }), ["name"], { maxItems: 256 })),
  roles: Type.Optional(Type.Array(PolicyRole, { maxItems: 256 })),
  bindings: Type.Optional(Type.Array(PolicyBinding, { maxItems: 256 })),
  manifests: Type.Optional(Type.Array(FreeForm({ embeddedResource: true }), { maxItems: 256, description: "Any other objects, applied as written." })),
  prune: Type.Boolean({ default: true, description: "Delete from the clusters what a policy stops listing (or when a cluster stops matching)." }),
});

/** A policy's phases. */
export const clusterPolicyPhases = ["Pending", "Synced", "Partial", "Failed"] as const;

/** Sync state across the selected clusters. */
export const ClusterPolicyStatus = StatusOf(clusterPolicyPhases, {
  matchedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  syncedClusters: Type.Optional(Type.Integer({ minimum: 0 })),
  clusters: Type.Optional(Type.Array(Type.Object({
    name: Type.String(),
    namespace: Type.String(),
    synced: Type.Boolean(),
    message: Type.Optional(Type.String({ maxLength: 1024 })),
  }), { maxItems: 10000 })),
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
    { name: "Matched", type: "integer", jsonPath: ".status.matchedClusters" },
    { name: "Synced", type: "integer", jsonPath: ".status.syncedClusters" },
    readyColumn,
    ageColumn,
  ],
};
