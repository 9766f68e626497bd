import type { Addon, Cluster } from "./cluster.ts";

/**
 * The add-ons that need no chart, as the CRD's rule on spec.addons[].name
 * lists them: coredns, metrics-server and dashboard, and the CNI charts
 * Seedbed pins (spec.network.cni). The platform's defaults, a template or
 * spec.network.cni may ask for any of them without the cluster naming it.
 */
export const chartlessAddonNames: readonly string[] = ["coredns", "metrics-server", "dashboard", "calico", "flannel", "cilium"];

/** spec.addons with `entry` in place of the entry of its name, or added at the end. Pure. */
export function upsertAddon(addons: readonly Addon[], entry: Addon): Addon[] {
  const at = addons.findIndex((a) => a.name === entry.name);
  return at === -1 ? [...addons, entry] : addons.map((a, i) => (i === at ? entry : a));
}

/**
 * What taking an add-on away does to spec.addons (the CLI's `addon
 * disable`, the REST API's DELETE). An add-on something else asks for too
 * — a chartless one (the platform's defaults, a template or
 * spec.network.cni may name it) or one the cluster's template lists
 * (`templateEntry`) — would come back if its entry went, so its entry stays
 * with enabled: false (a template's Helm entry is copied, as an entry
 * without a chart must name a chartless add-on). Any other entry is
 * removed. Undefined when the cluster has no entry of that name and nothing
 * else could ask for it. Pure.
 */
export function addonRemoval(addons: readonly Addon[], templateEntry: Addon | undefined, name: string): { readonly outcome: "disabled" | "removed"; readonly addons: Addon[] } | undefined {
  const own = addons.find((a) => a.name === name);
  if (chartlessAddonNames.includes(name) || templateEntry !== undefined) {
    return { outcome: "disabled", addons: upsertAddon(addons, { ...(own ?? templateEntry ?? { name }), enabled: false }) };
  }
  if (own === undefined) return undefined;
  return { outcome: "removed", addons: addons.filter((a) => a.name !== name) };
}

/**
 * The JSON merge patch that sets spec.addons, if the cluster is still as
 * read (its resourceVersion: a change meanwhile is a 409). An empty list
 * removes the field. Pure.
 */
export function addonsPatch(cluster: Cluster, addons: readonly Addon[]): { metadata: { resourceVersion?: string }; spec: { addons: Addon[] | null } } {
  return { metadata: { resourceVersion: cluster.metadata.resourceVersion }, spec: { addons: addons.length === 0 ? null : [...addons] } };
}
