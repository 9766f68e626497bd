import { policyNameAnnotation, policyUIDLabel, type ClusterPolicy, type ClusterPolicySpec, type PolicyConflicts } from "@seedbed/api";
import { refKey, refOf } from "./object-ref.ts";

/** A conflict rule set with every choice made (defaults filled in). */
export interface ConflictRules {
  readonly existing: "Adopt" | "Report";
  readonly changed: "Overwrite" | "Report";
}

/** The defaults of PolicyConflicts: report what the policy did not make, set back what others changed. */
export const defaultConflictRules: ConflictRules = { existing: "Report", changed: "Overwrite" };

/** A tenant object as the policy would have it: what is applied, carrying the policy's label and annotation. */
export interface TenantObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  [field: string]: unknown;
}

/** One object a policy keeps on a cluster, with the rules for when it is not as the policy says. */
export interface DesiredObject {
  readonly object: TenantObject;
  readonly conflicts: ConflictRules;
}

/** What names a policy on its objects. */
export interface PolicyIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

type PolicyRole = NonNullable<ClusterPolicySpec["roles"]>[number];
type PolicyBinding = NonNullable<ClusterPolicySpec["bindings"]>[number];
type PolicyNamespace = NonNullable<ClusterPolicySpec["namespaces"]>[number];

const rbacGroup = "rbac.authorization.k8s.io";
const rbacVersion = `${rbacGroup}/v1`;

/** An entry's rules over the policy's over the defaults. */
export function mergeConflictRules(policy: PolicyConflicts | undefined, entry: PolicyConflicts | undefined): ConflictRules {
  return {
    existing: entry?.existing ?? policy?.existing ?? defaultConflictRules.existing,
    changed: entry?.changed ?? policy?.changed ?? defaultConflictRules.changed,
  };
}

/** The identity a policy's objects are labelled with. */
export function policyIdentity(policy: ClusterPolicy): PolicyIdentity {
  return { namespace: policy.metadata.namespace ?? "", name: policy.metadata.name ?? "", uid: policy.metadata.uid ?? "" };
}

/** `<namespace>/<name>` of a policy, as its annotation and inventory say. */
export function policyDisplayName(policy: PolicyIdentity): string {
  return `${policy.namespace}/${policy.name}`;
}

/**
 * Every object a policy keeps on a cluster, in apply order (namespaces,
 * then roles, then bindings, then manifests as written). Pure and stable:
 * the same policy gives identical output. A second entry naming an object
 * already rendered is dropped: the first one wins.
 */
export function renderPolicy(policy: ClusterPolicy): DesiredObject[] {
  const identity = policyIdentity(policy);
  const spec = policy.spec;
  const rendered: DesiredObject[] = [
    ...(spec.namespaces ?? []).map((ns) => ({ object: renderNamespace(ns, identity), conflicts: mergeConflictRules(spec.conflicts, ns.conflicts) })),
    ...(spec.roles ?? []).map((role) => ({ object: renderRole(role, identity), conflicts: mergeConflictRules(spec.conflicts, role.conflicts) })),
    ...(spec.bindings ?? []).map((binding) => ({ object: renderBinding(binding, identity), conflicts: mergeConflictRules(spec.conflicts, binding.conflicts) })),
    ...(spec.manifests ?? []).map((manifest) => ({ object: renderManifest(manifest, identity), conflicts: mergeConflictRules(spec.conflicts, undefined) })),
  ];
  const seen = new Set<string>();
  return rendered.filter(({ object }) => {
    const key = refKey(refOf(object));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The metadata every rendered object carries: the policy's label and annotation over the entry's own. */
function policyMetadata(identity: PolicyIdentity, name: string, namespace: string | undefined, labels?: Record<string, string>, annotations?: Record<string, string>): TenantObject["metadata"] {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...labels, [policyUIDLabel]: identity.uid },
    annotations: { ...annotations, [policyNameAnnotation]: policyDisplayName(identity) },
  };
}

function renderNamespace(ns: PolicyNamespace, identity: PolicyIdentity): TenantObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: policyMetadata(identity, ns.name, undefined, ns.labels, ns.annotations) };
}

function renderRole(role: PolicyRole, identity: PolicyIdentity): TenantObject {
  const rules = role.rules.map((rule) => withoutUndefined({ ...rule }));
  return { apiVersion: rbacVersion, kind: role.namespace === undefined ? "ClusterRole" : "Role", metadata: policyMetadata(identity, role.name, role.namespace), rules };
}

function renderBinding(binding: PolicyBinding, identity: PolicyIdentity): TenantObject {
  const subjects = binding.subjects.map((subject) =>
    // Users and Groups live in the RBAC group; a ServiceAccount's apiGroup is the core group, left out.
    subject.kind === "ServiceAccount"
      ? { kind: subject.kind, name: subject.name, namespace: subject.namespace }
      : { apiGroup: rbacGroup, kind: subject.kind, name: subject.name },
  );
  return {
    apiVersion: rbacVersion,
    kind: binding.namespace === undefined ? "ClusterRoleBinding" : "RoleBinding",
    metadata: policyMetadata(identity, binding.name, binding.namespace),
    roleRef: { apiGroup: rbacGroup, kind: binding.roleRef.kind, name: binding.roleRef.name },
    subjects,
  };
}

/** Metadata the API server sets: never part of what a policy applies. */
const serverSetMetadata = new Set(["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences"]);

function renderManifest(manifest: Record<string, unknown>, identity: PolicyIdentity): TenantObject {
  const copy = structuredClone(manifest);
  delete copy["status"];
  const written = isRecord(copy["metadata"]) ? copy["metadata"] : {};
  const metadata = Object.fromEntries(Object.entries(written).filter(([field]) => !serverSetMetadata.has(field)));
  const name = typeof metadata["name"] === "string" ? metadata["name"] : "";
  const namespace = typeof metadata["namespace"] === "string" && metadata["namespace"] !== "" ? metadata["namespace"] : undefined;
  const labels = isRecord(metadata["labels"]) ? (metadata["labels"] as Record<string, string>) : undefined;
  const annotations = isRecord(metadata["annotations"]) ? (metadata["annotations"] as Record<string, string>) : undefined;
  return {
    ...copy,
    apiVersion: typeof copy["apiVersion"] === "string" ? copy["apiVersion"] : "",
    kind: typeof copy["kind"] === "string" ? copy["kind"] : "",
    metadata: { ...metadata, ...policyMetadata(identity, name, namespace, labels, annotations) },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
