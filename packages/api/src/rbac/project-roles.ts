import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { group } from "../schema/resource.ts";

/** The three roles a project member can have. */
export const projectRoles = ["owner", "editor", "viewer"] as const;
export type ProjectRole = (typeof projectRoles)[number];

/** The ClusterRole a role is granted through, by a RoleBinding in namespace project-<name>. */
export function projectClusterRoleName(role: ProjectRole): string {
  return `seedbed-project-${role}`;
}

const tenantKinds = ["clusters", "nodepools", "clustertemplates", "etcdbackups", "etcdrestores", "clusterpolicies"];
/**
 * Owners alone write ClusterPolicies: a policy's agent applies it in the
 * project's clusters as their admin, and only owners are cluster-admin
 * there (editors get `edit`): an editor's policy could grant what the
 * editor does not hold.
 */
const ownerOnlyKinds = ["clusterpolicies"];
const editorWritable = tenantKinds.filter((kind) => !ownerOnlyKinds.includes(kind));
/**
 * Read only, for every role: ClusterSyncs are written by the operator
 * (spec) and each cluster's policy agent (status), never by members; they
 * hold a policy's per-cluster detail (`seedbed policy status`).
 */
const readOnlyKinds = ["clustersyncs"];
const read = ["get", "list", "watch"];
/** What every role reads: the kinds and their status. */
const readable = [...tenantKinds, ...readOnlyKinds, ...[...tenantKinds, ...readOnlyKinds].map((k) => `${k}/status`)];
const write = ["create", "update", "patch", "delete"];

/**
 * Every member records the kubeconfigs they take in the cluster's
 * kubeconfig ledger (ConfigMap <cluster>-kubeconfigs, see
 * packages/api/src/ledger) with their own token, as `seedbed kubeconfig`
 * and the REST API do: get, create (the first hand-out) and patch (their
 * own key); no list, update or delete. RBAC cannot narrow this to the
 * ledgers (their names vary per cluster, and create is never checked by
 * name), so a member can write any ConfigMap of their project's namespace:
 * nothing there is trusted but the ledgers themselves, which only ever
 * inform (who still holds an old CA), never authorize. The server keeps no
 * write right of its own, and the CLI needs no REST endpoint to record.
 */
const ledger = { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "patch"] };

/**
 * What each role may do inside its project's namespace. Kubernetes RBAC
 * enforces it; Seedbed only binds. Owners alone read Secrets (the admin
 * kubeconfigs and PKI live there) and change the quota-free objects.
 */
const rules: Record<ProjectRole, object[]> = {
  viewer: [
    { apiGroups: [group], resources: readable, verbs: read },
    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: read },
    { apiGroups: [""], resources: ["resourcequotas"], verbs: read },
    ledger,
  ],
  editor: [
    { apiGroups: [group], resources: readable, verbs: read },
    { apiGroups: [group], resources: editorWritable, verbs: write },
    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: read },
    { apiGroups: [""], resources: ["resourcequotas"], verbs: read },
    ledger,
  ],
  owner: [
    { apiGroups: [group], resources: readable, verbs: read },
    { apiGroups: [group], resources: tenantKinds, verbs: write },
    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: read },
    { apiGroups: [""], resources: ["resourcequotas"], verbs: read },
    { apiGroups: [""], resources: ["secrets"], verbs: read },
    ledger,
  ],
};

/** The ClusterRoles of project members, as applied by `seedbed up` and shipped in the Helm chart. */
export function projectClusterRoles(): Record<string, unknown>[] {
  return projectRoles.map((role) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: projectClusterRoleName(role), labels: { "app.kubernetes.io/part-of": "seedbed" } },
    rules: rules[role],
  }));
}

/** The chart's copy of the roles (generated; a unit test keeps it current). */
export const chartProjectRolesFile: string = fileURLToPath(new URL("../../../../deploy/helm/seedbed/templates/project-roles.yaml", import.meta.url));

/** The roles as the chart's template file (with the chart's standard labels). */
export function renderProjectRoles(): string {
  const roles = projectClusterRoles().map((role) => {
    const { rules, metadata } = role as { rules: object[]; metadata: { name: string } };
    const head = stringify({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: metadata.name } }, { lineWidth: 0 });
    return `${head}  labels:\n    {{- include "seedbed.labels" . | nindent 4 }}\n${stringify({ rules }, { lineWidth: 0 })}`;
  });
  return `# Generated from packages/api/src/rbac by \`npm run generate -w @seedbed/api\`. Do not edit.\n${roles.join("---\n")}`;
}
