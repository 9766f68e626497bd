import type { KubernetesObject } from "@kubernetes/client-node";

/** The label on every object a built-in add-on makes: which add-on it belongs to (the drift watches select on it). */
export const addonLabel = "addons.seedbed.dev/name";

/** The CNI add-ons Seedbed installs from their upstream Helm charts (spec.network.cni). */
export type CNIName = "calico" | "flannel" | "cilium";

/** The add-ons Seedbed renders itself. */
export type BuiltinAddonName = "coredns" | "metrics-server" | "dashboard";

/** What an add-on is rendered for: the cluster's version and network, and where images come from. */
export interface AddonContext {
  /** The Kubernetes version the control plane runs, e.g. "1.37.1". */
  readonly kubernetesVersion: string;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly dnsDomain: string;
  /** Where pods reach the cluster's API without kube-proxy (CNI charts need it before the kubernetes Service works). */
  readonly apiEndpoint: { readonly host: string; readonly port: number };
  /**
   * A registry mirror every add-on image is pulled from instead of its
   * upstream registry (the seed's spec.imageRegistry, else the platform's);
   * undefined: the upstream references.
   */
  readonly imageRegistry?: string;
}

/** A built-in add-on: the objects Seedbed applies (server-side apply) and repairs. */
export interface RenderedManifests {
  readonly source: "BuiltIn";
  /** The add-on's version (its main image's tag), reported in status.addons. */
  readonly version: string;
  /** Ordered so that what others need comes first (namespaces, service accounts, roles, then workloads). Every object carries {@link addonLabel}. */
  readonly objects: readonly KubernetesObject[];
}

/** A Helm chart to install as a release into the tenant. */
export interface HelmChart {
  readonly source: "Helm";
  /** The chart version, reported in status.addons. */
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  /** https://… chart repository, or oci://registry/path (then `chart` is the last path element). */
  readonly repository: string;
  readonly chart: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** PEM of the CAs to trust for the repository's or registry's TLS instead of the system's (helm --ca-file). */
  readonly caBundle?: string;
}

/** What one add-on asks for. */
export type AddonRendering = RenderedManifests | HelmChart;
