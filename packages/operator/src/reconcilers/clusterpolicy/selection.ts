import { platformPolicyNamespace, projectOfNamespace, seedRegionLabel, type Cluster, type ClusterPolicy, type ClusterSyncPolicyRef, type Project } from "@seedbed/api";
import { projectNamespace } from "../project/render.ts";
import { compareKeys, matchesSelector } from "../upgradeplan/select.ts";

/**
 * Which clusters a policy can reach at all, from its namespace alone: a
 * project's namespace reaches that project's clusters, the platform's
 * namespace reaches every project's, any other namespace none (a policy
 * there would otherwise be a way around a project's boundaries).
 */
export type PolicyReach =
  | { readonly kind: "project"; readonly namespace: string }
  | { readonly kind: "platform" }
  | { readonly kind: "none" };

/** The project whose namespace `namespace` is (project-<name>), or undefined for any other namespace. */
export function projectOf(namespace: string): string | undefined {
  const project = projectOfNamespace(namespace);
  return project !== "" && projectNamespace(project) === namespace ? project : undefined;
}

/** The reach of a policy in `namespace`. Pure. */
export function policyReach(namespace: string): PolicyReach {
  if (namespace === platformPolicyNamespace) return { kind: "platform" };
  return projectOf(namespace) === undefined ? { kind: "none" } : { kind: "project", namespace };
}

/** Looks a Project up by name (the operator's cache). */
export type ProjectLookup = (name: string) => Project | undefined;

/**
 * Whether `policy` selects `cluster`: the cluster is within the policy's
 * reach, not being deleted, its labels match spec.clusterSelector, and
 * its Project's labels match spec.projectSelector (a filter wherever the
 * policy lives; a Project not in the cache has no labels). Pure.
 */
export function policySelects(policy: ClusterPolicy, cluster: Cluster, project: ProjectLookup): boolean {
  if (policy.metadata.deletionTimestamp !== undefined || cluster.metadata.deletionTimestamp !== undefined) return false;
  const clusterNamespace = cluster.metadata.namespace ?? "";
  const reach = policyReach(policy.metadata.namespace ?? "");
  if (reach.kind === "none") return false;
  if (reach.kind === "project" && reach.namespace !== clusterNamespace) return false;
  const projectName = projectOf(clusterNamespace);
  if (projectName === undefined) return false;
  if (!matchesSelector(policy.spec.clusterSelector, selectorLabels(cluster))) return false;
  return policy.spec.projectSelector === undefined || matchesSelector(policy.spec.projectSelector, project(projectName)?.metadata.labels);
}

/**
 * The labels a clusterSelector sees: the Cluster's own, and the region of
 * the Seed hosting it (status.region) as topology.kubernetes.io/region,
 * the label Seeds carry, unless the user set that label themselves. Pure.
 */
export function selectorLabels(cluster: Cluster): Readonly<Record<string, string>> {
  const region = cluster.status?.region;
  return region === undefined ? (cluster.metadata.labels ?? {}) : { [seedRegionLabel]: region, ...cluster.metadata.labels };
}

/** The policies among `candidates` that select `cluster`, sorted by namespace, then name. Pure. */
export function policiesSelecting(cluster: Cluster, candidates: readonly ClusterPolicy[], project: ProjectLookup): ClusterPolicy[] {
  return candidates.filter((p) => policySelects(p, cluster, project)).sort(byKey);
}

/** The clusters among `candidates` that `policy` selects, sorted by namespace, then name. Pure. */
export function clustersSelectedBy(policy: ClusterPolicy, candidates: readonly Cluster[], project: ProjectLookup): Cluster[] {
  return candidates.filter((c) => policySelects(policy, c, project)).sort(byKey);
}

/** A ClusterSync's reference to `policy`: identity and the generation its agent should reach. */
export function policyRef(policy: ClusterPolicy): ClusterSyncPolicyRef {
  return { namespace: policy.metadata.namespace ?? "", name: policy.metadata.name ?? "", uid: policy.metadata.uid ?? "", generation: policy.metadata.generation ?? 0 };
}

function byKey(a: { metadata: { namespace?: string; name?: string } }, b: { metadata: { namespace?: string; name?: string } }): number {
  return compareKeys(a.metadata.namespace ?? "", a.metadata.name ?? "", b.metadata.namespace ?? "", b.metadata.name ?? "");
}
