import { projectClusterRoleName, projectRoles, type Project } from "@seedbed/api";

type Manifest = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

/** The namespace of a project's clusters. */
export function projectNamespace(project: string): string {
  return `project-${project}`;
}

/** The objects a Project owns, in the order they are applied. Pure. */
export function renderProject(project: Project): Manifest[] {
  const name = project.metadata.name ?? "";
  const namespace = projectNamespace(name);
  const owner = [{ apiVersion: project.apiVersion, kind: project.kind, name, uid: project.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }];
  const labels = { "seedbed.dev/project": name };
  const objects: Manifest[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels, ownerReferences: owner } }];
  for (const role of projectRoles) {
    const members = project.spec.members.filter((m) => m.role === role);
    objects.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `seedbed-${role}s`, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: projectClusterRoleName(role) },
      subjects: members.map((m) => ({ apiGroup: "rbac.authorization.k8s.io", kind: m.kind, name: m.name })),
    });
  }
  const quota = project.spec.quota;
  const hard: Record<string, string> = {};
  if (quota?.clusters !== undefined) hard["count/clusters.seedbed.dev"] = String(quota.clusters);
  if (quota?.nodePools !== undefined) hard["count/nodepools.seedbed.dev"] = String(quota.nodePools);
  // An empty quota would still be an object to keep; none is rendered then (and an old one is deleted).
  if (Object.keys(hard).length > 0) objects.push({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "seedbed-project", namespace, labels }, spec: { hard } });
  return objects;
}
