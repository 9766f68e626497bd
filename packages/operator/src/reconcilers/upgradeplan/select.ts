import { projectOfNamespace, type Cluster, type LabelSelector, type UpgradePlanSpec } from "@seedbed/api";

/**
 * Whether `labels` satisfy a metav1.LabelSelector: every matchLabels pair
 * and every matchExpressions requirement (In, NotIn, Exists,
 * DoesNotExist), as Kubernetes evaluates them; an empty or absent selector
 * matches everything. Pure.
 */
export function matchesSelector(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  const own = labels ?? {};
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) if (own[key] !== value) return false;
  for (const { key, operator, values = [] } of selector?.matchExpressions ?? []) {
    const value = own[key];
    const present = value !== undefined;
    if (operator === "In" && !(present && values.includes(value))) return false;
    // NotIn matches a label that is absent, as in Kubernetes.
    if (operator === "NotIn" && present && values.includes(value)) return false;
    if (operator === "Exists" && !present) return false;
    if (operator === "DoesNotExist" && present) return false;
  }
  return true;
}

/**
 * The clusters an UpgradePlan selects: those its clusterSelector matches,
 * in its projects (the project of namespace project-<name>), not being
 * deleted; sorted by namespace, then name, so that the waves cut from them
 * are the same whoever lists them. Pure.
 */
export function selectClusters(spec: Pick<UpgradePlanSpec, "clusterSelector" | "projects">, clusters: readonly Cluster[]): Cluster[] {
  const projects = spec.projects === undefined || spec.projects.length === 0 ? undefined : new Set(spec.projects);
  return clusters
    .filter((c) => c.metadata.deletionTimestamp === undefined)
    .filter((c) => projects === undefined || projects.has(projectOfNamespace(c.metadata.namespace ?? "")))
    .filter((c) => matchesSelector(spec.clusterSelector, c.metadata.labels))
    .sort((a, b) => compareKeys(a.metadata.namespace ?? "", a.metadata.name ?? "", b.metadata.namespace ?? "", b.metadata.name ?? ""));
}

/** Orders namespace/name keys (code points, as Kubernetes lists them). */
export function compareKeys(namespaceA: string, nameA: string, namespaceB: string, nameB: string): number {
  if (namespaceA !== namespaceB) return namespaceA < namespaceB ? -1 : 1;
  if (nameA === nameB) return 0;
  return nameA < nameB ? -1 : 1;
}
