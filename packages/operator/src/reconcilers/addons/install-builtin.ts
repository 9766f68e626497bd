import type { KubernetesObject } from "@kubernetes/client-node";
import type { AddonStatus } from "@seedbed/api";
import { apply, isNotFound, type Informer } from "@seedbed/runtime";
import { createHash } from "node:crypto";
import { addonKinds, addonLabel, type RenderedManifests } from "./catalog/index.ts";
import { objectAction, objectKey } from "./drift.ts";
import { addonReadiness } from "./readiness.ts";
import type { AddonRequest } from "./metrics.ts";
import type { TenantAddonObjects } from "./watches.ts";

/** Told of every request a pass sends (the metrics). */
export type CountRequest = (action: AddonRequest) => void;

/** The field manager of add-on objects: what it owns is Seedbed's, what other managers own is left alone. */
export const addonFieldManager = "seedbed-addons";

/** What one pass did with a built-in add-on. */
export interface BuiltinOutcome {
  readonly status: AddonStatus;
  /** Objects created or repaired this pass, e.g. "Deployment kube-system/coredns" (for the event). */
  readonly created: readonly string[];
  readonly repaired: readonly string[];
  readonly pruned: readonly string[];
  /**
   * Objects the API server keeps in another form than rendered (a renderer
   * bug: each pass would apply them again); logged so that it shows.
   */
  readonly unstable: readonly string[];
}

/** sha256 of a rendering: what status.addons[].digest records. */
export function renderingDigest(objects: readonly KubernetesObject[]): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(objects)).digest("hex")}`;
}

const describe = (o: KubernetesObject): string => `${o.kind ?? ""} ${o.metadata?.namespace === undefined ? "" : `${o.metadata.namespace}/`}${o.metadata?.name ?? ""}`;

/**
 * Brings one built-in add-on to its rendering in a tenant: objects missing
 * are created and objects whose rendered fields changed are applied again
 * (server-side apply, forced: Seedbed's fields win, fields other managers
 * own stay); objects of the add-on no longer rendered are deleted. An
 * object as rendered costs no request.
 */
export async function installBuiltin(tenant: TenantAddonObjects, name: string, rendering: RenderedManifests, previous: AddonStatus | undefined, o: { now: () => string; count: CountRequest }): Promise<BuiltinOutcome> {
  const informers = new Map<string, Informer>();
  for (const kind of addonKinds(rendering.objects)) informers.set(`${kind.apiVersion}/${kind.kind}`, await tenant.kind(kind));
  // What this pass applied, as the API server answered: fresher than the caches, which see it a moment later.
  const applied = new Map<string, KubernetesObject>();
  const live = (o: KubernetesObject): KubernetesObject | undefined => applied.get(objectKey(o)) ?? informers.get(`${o.apiVersion ?? ""}/${o.kind ?? ""}`)?.get(o.metadata?.namespace, o.metadata?.name ?? "");
  const created: string[] = [];
  const repaired: string[] = [];
  const unstable: string[] = [];
  for (const object of rendering.objects) {
    const action = objectAction(object, live(object));
    if (action === "keep") continue;
    o.count("apply");
    const result = await apply(tenant.client, object, { fieldManager: addonFieldManager, force: true });
    applied.set(objectKey(object), result);
    if (objectAction(object, result) !== "keep") unstable.push(describe(object));
    (action === "create" ? created : repaired).push(describe(object));
  }
  const pruned = await prune(tenant, name, new Set(rendering.objects.map(objectKey)), o.count);
  const changed = created.length + repaired.length + pruned.length > 0;
  const readiness = addonReadiness(rendering.objects, live);
  const status: AddonStatus = {
    name,
    source: "BuiltIn",
    version: rendering.version,
    ready: readiness.ready,
    phase: readiness.ready ? "Installed" : "Installing",
    digest: renderingDigest(rendering.objects),
    ...(changed ? { lastAppliedTime: o.now() } : previous?.lastAppliedTime === undefined ? {} : { lastAppliedTime: previous.lastAppliedTime }),
    ...(readiness.message === undefined ? {} : { message: readiness.message }),
  };
  return { status, created, repaired, pruned, unstable };
}

/**
 * Deletes the objects labelled as the add-on `name` among every kind
 * watched in the tenant whose key is not in `keep` (all of them for an
 * add-on that was removed). Returns what it deleted.
 */
export async function prune(tenant: TenantAddonObjects, name: string, keep: ReadonlySet<string>, count: CountRequest): Promise<string[]> {
  const pruned: string[] = [];
  for (const informer of tenant.watched()) {
    for (const object of informer.list()) {
      if (object.metadata?.labels?.[addonLabel] !== name || keep.has(objectKey(object)) || object.metadata.deletionTimestamp !== undefined) continue;
      count("delete");
      try {
        await tenant.client.request("DELETE", await tenant.client.pathOf(object), { query: { propagationPolicy: "Background" } });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      pruned.push(describe(object));
    }
  }
  return pruned;
}

/** Whether objects of the add-on `name` are still in the tenant (among the kinds watched). */
export function hasObjects(tenant: TenantAddonObjects, name: string): boolean {
  return tenant.watched().some((informer) => informer.list().some((o) => o.metadata?.labels?.[addonLabel] === name));
}
