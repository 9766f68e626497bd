import { ApiException, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";

/** One field error kube-apiserver returned. */
export interface FieldCause {
  readonly field: string;
  readonly message: string;
}

/** The field errors of a rejected request, or undefined when it was accepted. */
export async function rejection(request: Promise<unknown>): Promise<FieldCause[] | undefined> {
  try {
    await request;
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = JSON.parse(String(error.body)) as { details?: { causes?: { field?: string; message?: string }[] }; message?: string };
    const causes = body.details?.causes ?? [];
    if (causes.length === 0) return [{ field: "", message: body.message ?? String(error.body) }];
    return causes.map((c) => ({ field: c.field ?? "", message: c.message ?? "" }));
  }
}

/** Creates an object and returns it as stored (with defaults applied). */
export async function create<T extends KubernetesObject>(client: KubernetesObjectApi, object: T): Promise<T> {
  return client.create(object);
}

/** A deep copy with `patch` merged in (objects merge, everything else replaces; null deletes). */
export function merged<T>(base: T, patch: unknown): T {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch) || base === null || typeof base !== "object" || Array.isArray(base)) {
    return structuredClone(patch) as T;
  }
  const out = new Map(Object.entries(structuredClone(base) as Record<string, unknown>));
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) out.delete(key);
    else out.set(key, out.has(key) ? merged(out.get(key), value) : structuredClone(value));
  }
  return Object.fromEntries(out) as T;
}
