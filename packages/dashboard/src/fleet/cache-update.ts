// How a watch event changes a cached list: pure, tested in cache-update.test.ts.
import type { ObjectMeta } from "../api/types.ts";

/** The data of one project-watch event (GET /projects/:p/watch). */
export interface WatchEventData {
  /** "Cluster" or "NodePool" (other kinds are ignored). */
  kind: string;
  name: string;
  resourceVersion?: string;
  object?: { metadata: ObjectMeta } & Record<string, unknown>;
}

/** The event types that change objects. */
export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** The list after an event: the object added or replaced (unless older than the cached one), or removed. */
export function applyChange<T extends { metadata: ObjectMeta }>(list: readonly T[] | undefined, type: ChangeType, name: string, object: T | undefined): T[] | undefined {
  if (list === undefined) return undefined; // not loaded yet: the first fetch gets it
  const index = list.findIndex((item) => item.metadata.name === name);
  if (type === "DELETED") return index === -1 ? [...list] : list.filter((_, i) => i !== index);
  if (object === undefined) return [...list];
  if (index === -1) return [...list, object].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const cached = list[index];
  if (cached !== undefined && isOlder(object.metadata.resourceVersion, cached.metadata.resourceVersion)) return [...list];
  return list.map((item, i) => (i === index ? object : item));
}

/**
 * Whether an incoming resourceVersion is older than the cached one. Kubernetes
 * says resourceVersions are opaque; etcd's are integers, and comparing them
 * only guards against a slow list answer overwriting a newer event. Anything
 * that is not a plain integer counts as newer.
 */
function isOlder(incoming: string | undefined, cached: string | undefined): boolean {
  if (incoming === undefined || cached === undefined || !/^\d+$/.test(incoming) || !/^\d+$/.test(cached)) return false;
  return BigInt(incoming) < BigInt(cached);
}

/** Parses an event's data; undefined when it is not the shape the watch sends. */
export function parseWatchData(data: string): WatchEventData | undefined {
  try {
    const value = JSON.parse(data) as Partial<WatchEventData>;
    if (typeof value.kind !== "string" || typeof value.name !== "string") return undefined;
    return value as WatchEventData;
  } catch {
    return undefined;
  }
}

/** The message of an `event: ERROR` ({error:{message}}), in words. */
export function watchErrorMessage(data: string): string {
  try {
    const body = JSON.parse(data) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return "The live updates stopped with an error.";
}
