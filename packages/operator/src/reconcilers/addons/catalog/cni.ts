import { versions } from "@seedbed/binaries";
import { addonImage } from "./images.ts";
import type { AddonContext, CNIName, HelmChart } from "./types.ts";

/** Where a CNI's chart comes from and where its release goes. */
interface CNIChartSource {
  /** The upstream Helm repository. */
  readonly repository: string;
  readonly chart: string;
  /** The release's name (the add-on's name, as status.addons reports it). */
  readonly release: string;
  readonly namespace: string;
}

/** The CNIs' upstream charts, installed at the versions tools/k8s/versions.json pins under `addons`. */
export const cniChartSources: Readonly<Record<CNIName, CNIChartSource>> = {
  calico: { repository: "https://docs.tigera.io/calico/charts", chart: "tigera-operator", release: "calico", namespace: "tigera-operator" },
  flannel: { repository: "https://flannel-io.github.io/flannel/", chart: "flannel", release: "flannel", namespace: "kube-flannel" },
  cilium: { repository: "https://helm.cilium.io/", chart: "cilium", release: "cilium", namespace: "kube-system" },
};

/** The mirror to pull from, without trailing slashes; undefined without one. */
function mirrorOf(ctx: AddonContext): string | undefined {
  const mirror = (ctx.imageRegistry ?? "").replace(/\/+$/, "");
  return mirror === "" ? undefined : mirror;
}

/**
 * Calico through the Tigera operator: one VXLAN pool over the pod CIDR
 * (VXLAN works on any network, BGP is then not needed), outgoing traffic
 * masqueraded, and the API reached at its endpoint directly (the chart's
 * kubernetesServiceEndpoint), so Calico never depends on the kubernetes
 * Service being served yet.
 * With a mirror, the operator's image (tigeraOperator.registry) and every
 * image it deploys (Installation spec.registry, which Calico wants ending
 * in "/", followed by the images' default `calico/...` paths) come from it.
 */
function calicoValues(ctx: AddonContext): Record<string, unknown> {
  const mirror = mirrorOf(ctx);
  return {
    installation: {
      calicoNetwork: { bgp: "Disabled", ipPools: [{ cidr: ctx.podCIDR, encapsulation: "VXLAN", natOutgoing: "Enabled" }] },
      ...(mirror === undefined ? {} : { registry: `${mirror}/` }),
    },
    // The chart writes both into a ConfigMap, so both are strings.
    kubernetesServiceEndpoint: { host: ctx.apiEndpoint.host, port: String(ctx.apiEndpoint.port) },
    ...(mirror === undefined ? {} : { tigeraOperator: { registry: mirror }, calicoctl: { image: addonImage("docker.io/calico/ctl", mirror) } }),
  };
}

/**
 * Flannel: the pod CIDR as its network (each node's /24 comes from the
 * controller-manager's node CIDR allocation, --kube-subnet-mgr). Its chart
 * has no value for the API endpoint, and flanneld's --kube-api-url would
 * drop the pod's service-account credentials; it reaches the API through the
 * kubernetes Service, which kube-proxy on every Seedbed node serves from the
 * host network before any CNI runs. With a mirror, both of its images come
 * from it (tags stay the chart's).
 */
function flannelValues(ctx: AddonContext): Record<string, unknown> {
  const mirror = mirrorOf(ctx);
  return {
    podCidr: ctx.podCIDR,
    ...(mirror === undefined
      ? {}
      : {
          flannel: {
            image: { repository: addonImage("ghcr.io/flannel-io/flannel", mirror) },
            image_cni: { repository: addonImage("ghcr.io/flannel-io/flannel-cni-plugin", mirror) },
          },
        }),
  };
}

/** Cilium's image values with a mirror: the repositories of every image the chart can deploy, under the mirror (tags and digests stay the chart's, which a faithful copy keeps). */
function ciliumMirrorValues(mirror: string): Record<string, unknown> {
  const image = (path: string): { repository: string } => ({ repository: addonImage(`quay.io/cilium/${path}`, mirror) });
  return {
    image: image("cilium"),
    // The chart appends "-generic" (the cloud-neutral operator).
    operator: { image: image("operator") },
    envoy: { image: image("cilium-envoy") },
    hubble: { relay: { image: image("hubble-relay") }, ui: { backend: { image: image("hubble-ui-backend") }, frontend: { image: image("hubble-ui") } } },
    certgen: { image: image("certgen") },
    clustermesh: { apiserver: { image: image("clustermesh-apiserver") } },
    preflight: { image: image("cilium") },
    nodeinit: { image: image("startup-script") },
  };
}

/**
 * Cilium: pod addresses from each node's spec.podCIDR (IPAM mode
 * kubernetes, allocated by the controller-manager from the cluster's pod
 * CIDR — so no cluster-pool list), the pod CIDR routed without SNAT
 * (ipv4NativeRoutingCIDR), and the API at its endpoint: the agent starts
 * before anything serves the kubernetes Service. kube-proxy stays (Seedbed's
 * nodes run it), so no kube-proxy replacement.
 */
function ciliumValues(ctx: AddonContext): Record<string, unknown> {
  const mirror = mirrorOf(ctx);
  return {
    k8sServiceHost: ctx.apiEndpoint.host,
    k8sServicePort: ctx.apiEndpoint.port,
    ipam: { mode: "kubernetes" },
    ipv4NativeRoutingCIDR: ctx.podCIDR,
    ...(mirror === undefined ? {} : ciliumMirrorValues(mirror)),
  };
}

const valuesOf: Readonly<Record<CNIName, (ctx: AddonContext) => Record<string, unknown>>> = { calico: calicoValues, flannel: flannelValues, cilium: ciliumValues };

/**
 * The Helm chart of a CNI add-on: its upstream chart at the pinned version,
 * with values derived from the cluster (pod CIDR, API endpoint, image
 * mirror; the rest is the chart's defaults). `repositories` serves a CNI's
 * chart from elsewhere — a copy for an air-gapped platform, or a test's
 * server — under the same chart name (an oci:// repository is the path the
 * chart name is appended to).
 */
export function cniChart(cni: CNIName, ctx: AddonContext, repositories: Partial<Record<CNIName, string>> = {}): HelmChart {
  const source = cniChartSources[cni];
  return {
    source: "Helm",
    version: versions.addons[cni],
    release: source.release,
    namespace: source.namespace,
    repository: repositories[cni] ?? source.repository,
    chart: source.chart,
    values: valuesOf[cni](ctx),
  };
}
