import { PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { ObjectClient } from "../client/object-client.ts";

/** The field manager every Seedbed controller applies as. */
export const seedbedFieldManager = "seedbed";

/** How to apply. */
export interface ApplyOptions {
  /** Default "seedbed". */
  readonly fieldManager?: string;
  /**
   * Default true: take fields over from other managers. A controller owns
   * what it applies; without force, a field once edited by kubectl would
   * make every later apply fail with a conflict.
   */
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Server-side apply of `obj` (its apiVersion, kind, name, namespace and only
 * the fields this controller means to own): creates it or updates exactly
 * those fields, and returns the object as stored. Build `obj` fresh each
 * time; a resourceVersion in it acts as a precondition.
 */
export async function apply<T extends KubernetesObject>(client: ObjectClient, obj: T, options: ApplyOptions = {}): Promise<T> {
  return patchApply(client, obj, await client.pathOf(requireIdentity(obj)), options);
}

/**
 * Server-side apply to the status subresource: only `obj.status` is
 * applied (the API server ignores the rest). client-node 2.0.1's
 * KubernetesObjectApi knows no subresources, and CustomObjectsApi's
 * `…Status` methods cover custom resources only; the path we build through
 * discovery works for every kind with a status subresource.
 */
export async function applyStatus<T extends KubernetesObject>(client: ObjectClient, obj: T, options: ApplyOptions = {}): Promise<T> {
  return patchApply(client, obj, await client.pathOf(requireIdentity(obj), "status"), options);
}

async function patchApply<T extends KubernetesObject>(client: ObjectClient, obj: T, path: string, options: ApplyOptions): Promise<T> {
  // managedFields in an apply body is always refused; an object read back from the API carries them.
  let body = obj;
  if (obj.metadata?.managedFields) {
    body = structuredClone(obj);
    if (body.metadata) delete body.metadata.managedFields;
  }
  return client.request<T>("PATCH", path, {
    body,
    // JSON is YAML, so the apply content type takes a JSON body.
    contentType: PatchStrategy.ServerSideApply,
    query: { fieldManager: options.fieldManager ?? seedbedFieldManager, force: options.force ?? true, dryRun: options.dryRun === true ? "All" : undefined },
    signal: options.signal,
  });
}

function requireIdentity<T extends KubernetesObject>(obj: T): T {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error("apply needs apiVersion, kind and metadata.name");
  return obj;
}
