import type { KubernetesObject } from "@kubernetes/client-node";

/**
 * Enough about a kind to build its API paths without discovery: the
 * informer, the controller and leader election all know their kinds.
 */
export interface KindRef {
  /** "v1" for the core group, otherwise "group/version". */
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource name in URLs, e.g. "configmaps". */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The API group of an apiVersion; "" for the core group. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** "/api/v1" or "/apis/group/version". */
export function apiRoot(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * The collection path of a kind, across all namespaces when `namespace` is
 * undefined (or the kind is cluster-scoped).
 */
export function collectionPath(kind: KindRef, namespace?: string): string {
  const ns = kind.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${apiRoot(kind.apiVersion)}${ns}/${kind.plural}`;
}

/** The path of one object of a kind. */
export function objectPath(kind: KindRef, namespace: string | undefined, name: string): string {
  if (kind.namespaced && namespace === undefined) throw new Error(`${kind.kind} is namespaced: a namespace is required for ${name}`);
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

/** "namespace/name", or "name" for cluster-scoped objects, as client-go's MetaNamespaceKeyFunc. */
export function objectKey(obj: KubernetesObject): string {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return namespace ? `${namespace}/${name}` : name;
}
