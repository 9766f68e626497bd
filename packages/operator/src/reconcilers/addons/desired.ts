import type { Addon, Cluster, ClusterTemplate } from "@seedbed/api";
import { builtinAddonNames, cniChart, renderBuiltinAddon, type AddonContext, type AddonRendering, type BuiltinAddonName, type CNIName } from "./catalog/index.ts";

/** What the platform adds to every cluster unless its template or spec says otherwise: CoreDNS. */
export const platformDefaultAddons: readonly Addon[] = [{ name: "coredns", enabled: true }];

/** One add-on the cluster should have, rendered for it, or why it cannot be. */
export type DesiredAddon = { readonly name: string; readonly rendering: AddonRendering } | { readonly name: string; readonly problem: string };

/** The CNI add-ons, by spec.network.cni. */
const cniNames: readonly string[] = ["calico", "flannel", "cilium"] satisfies CNIName[];

/**
 * The add-ons asked for, by name: the platform's defaults, then the
 * template's entries, then the cluster's own, each replacing an entry of
 * the same name (so `{name: coredns, enabled: false}` in a spec turns the
 * default off). A CNI other than none adds its chart under its own name,
 * unless an entry of that name (with a helm chart of the user's) replaces it.
 */
export function requestedAddons(cluster: Cluster, template: ClusterTemplate | undefined, defaults: readonly Addon[]): Addon[] {
  const byName = new Map<string, Addon>();
  const cni = cluster.spec.network?.cni ?? template?.spec.network?.cni ?? "none";
  if (cniNames.includes(cni)) byName.set(cni, { name: cni, enabled: true });
  for (const list of [defaults, template?.spec.addons ?? [], cluster.spec.addons ?? []]) {
    for (const addon of list) byName.set(addon.name, addon);
  }
  return [...byName.values()];
}

/** Where rendering finds what it needs beyond the cluster. */
export interface RenderOptions {
  readonly context: AddonContext;
  /** Chart repositories that replace the CNI charts' upstream ones (air-gapped platforms, tests). */
  readonly cniRepositories?: Partial<Record<CNIName, string>>;
}

/** The enabled add-ons rendered: built-in manifests or Helm charts, sorted by name so that passes are stable. */
export function desiredAddons(requested: readonly Addon[], options: RenderOptions): DesiredAddon[] {
  return requested
    .filter((addon) => addon.enabled)
    .map((addon): DesiredAddon => {
      const rendering = render(addon, options);
      return typeof rendering === "string" ? { name: addon.name, problem: rendering } : { name: addon.name, rendering };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The add-on's rendering, or why there is none (a message naming the field and the fix). */
function render(addon: Addon, options: RenderOptions): AddonRendering | string {
  const helm = addon.helm;
  if (helm !== undefined) {
    return { source: "Helm", version: helm.version, release: addon.name, namespace: helm.namespace, repository: helm.repository, chart: helm.chart, values: (helm.values ?? {}), ...(helm.caBundle === undefined ? {} : { caBundle: helm.caBundle }) };
  }
  if (cniNames.includes(addon.name)) return cniChart(addon.name as CNIName, options.context, options.cniRepositories);
  if ((builtinAddonNames as readonly string[]).includes(addon.name)) return renderBuiltinAddon(addon.name as BuiltinAddonName, options.context);
  // The CRD refuses other names without a chart; an object written before that rule lands here.
  return `spec.addons: '${addon.name}' is no built-in add-on (coredns, metrics-server, dashboard) and has no helm chart: give it spec.addons[].helm or remove it`;
}
