import { versions } from "@seedbed/binaries";

/** The components the seed driver runs, each from an image of its own. */
export const seedImageComponents = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;

/** A component the seed driver runs as a container. */
export type SeedImageComponent = (typeof seedImageComponents)[number];

/** Every component's image reference. */
export type SeedImages = Readonly<Record<SeedImageComponent, string>>;

/**
 * Where the control plane's images come from: a registry for the official
 * names, and per-component references that replace them (a locally built
 * image, a mirror with other names). In an override `{version}` stands for
 * the cluster's Kubernetes version without its "v" (e.g. 1.37.1), so one
 * setting serves clusters of every version.
 */
export interface SeedImageOptions {
  /** Registry of the official images (default registry.k8s.io). */
  readonly registry?: string;
  /** A whole reference per component, e.g. `{ "kube-apiserver": "docker.io/seedbed/kube-apiserver:v{version}" }`. */
  readonly overrides?: Readonly<Partial<Record<SeedImageComponent, string>>>;
}

/** The official registry of the Kubernetes images. */
export const defaultImageRegistry = "registry.k8s.io";

/**
 * The image of each component for a cluster of one Kubernetes version:
 * the override where one is set, else the official name under the
 * registry (etcd and kwok at the versions the project pins).
 */
export function resolveSeedImages(version: string, options: SeedImageOptions = {}): SeedImages {
  const registry = options.registry ?? defaultImageRegistry;
  const official: SeedImages = {
    etcd: `${registry}/etcd:${versions.etcd}-0`,
    "kube-apiserver": `${registry}/kube-apiserver:v${version}`,
    "kube-controller-manager": `${registry}/kube-controller-manager:v${version}`,
    "kube-scheduler": `${registry}/kube-scheduler:v${version}`,
    kwok: `${registry}/kwok/kwok:v${versions.kwok}`,
  };
  const images: Record<SeedImageComponent, string> = { ...official };
  for (const component of seedImageComponents) {
    const override = options.overrides?.[component];
    if (override !== undefined) images[component] = override.replaceAll("{version}", version);
  }
  return images;
}

/**
 * Parses `component=reference` settings (the operator's --control-plane-image
 * flag, the chart's controlPlaneImages values); an Error naming the bad
 * setting and the fix otherwise.
 */
export function parseImageOverrides(settings: readonly string[]): Partial<Record<SeedImageComponent, string>> {
  const overrides: Partial<Record<SeedImageComponent, string>> = {};
  for (const setting of settings) {
    const at = setting.indexOf("=");
    const component = setting.slice(0, Math.max(0, at));
    const reference = setting.slice(at + 1);
    if (at < 0 || !(seedImageComponents as readonly string[]).includes(component)) {
      throw new Error(`control-plane image "${setting}" must be <component>=<image>, with component one of ${seedImageComponents.join(", ")}`);
    }
    if (!isImageReference(reference)) throw new Error(`control-plane image of ${component} "${reference}" is not an image reference; write e.g. ${component}=registry.example.com/${component}:v{version}`);
    overrides[component as SeedImageComponent] = reference;
  }
  return overrides;
}

/** Whether a registry name or image reference is plausible: no spaces, no scheme, nothing empty. */
export function isImageReference(reference: string): boolean {
  return /^[a-z0-9][a-z0-9._\-/:@{}]*$/i.test(reference) && !reference.includes("://") && !reference.endsWith("/") && !reference.endsWith(":");
}
