import { policyFieldManager, policyUIDLabel, type ClusterPolicy, type SyncProblem } from "@seedbed/api";
import { describeError, isConflict, type KindRef } from "@seedbed/runtime";
import { ApiException } from "@kubernetes/client-node";
import { decide, fieldConflictMessage, truncate } from "./conflicts.ts";
import { sameInventory, subtractRefs, unionRefs, normalizeRefs, type Inventory } from "./inventory.ts";
import { refOf, type ObjectRef } from "./object-ref.ts";
import { policyDisplayName, policyIdentity, renderPolicy, type DesiredObject, type TenantObject } from "./render.ts";
import type { Tenant } from "./tenant.ts";

/** What one pass over a policy did. */
export interface PolicyPass {
  /** Objects the policy keeps on the cluster. */
  readonly objects: number;
  /** Objects in conflict or failing, in the policy's order. */
  readonly problems: SyncProblem[];
  /** The inventory as it now stands in the tenant. */
  readonly inventory: Inventory;
}

/** A desired object with its kind resolved (or why it could not be). */
interface Resolved {
  readonly desired: DesiredObject;
  readonly object: TenantObject;
  readonly kind?: KindRef;
  readonly error?: string;
}

/**
 * Keeps one policy on the tenant: records what it will make (inventory =
 * old ∪ new, so a crash mid-way still knows what to prune), applies each
 * object per its conflict rules, removes what the policy no longer lists,
 * then records the new inventory. Problems are per object; an error that
 * stops the whole pass (the tenant is unreachable) is thrown.
 */
export async function syncPolicy(tenant: Tenant, policy: ClusterPolicy): Promise<PolicyPass> {
  const identity = policyIdentity(policy);
  const stored = tenant.inventory(identity.uid);
  const resolved = await Promise.all(renderPolicy(policy).map((desired) => resolve(tenant, desired)));
  const kinds = new Map(resolved.flatMap((entry) => (entry.kind ? [[`${entry.kind.apiVersion}|${entry.kind.plural}`, entry.kind] as const] : [])));
  for (const kind of kinds.values()) await tenant.watch(kind);

  const wanted = normalizeRefs(resolved.map((entry) => refOf(entry.object)));
  const base = { policy: policyDisplayName(identity), uid: identity.uid, prune: policy.spec.prune };
  const before: Inventory = { ...base, objects: unionRefs(stored?.objects ?? [], wanted) };
  if (!sameInventory(stored, before)) await tenant.writeInventory(before);

  const problems: SyncProblem[] = [];
  for (const entry of resolved) {
    const problem = entry.kind ? await applyOne(tenant, entry.object, entry.kind, entry.desired, base.policy) : problemOf(entry.object, "Failed", entry.error ?? "unknown kind");
    if (problem) problems.push(problem);
  }

  // An object whose kind could not be resolved may be listed under another namespace than before: prune nothing until all are known.
  if (resolved.some((entry) => entry.kind === undefined)) return { objects: resolved.length, problems, inventory: before };
  const kept: ObjectRef[] = [];
  for (const ref of subtractRefs(before.objects, wanted)) {
    try {
      await removeObject(tenant, ref, identity.uid, policy.spec.prune);
    } catch (error) {
      kept.push(ref);
      problems.push(problemOf(ref, "Failed", `could not ${policy.spec.prune ? "delete" : "orphan"} it: ${describeError(error)}`));
    }
  }
  const after: Inventory = { ...base, objects: unionRefs(wanted, kept) };
  if (!sameInventory(before, after)) await tenant.writeInventory(after);
  return { objects: resolved.length, problems, inventory: after };
}

/**
 * Removes (prune) or orphans every object of a policy that no longer
 * selects the cluster, then its inventory. Throws on the first failure:
 * the inventory stays, and a later pass continues.
 */
export async function prunePolicy(tenant: Tenant, inventory: Inventory): Promise<void> {
  for (const ref of inventory.objects) await removeObject(tenant, ref, inventory.uid, inventory.prune);
  await tenant.deleteInventory(inventory.uid);
}

/** Deletes or orphans one object, if it is still the policy's (labelled with its uid). */
async function removeObject(tenant: Tenant, ref: ObjectRef, policyUID: string, prune: boolean): Promise<void> {
  const kind = await tenant.discovery.resolve(ref.apiVersion, ref.kind);
  const live = await tenant.read(kind, ref);
  if (live?.metadata?.labels?.[policyUIDLabel] !== policyUID) return;
  if (prune) await tenant.remove(kind, ref, live.metadata.uid);
  else await tenant.orphan(kind, ref);
}

async function resolve(tenant: Tenant, desired: DesiredObject): Promise<Resolved> {
  const object = desired.object;
  try {
    const kind = await tenant.discovery.resolve(object.apiVersion, object.kind);
    // A namespaced manifest without a namespace goes where kubectl would put it; a cluster-scoped one has none.
    const metadata = { ...object.metadata };
    if (kind.namespaced) metadata.namespace ??= "default";
    else delete metadata.namespace;
    return { desired, object: { ...object, metadata }, kind };
  } catch (error) {
    return { desired, object, error: describeError(error) };
  }
}

/** Applies one object as the conflict table says; a problem when it could not. */
async function applyOne(tenant: Tenant, object: TenantObject, kind: KindRef, desired: DesiredObject, policyName: string): Promise<SyncProblem | undefined> {
  const policyUID = object.metadata.labels[policyUIDLabel] ?? "";
  // An object already the policy's that differs from it has drifted: a repair that fails leaves it so.
  let drifted = false;
  try {
    const live = await tenant.read(kind, refOf(object));
    const decision = decide({ desired: object, rules: desired.conflicts, live, policyUID, policyName });
    if (decision.action === "none") return undefined;
    if (decision.action === "conflict") return problemOf(object, "Conflict", decision.message);
    drifted = live?.metadata?.labels?.[policyUIDLabel] === policyUID;
    await tenant.apply(kind, object, policyFieldManager(policyUID), decision.force);
    return undefined;
  } catch (error) {
    if (isConflict(error) && error instanceof ApiException) return problemOf(object, "Conflict", fieldConflictMessage(parseBody(error.body)));
    if (drifted) return problemOf(object, "Drifted", `differs from the policy and could not be set back (retried): ${describeError(error)}`);
    return problemOf(object, "Failed", describeError(error));
  }
}

function parseBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return { message: body };
  }
}

function problemOf(target: ObjectRef | TenantObject, reason: SyncProblem["reason"], message: string): SyncProblem {
  const ref = "metadata" in target ? refOf(target) : target;
  return {
    kind: ref.kind,
    apiVersion: ref.apiVersion,
    ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
    name: ref.name,
    reason,
    message: truncate(message, 1024),
  };
}
