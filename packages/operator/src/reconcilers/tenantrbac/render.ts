import { projectRoles, type Project, type ProjectRole } from "@seedbed/api";

type Manifest = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

/** The tenant's built-in role each project role is bound to, cluster-wide. */
export const tenantRoleOf: Readonly<Record<ProjectRole, string>> = { owner: "cluster-admin", editor: "edit", viewer: "view" };

/** The ClusterRoleBinding inside a tenant cluster that grants a project role. */
export function tenantBindingName(role: ProjectRole): string {
  return `seedbed:project-${role}s`;
}

/**
 * The ClusterRoleBindings that give a project's members their roles in each
 * of the project's clusters: owners cluster-admin, editors edit, viewers
 * view, as the same users and groups the OIDC login names. Pure; a binding
 * without members stays, empty, so a removed member loses access.
 */
export function renderTenantRBAC(project: Project | undefined): Manifest[] {
  const members = project?.spec.members ?? [];
  return projectRoles.map((role) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: tenantBindingName(role), labels: { "app.kubernetes.io/managed-by": "seedbed" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: tenantRoleOf[role] },
    subjects: members.filter((m) => m.role === role).map((m) => ({ apiGroup: "rbac.authorization.k8s.io", kind: m.kind, name: m.name })),
  }));
}
