import type { KubernetesObject } from "@kubernetes/client-node";
import type { KindRef } from "@seedbed/runtime";

/** A list as the API returns it. */
export interface ObjectList<T extends KubernetesObject = KubernetesObject> {
  readonly items: T[];
  readonly metadata?: { resourceVersion?: string };
}

/**
 * An object as the REST API returns it: metadata.managedFields dropped
 * (bookkeeping of server-side apply, often half the bytes) and apiVersion
 * and kind filled in (list items come without them).
 */
export function trimmed<T extends KubernetesObject>(obj: T, kind?: KindRef): T {
  const metadata = Object.fromEntries(Object.entries(obj.metadata ?? {}).filter(([key]) => key !== "managedFields")) as T["metadata"];
  return { ...obj, ...(kind ? { apiVersion: obj.apiVersion ?? kind.apiVersion, kind: obj.kind ?? kind.kind } : {}), metadata };
}

/** A list's items, trimmed, as `{ items }`. */
export function trimmedList<T extends KubernetesObject>(list: ObjectList<T>, kind: KindRef): { items: T[] } {
  return { items: list.items.map((item) => trimmed(item, kind)) };
}
