import { CoreV1Api, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, installCRDs, projectClusterRoles } from "@seedbed/api";
import { apply, ObjectClient } from "@seedbed/runtime";

/** The project every installation starts with, used when a command names none. */
export const defaultProjectName = "default";
/** The Seed `seedbed up` registers for its own machine. */
export const localSeedName = "local";

/** Members of this OIDC group administer the whole platform (cluster-admin on the management API). */
export const platformAdminsGroup = "seedbed:admins";

/** What a development platform starts with besides the defaults: projects of its sample users. */
export interface BootstrapOptions {
  readonly projects?: readonly { readonly name: string; readonly owner: string; readonly viewers?: readonly string[] }[];
  /** Whether the local Seed is the default one (default true; `up --seed kubernetes` makes the real seed the default). */
  readonly localSeedIsDefault?: boolean;
}

/**
 * Makes a fresh management API ready for use: the CRDs, the project roles, the default project
 * (and its namespace) and this machine as the default `local` Seed. Every
 * step is a server-side apply, so running it on each start changes nothing
 * that is already there.
 */
export async function bootstrapManagementAPI(kc: KubeConfig, options: BootstrapOptions = {}): Promise<void> {
  await installCRDs(kc);
  const client = ObjectClient.fromKubeConfig(kc);
  const applyObject = async (object: KubernetesObject): Promise<void> => {
    await apply(client, object);
  };
  // The roles project members are bound to (the operator binds them per project).
  for (const role of projectClusterRoles()) await applyObject(role);
  await applyObject({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: platformAdminsGroup },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: platformAdminsGroup }],
  } as KubernetesObject);
  for (const project of options.projects ?? []) {
    await applyObject({ apiVersion, kind: "Project", metadata: { name: project.name }, spec: { members: [{ kind: "User", name: project.owner, role: "owner" }, ...(project.viewers ?? []).map((name) => ({ kind: "User", name, role: "viewer" }))] } } as KubernetesObject);
  }
  await applyObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: `project-${defaultProjectName}`, labels: { "seedbed.dev/project": defaultProjectName } } });
  await applyObject({ apiVersion, kind: "Project", metadata: { name: defaultProjectName }, spec: { displayName: "Default project", members: [] } } as KubernetesObject);
  await applyObject({ apiVersion, kind: "Seed", metadata: { name: localSeedName }, spec: { driver: "local", default: options.localSeedIsDefault ?? true, region: "local" } } as KubernetesObject);
  // Wait until the namespace is usable (it may be Terminating from an earlier delete).
  await kc.makeApiClient(CoreV1Api).readNamespace({ name: `project-${defaultProjectName}` });
}
