import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CustomResourceDefinition,
  V1Deployment,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

/** Parses a multi-document YAML stream as Helm prints it; empty documents are dropped, a malformed one throws. */
export function parseManifests(stream: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(stream)) {
    if (doc.errors.length > 0) throw new Error(`malformed YAML in the rendered chart: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

/** The kinds the chart renders, with the client-node model of each. */
export interface RenderedKinds {
  ClusterRole: V1ClusterRole;
  ClusterRoleBinding: V1ClusterRoleBinding;
  CustomResourceDefinition: V1CustomResourceDefinition;
  Deployment: V1Deployment;
  PodDisruptionBudget: V1PodDisruptionBudget;
  Role: V1Role;
  RoleBinding: V1RoleBinding;
  Service: V1Service;
  ServiceAccount: V1ServiceAccount;
}

/** Every object of a kind, typed as its model (the YAML's fields are the models' JSON names). */
export function ofKind<K extends keyof RenderedKinds>(objects: readonly KubernetesObject[], kind: K): RenderedKinds[K][] {
  return objects.filter((o) => o.kind === kind) as RenderedKinds[K][];
}

/** The single object of a kind (and name, if given); throws naming what was there when there is not exactly one. */
export function theOne<K extends keyof RenderedKinds>(objects: readonly KubernetesObject[], kind: K, name?: string): RenderedKinds[K] {
  const found = ofKind(objects, kind).filter((o) => name === undefined || o.metadata?.name === name);
  if (found.length !== 1 || !found[0]) {
    const present = objects.map((o) => `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`).join(", ");
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length} among: ${present}`);
  }
  return found[0];
}

/** A rule with the Role or ClusterRole that grants it, e.g. "ClusterRole/seedbed-operator". */
export interface GrantedRule {
  readonly grantedBy: string;
  readonly namespace?: string;
  readonly rule: V1PolicyRule;
}

/** Every rule of every Role and ClusterRole among the objects. */
export function rbacRules(objects: readonly KubernetesObject[]): GrantedRule[] {
  return objects
    .filter((o) => o.kind === "Role" || o.kind === "ClusterRole")
    .flatMap((o) =>
      ((o as V1Role | V1ClusterRole).rules ?? []).map((rule) => ({
        grantedBy: `${o.kind ?? ""}/${o.metadata?.name ?? ""}`,
        namespace: o.metadata?.namespace,
        rule,
      })),
    );
}

/**
 * Whether a rule names `verb` on `resource` (a plural, or plural/subresource)
 * of API group `group` ("" is core). Wildcards are not expanded: the chart
 * must not use them, which a test checks on its own.
 */
export function allows(rule: V1PolicyRule, group: string, resource: string, verb: string): boolean {
  return (rule.apiGroups ?? []).includes(group) && (rule.resources ?? []).includes(resource) && rule.verbs.includes(verb);
}
