import { PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { isNotFound, type ObjectClient } from "../client/object-client.ts";

/** True if `obj` carries `finalizer`. */
export function hasFinalizer(obj: KubernetesObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) === true;
}

/**
 * Adds `finalizer` to `obj` unless present; returns the object as stored.
 * A JSON merge patch replaces the whole finalizers list, so it carries
 * `obj`'s resourceVersion as a precondition: if someone else changed the
 * list meanwhile, the API answers 409 Conflict and the reconcile is
 * retried with fresh data instead of dropping their finalizer.
 */
export async function ensureFinalizer<T extends KubernetesObject>(client: ObjectClient, obj: T, finalizer: string): Promise<T> {
  if (hasFinalizer(obj, finalizer)) return obj;
  return patchFinalizers(client, obj, [...(obj.metadata?.finalizers ?? []), finalizer]);
}

/**
 * Removes `finalizer` from `obj` if present, with the same precondition;
 * returns the object as stored (or `obj` if it is already gone).
 */
export async function removeFinalizer<T extends KubernetesObject>(client: ObjectClient, obj: T, finalizer: string): Promise<T> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  try {
    return await patchFinalizers(
      client,
      obj,
      (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
    );
  } catch (error) {
    if (isNotFound(error)) return obj;
    throw error;
  }
}

async function patchFinalizers<T extends KubernetesObject>(client: ObjectClient, obj: T, finalizers: string[]): Promise<T> {
  const resourceVersion = obj.metadata?.resourceVersion;
  if (!resourceVersion) throw new Error(`changing finalizers needs the object's resourceVersion (${obj.kind ?? "object"} ${obj.metadata?.name ?? ""})`);
  return client.request<T>("PATCH", await client.pathOf(obj), {
    body: { metadata: { finalizers, resourceVersion } },
    contentType: PatchStrategy.MergePatch,
  });
}
