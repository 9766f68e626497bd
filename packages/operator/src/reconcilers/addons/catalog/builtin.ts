import type { KubernetesObject } from "@kubernetes/client-node";
import type { KindRef } from "@seedbed/runtime";
import { renderCoreDNS } from "./coredns.ts";
import { renderDashboard } from "./dashboard.ts";
import { renderMetricsServer } from "./metrics-server.ts";
import type { AddonContext, BuiltinAddonName, RenderedManifests } from "./types.ts";

/** The add-ons Seedbed renders itself, in the order they are best installed (DNS first: the others' pods resolve names). */
export const builtinAddonNames: readonly BuiltinAddonName[] = ["coredns", "metrics-server", "dashboard"];

const renderers: Readonly<Record<BuiltinAddonName, (ctx: AddonContext) => RenderedManifests>> = {
  coredns: renderCoreDNS,
  "metrics-server": renderMetricsServer,
  dashboard: renderDashboard,
};

/** What a built-in add-on consists of for a cluster: the objects to apply and repair, and its version. */
export function renderBuiltinAddon(name: BuiltinAddonName, ctx: AddonContext): RenderedManifests {
  return renderers[name](ctx);
}

/** A kind a built-in add-on's objects are of: enough to watch it without discovery (the runtime's {@link KindRef}). */
export type AddonKind = KindRef;

/** Every kind the built-in add-ons render. A renderer that uses another must add it here: {@link addonKinds} refuses kinds it does not know. */
const knownKinds: readonly AddonKind[] = [
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true },
  { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", plural: "apiservices", namespaced: false },
];

const kindKey = (apiVersion: string, kind: string): string => `${apiVersion} ${kind}`;
const kindsByKey: ReadonlyMap<string, AddonKind> = new Map(knownKinds.map((k) => [kindKey(k.apiVersion, k.kind), k]));

/**
 * The distinct kinds of a rendering's objects, in the order they first
 * appear: the add-on controller opens one watch per kind. A kind missing
 * from the table is a programming error and throws (its plural cannot be
 * guessed safely).
 */
export function addonKinds(objects: readonly KubernetesObject[]): AddonKind[] {
  const seen = new Map<string, AddonKind>();
  for (const object of objects) {
    const key = kindKey(object.apiVersion ?? "", object.kind ?? "");
    const kind = kindsByKey.get(key);
    if (kind === undefined) throw new Error(`add-on object ${object.metadata?.name ?? "(unnamed)"} is of kind "${key}", which the add-on kind table (catalog/builtin.ts) does not list`);
    if (!seen.has(key)) seen.set(key, { ...kind });
  }
  return [...seen.values()];
}
