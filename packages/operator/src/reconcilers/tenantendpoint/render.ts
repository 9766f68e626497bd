import { isIP } from "node:net";

type Manifest = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

/** Who writes the tenant's `kubernetes` endpoints (a label value, so no slash: the controllers of Kubernetes name themselves the same way, e.g. endpointslice-controller.k8s.io). */
export const endpointsManager = "operator.seedbed.dev";

/** Where a cluster's API is published, as the tenant's `kubernetes` Service must name it. */
export interface PublishedAPI {
  /** IP addresses (a host name resolved first), in a stable order. */
  readonly addresses: readonly string[];
  /** The published port: the NodePort, or the load balancer's port; not the API server's own. */
  readonly port: number;
}

/** The host and port of an https://host:port endpoint; undefined for anything else. */
export function endpointHostPort(endpoint: string | undefined): { host: string; port: number } | undefined {
  if (endpoint === undefined || endpoint === "") return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:") return undefined;
  const port = url.port === "" ? 443 : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/** Whether an address is this host's own: a pod cannot reach a local cluster's loopback endpoint, so none is published. */
export function isLoopback(address: string): boolean {
  return address === "::1" || address === "localhost" || (isIP(address) === 4 && address.startsWith("127."));
}

/**
 * The tenant's `default/kubernetes` endpoints for an API published at
 * `published`: an EndpointSlice (what kube-proxy reads) and the
 * Endpoints object (what older clients and `kubectl get endpoints` read),
 * marked so that the mirroring controller does not copy it into a second
 * slice. The kube-apiservers run with --endpoint-reconciler-type=none, so
 * nothing else writes them; the port is the published one, which differs
 * from the API server's own 6443 for a NodePort. Pure.
 */
export function renderAPIEndpoints(published: PublishedAPI): Manifest[] {
  const byFamily = (family: 4 | 6): string[] => published.addresses.filter((a) => isIP(a) === family);
  const labels = { "kubernetes.io/service-name": "kubernetes", "endpointslice.kubernetes.io/managed-by": endpointsManager };
  const port = { name: "https", port: published.port, protocol: "TCP" };
  const slices = ([4, 6] as const)
    .filter((family) => byFamily(family).length > 0)
    .map((family) => ({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      // The name the API server's own reconciler would use for the primary family.
      metadata: { name: family === 4 || byFamily(4).length === 0 ? "kubernetes" : "kubernetes-ipv6", namespace: "default", labels },
      addressType: family === 4 ? "IPv4" : "IPv6",
      endpoints: byFamily(family).map((address) => ({ addresses: [address], conditions: { ready: true } })),
      ports: [port],
    }));
  const endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: published.addresses.map((ip) => ({ ip })), ports: [port] }],
  };
  return [...slices, endpoints];
}
