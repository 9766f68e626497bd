import Type from "typebox";
import { BackupStorage } from "./backup-storage.ts";
import { UpgradePolicy } from "./upgrade.ts";
import { ageColumn, phaseColumn, readyColumn, type KindDefinition } from "../crd/definition.ts";
import { described, StatusOf } from "../schema/common.ts";
import { maxNameLength, newProjectNameRules } from "../schema/names.ts";
import { MapList, StringEnum } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";

/** A project member and what they may do. */
export const ProjectMember = Type.Object({
  kind: StringEnum(["User", "Group"], { default: "User" }),
  name: Type.String({ minLength: 1, maxLength: 256, description: "The user or group name as the OIDC issuer asserts it." }),
  role: StringEnum(["owner", "editor", "viewer"], { description: "owner: everything, including members and admin kubeconfigs; editor: create and change clusters; viewer: read only." }),
});

/** Limits on what a project may create. */
export const ProjectQuota = Type.Object({
  clusters: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  nodePools: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  nodes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000, description: "Sum of node pool replicas (and autoscaling maxima)." })),
});

/** A tenant: its members, their roles, its quota. */
export const ProjectSpec = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 128 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  members: MapList(ProjectMember, ["kind", "name"], { maxItems: 256, default: [] }),
  quota: Type.Optional(ProjectQuota),
  backupStorage: Type.Optional(BackupStorage("a Secret in the project's namespace (project-<name>): leave credentialsSecretRef.namespace out", "Where the etcd snapshots of the project's clusters go, unless a cluster (or its template) names its own store; the seed's, then the platform's store when omitted.")),
  upgrade: Type.Optional(described(UpgradePolicy, "The upgrade deadline and maintenance windows of the project's clusters that set no spec.upgrade of their own.")),
});

/** A project's phases. */
export const projectPhases = ["Pending", "Active", "Terminating"] as const;

/** What the platform observed of a project. */
export const ProjectStatus = StatusOf(projectPhases, {
  namespace: Type.Optional(Type.String({ description: "The namespace holding the project's clusters: project-<name>." })),
});

/** The Project resource schema. */
export const ProjectSchema = Type.Object({ spec: ProjectSpec, status: Type.Optional(ProjectStatus) }, {
  "x-kubernetes-validations": [
    { rule: "size(self.spec.members) == 0 || self.spec.members.exists(m, m.role == 'owner')", message: "a project with members needs at least one owner", fieldPath: ".spec.members" },
    ...newProjectNameRules(),
  ],
});

/** A tenant of the platform. */
export type Project = ResourceOf<"Project", typeof ProjectSchema>;
/** A Project's spec. */
export type ProjectSpec = Type.Static<typeof ProjectSpec>;

/** Project as a CRD. */
export const projectKind: KindDefinition = {
  kind: "Project",
  plural: "projects",
  singular: "project",
  shortNames: ["proj", "sbproj"],
  scope: "Cluster",
  name: { maxLength: maxNameLength.project, why: "so that project-<name> and the names of its clusters' seed namespaces fit" },
  schema: ProjectSchema,
  description: "A tenant: members with owner, editor or viewer roles and a quota. Owns namespace project-<name>, where its clusters live.",
  printerColumns: [
    { name: "Display Name", type: "string", jsonPath: ".spec.displayName" },
    phaseColumn,
    readyColumn,
    { name: "Namespace", type: "string", jsonPath: ".status.namespace" },
    { name: "Max Clusters", type: "integer", jsonPath: ".spec.quota.clusters", priority: 1 },
    ageColumn,
  ],
};
