import type { Addon, AddonStatus, Cluster, ClusterTemplate } from "@seedbed/api";

/**
 * The add-ons that need no chart, as the CRD's rule on spec.addons[].name
 * lists them: coredns, metrics-server and dashboard, and the CNI charts
 * Seedbed pins (spec.network.cni). The platform's defaults, a template or
 * spec.network.cni may ask for any of them without the cluster's spec
 * naming it.
 */
export const builtinAddonNames: readonly string[] = ["coredns", "metrics-server", "dashboard", "calico", "flannel", "cilium"];

/**
 * Where an add-on stands, as the REST API shows it: the add-on controller's
 * phase (status.addons) once it has one; before that Pending (asked for,
 * not installed yet) or Disabled (enabled: false and not installed);
 * Removed: neither asked for in spec.addons nor installed (the answer of a
 * DELETE that removed an entry).
 */
export type AddonViewPhase = AddonStatus["phase"] | "Pending" | "Disabled" | "Removed";

/** The phases of an AddonView, for the OpenAPI document. */
export const addonViewPhases: readonly AddonViewPhase[] = ["Pending", "Installing", "Installed", "Failed", "Removing", "Disabled", "Removed"];

/** One add-on: what the cluster's spec asks for beside what the add-on controller installed. */
export interface AddonView {
  readonly name: string;
  /** status.addons[].source, else Helm when the spec's entry has a chart, else BuiltIn. */
  readonly source: AddonStatus["source"];
  readonly phase: AddonViewPhase;
  /** Installed at its version and its workloads available (false until the controller says so). */
  readonly ready: boolean;
  /** The cluster's own entry in spec.addons; absent for add-ons only its template, the platform's defaults or spec.network.cni ask for. */
  readonly spec?: Addon;
  /** The add-on controller's entry in status.addons; absent until it has acted. */
  readonly status?: AddonStatus;
}

/** The view of one add-on from its spec entry and its status entry (either may be absent). Pure. */
export function addonView(name: string, spec: Addon | undefined, status: AddonStatus | undefined): AddonView {
  const phase: AddonViewPhase = status?.phase ?? (spec === undefined ? "Removed" : spec.enabled ? "Pending" : "Disabled");
  return {
    name,
    source: status?.source ?? (spec?.helm === undefined ? "BuiltIn" : "Helm"),
    phase,
    ready: status?.ready ?? false,
    ...(spec === undefined ? {} : { spec }),
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * Every add-on of a cluster: each entry of spec.addons merged with its
 * entry in status.addons by name, and those installed without an entry of
 * the cluster's own (the platform's CoreDNS, a template's, the CNI), sorted
 * by name. Pure.
 */
export function addonViews(cluster: Cluster): AddonView[] {
  const specs = new Map((cluster.spec.addons ?? []).map((a) => [a.name, a]));
  const statuses = new Map((cluster.status?.addons ?? []).map((a) => [a.name, a]));
  const names = [...new Set([...specs.keys(), ...statuses.keys()])].sort();
  return names.map((name) => addonView(name, specs.get(name), statuses.get(name)));
}

/** The view of one add-on of a cluster, by name. Pure. */
export function addonViewOf(cluster: Cluster, name: string): AddonView {
  return addonView(name, cluster.spec.addons?.find((a) => a.name === name), cluster.status?.addons?.find((a) => a.name === name));
}

/** spec.addons with `entry` in place of the entry of its name, or added at the end. Pure. */
export function upsertAddon(addons: readonly Addon[], entry: Addon): Addon[] {
  const at = addons.findIndex((a) => a.name === entry.name);
  return at === -1 ? [...addons, entry] : addons.map((a, i) => (i === at ? entry : a));
}

/**
 * What taking an add-on away does to spec.addons. An add-on something
 * else asks for too — a built-in one (the platform's defaults, a template
 * or spec.network.cni may name it) or one of the cluster's template — would
 * come back if its entry went, so its entry stays with enabled: false (a
 * template's Helm entry is copied, as an entry without a chart must name a
 * built-in). Any other entry is removed. Undefined when the cluster has no
 * entry of that name and nothing else could ask for it. Pure.
 */
export function addonRemoval(addons: readonly Addon[], template: ClusterTemplate | undefined, name: string): { readonly outcome: "disabled" | "removed"; readonly addons: Addon[] } | undefined {
  const own = addons.find((a) => a.name === name);
  const templates = template?.spec.addons?.find((a) => a.name === name);
  if (builtinAddonNames.includes(name) || templates !== undefined) {
    const base = own ?? templates ?? { name, enabled: false };
    return { outcome: "disabled", addons: upsertAddon(addons, { ...base, enabled: false }) };
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
