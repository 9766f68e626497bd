import type { Addon, AddonStatus, Cluster } from "@seedbed/api";

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
