import type { KubernetesObject } from "@kubernetes/client-node";
import { groupOf, type KindRef } from "../client/kind.ts";
import type { ReconcileRequest } from "./reconciler.ts";

/** Owned objects of `kind` enqueue their controlling owner (ownerReference with controller: true). */
export interface OwnsSpec {
  readonly kind: KindRef;
  /** Only owned objects with these labels are watched. */
  readonly labelSelector?: string;
}

/** Objects of `kind` enqueue whatever `mapFn` returns for them. */
export interface WatchSpec {
  readonly kind: KindRef;
  readonly labelSelector?: string;
  /** The requests to reconcile when `obj` changes; reads from caches only, never the API. */
  mapFn(obj: KubernetesObject): readonly ReconcileRequest[];
}

/** The request for the object itself: how the controller's own kind is enqueued. */
export function requestFor(obj: KubernetesObject): ReconcileRequest[] {
  const name = obj.metadata?.name;
  if (!name) return [];
  return [{ namespace: obj.metadata?.namespace, name }];
}

/**
 * The controlling owner of `obj` if it is of `ownerKind`. Like
 * controller-runtime, only the group and kind are compared, not the
 * version, since an owner may be referenced through any served version.
 * A namespaced owner lives in its dependent's namespace; a cluster-scoped
 * owner has none.
 */
export function controllerOwnerRequest(obj: KubernetesObject, ownerKind: KindRef): ReconcileRequest[] {
  const group = groupOf(ownerKind.apiVersion);
  const owner = obj.metadata?.ownerReferences?.find((ref) => ref.controller === true && ref.kind === ownerKind.kind && groupOf(ref.apiVersion) === group);
  if (!owner) return [];
  return [{ namespace: ownerKind.namespaced ? obj.metadata?.namespace : undefined, name: owner.name }];
}
