import type { ValidationRule } from "./primitives.ts";

/** A DNS-1123 label: what namespaces, Services and most derived names must be. */
export const dns1123LabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/**
 * Longest names we accept per kind, shorter than Kubernetes' 63 so that the
 * names derived from them fit: a cluster's seed namespace is
 * `cluster-<project>--<cluster>` (8 + 23 + 2 + 30 = 63; new projects are
 * limited to 23 by newProjectNameRules, projects of 24 made before stay
 * valid), a project's namespace `project-<project>`, a machine
 * `<pool>-<5 chars>`.
 */
export const maxNameLength = {
  project: 24,
  cluster: 30,
  clusterTemplate: 63,
  nodePool: 40,
  etcdBackup: 63,
  etcdRestore: 63,
  clusterPolicy: 63,
  upgradePlan: 63,
  seed: 40,
} as const;

/** The longest cluster identity (`<project>--<cluster>`): its seed namespace `cluster-<id>` must fit in 63. */
export const maxClusterIdLength = 63 - "cluster-".length;

/** The longest name of a Project created from now on (see maxNameLength). */
export const maxNewProjectNameLength = 23;

/**
 * Rules on a new Project's name (projects made before them stay valid):
 * no `--`, which separates project and cluster in a cluster's identity, and
 * at most 23 characters so that `cluster-<project>--<cluster>` fits.
 */
export function newProjectNameRules(): ValidationRule[] {
  return [
    {
      rule: "oldSelf.hasValue() || !self.metadata.name.contains('--')",
      optionalOldSelf: true,
      messageExpression: `"a project name may not contain '--' (it separates project and cluster in the names Seedbed derives): use single hyphens, e.g. '" + self.metadata.name.replace('--', '-') + "'"`,
      fieldPath: ".metadata.name",
    },
    {
      rule: `oldSelf.hasValue() || size(self.metadata.name) <= ${maxNewProjectNameLength}`,
      optionalOldSelf: true,
      message: `must be no more than ${maxNewProjectNameLength} characters, so that the seed namespaces of its clusters (cluster-<project>--<cluster>) fit in 63`,
      fieldPath: ".metadata.name",
    },
  ];
}

/** A rule for a field that names another object by a DNS-1123 label. */
export function referenceRule(what: string, max = 63): ValidationRule {
  return {
    rule: `self.matches('${dns1123LabelPattern}') && size(self) <= ${max}`,
    messageExpression: `'must name ${what}: a DNS-1123 label of at most ${max} characters, got \\'' + self + '\\''`,
  };
}
