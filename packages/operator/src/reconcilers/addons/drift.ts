import type { KubernetesObject } from "@kubernetes/client-node";
import { isDeepStrictEqual } from "node:util";

/**
 * Whether `live` still holds every field Seedbed renders with the value it
 * renders: the test for drift. Fields only the live object has (what the
 * API server defaulted, what controllers and users added) do not count, so
 * a user's own label, annotation or extra container setting is never a
 * reason to apply again. Lists compare item by item and must be as long
 * (a rendered list is Seedbed's, as server-side apply makes it atomic or
 * keyed; an item a user appended to a keyed list is tolerated only where
 * the list is a map in the API, which this cheap check does not know, so it
 * then applies once, and server-side apply keeps the user's item).
 */
export function holdsRendered(rendered: unknown, live: unknown): boolean {
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live) || live.length !== rendered.length) return false;
    return rendered.every((item, i) => holdsRendered(item, live[i]));
  }
  if (rendered !== null && typeof rendered === "object") {
    if (live === null || typeof live !== "object" || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return Object.entries(rendered as Record<string, unknown>).every(([key, value]) => holdsRendered(value, liveRecord[key]));
  }
  return isDeepStrictEqual(rendered, live);
}

/** What a pass does with one rendered object. */
export type ObjectAction = "create" | "repair" | "keep";

/** Create it when missing, repair it when a rendered field changed, else leave it alone (no request). */
export function objectAction(rendered: KubernetesObject, live: KubernetesObject | undefined): ObjectAction {
  if (live === undefined) return "create";
  return holdsRendered(rendered, live) ? "keep" : "repair";
}

/** The identity of an object among a tenant's add-on objects: kind, namespace and name. */
export function objectKey(object: KubernetesObject): string {
  return [object.apiVersion ?? "", object.kind ?? "", object.metadata?.namespace ?? "", object.metadata?.name ?? ""].join("/");
}
