import { policyInventoryLabel, policyInventoryName, policyInventoryNamespace } from "@seedbed/api";
import { refKey, type ObjectRef } from "./object-ref.ts";

/** What a policy made in a tenant, kept there so that it can be removed after the policy is gone from the hub. */
export interface Inventory {
  /** `<namespace>/<name>` of the policy. */
  readonly policy: string;
  readonly uid: string;
  /** Delete what is no longer listed (true) or only take the policy's label off it (false). */
  readonly prune: boolean;
  /** Sorted by key, so two inventories with the same objects compare equal. */
  readonly objects: readonly ObjectRef[];
}

/** The ConfigMap an inventory is stored in, as applied. */
export interface InventoryConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: { policy: string; uid: string; prune: string; objects: string };
}

/** The objects, sorted by key and without duplicates. */
export function normalizeRefs(refs: Iterable<ObjectRef>): ObjectRef[] {
  const byKey = new Map<string, ObjectRef>();
  for (const ref of refs) {
    const plain: ObjectRef = { apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }), name: ref.name };
    byKey.set(refKey(plain), plain);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}

/** Objects of `a` or `b` (by key; `b`'s apiVersion wins). */
export function unionRefs(a: readonly ObjectRef[], b: readonly ObjectRef[]): ObjectRef[] {
  return normalizeRefs([...a, ...b]);
}

/** Objects of `a` that `b` does not list. */
export function subtractRefs(a: readonly ObjectRef[], b: readonly ObjectRef[]): ObjectRef[] {
  const keep = new Set(b.map(refKey));
  return a.filter((ref) => !keep.has(refKey(ref)));
}

/** True when both say the same (objects compared as sets). */
export function sameInventory(a: Inventory | undefined, b: Inventory | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.policy !== b.policy || a.uid !== b.uid || a.prune !== b.prune) return false;
  const left = normalizeRefs(a.objects).map(refKey);
  const right = normalizeRefs(b.objects).map(refKey);
  return left.length === right.length && left.every((key, index) => key === right[index]);
}

/** The ConfigMap holding `inventory`. */
export function inventoryConfigMap(inventory: Inventory): InventoryConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: policyInventoryName(inventory.uid), namespace: policyInventoryNamespace, labels: { [policyInventoryLabel]: "true" } },
    data: { policy: inventory.policy, uid: inventory.uid, prune: String(inventory.prune), objects: JSON.stringify(normalizeRefs(inventory.objects)) },
  };
}

/** The inventory a ConfigMap holds; undefined when it is not one (or is damaged beyond reading). */
export function parseInventory(configMap: { data?: Record<string, string> | undefined }): Inventory | undefined {
  const data = configMap.data;
  if (!data?.["uid"]) return undefined;
  let objects: ObjectRef[] = [];
  try {
    const parsed: unknown = JSON.parse(data["objects"] ?? "[]");
    if (Array.isArray(parsed)) objects = normalizeRefs(parsed.filter(isRef));
  } catch {
    // A damaged list prunes nothing; the next write replaces it.
    objects = [];
  }
  return { policy: data["policy"] ?? "", uid: data["uid"], prune: data["prune"] !== "false", objects };
}

function isRef(value: unknown): value is ObjectRef {
  const ref = value as Partial<Record<keyof ObjectRef, unknown>> | null;
  return typeof ref === "object" && ref !== null && typeof ref.apiVersion === "string" && typeof ref.kind === "string" && typeof ref.name === "string" && (ref.namespace === undefined || typeof ref.namespace === "string");
}
