import type { ValidationRule } from "./primitives.ts";

/** A DNS-1123 label: what namespaces, Services and most derived names must be. */
export const dns1123LabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/**
 * Longest names we accept per kind, shorter than Kubernetes' 63 so that the
 * names derived from them fit: a cluster's seed namespace is
 * `cluster-<project>-<cluster>` (8 + 24 + 1 + 30 = 63), a project's
 * namespace `project-<project>`, a machine `<pool>-<5 chars>`.
 */
export const maxNameLength = {
  project: 24,
  cluster: 30,
  clusterTemplate: 63,
  nodePool: 40,
  etcdBackup: 63,
  etcdRestore: 63,
  clusterPolicy: 63,
  seed: 40,
} as const;

/** A rule for a field that names another object by a DNS-1123 label. */
export function referenceRule(what: string, max = 63): ValidationRule {
  return {
    rule: `self.matches('${dns1123LabelPattern}') && size(self) <= ${max}`,
    messageExpression: `'must name ${what}: a DNS-1123 label of at most ${max} characters, got \\'' + self + '\\''`,
  };
}
