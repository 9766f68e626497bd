import { seedPorts } from "./names.ts";

/** The parts of the API's Service the driver reads. */
export interface ServiceView {
  readonly spec?: { readonly type?: string; readonly externalTrafficPolicy?: string; readonly ports?: readonly { readonly nodePort?: number }[] };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] } };
}

/** The parts of a seed Node the driver reads. */
export interface NodeView {
  readonly metadata?: { readonly name?: string };
  readonly status?: { readonly addresses?: readonly { readonly type: string; readonly address: string }[] };
}

/** The parts of a kube-apiserver Pod the driver reads. */
export interface APIServerPodView {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

/** A node's external address, else its internal one: what a client outside the seed is most likely to reach. */
export function nodeAddress(node: NodeView | undefined): string | undefined {
  const addresses = node?.status?.addresses ?? [];
  return (addresses.find((a) => a.type === "ExternalIP") ?? addresses.find((a) => a.type === "InternalIP"))?.address;
}

const byName = (a: NodeView, b: NodeView): number => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");

/**
 * https://host:port of the cluster's API as published by its Service, ""
 * while it is not known yet: the load balancer's first ingress on the
 * Service port, or a node on the NodePort. Which node is stable (the first
 * by name) so that the kubeconfig does not change on every look. With
 * externalTrafficPolicy Local only nodes running a ready kube-apiserver
 * pod answer, so the node is one of those.
 */
export function publishedEndpoint(service: ServiceView | undefined, nodes: readonly NodeView[], apiServerPods: readonly APIServerPodView[]): string {
  if (service?.spec?.type === "LoadBalancer") {
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const host = ingress?.ip ?? ingress?.hostname;
    return host === undefined ? "" : `https://${bracketed(host)}:${seedPorts.apiServer}`;
  }
  const nodePort = service?.spec?.ports?.[0]?.nodePort;
  if (nodePort === undefined) return "";
  let candidates = [...nodes].sort(byName);
  if (service?.spec?.externalTrafficPolicy === "Local") {
    const serving = new Set(apiServerPods.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((p) => p.spec?.nodeName));
    candidates = candidates.filter((n) => serving.has(n.metadata?.name));
  }
  const host = candidates.map(nodeAddress).find((a) => a !== undefined);
  return host === undefined ? "" : `https://${bracketed(host)}:${nodePort}`;
}

/**
 * The names and addresses the API is published at, for its serving
 * certificate: a load balancer's ingress addresses and host names, or
 * every address (external and internal) of every seed node, since a
 * NodePort answers on all of them and the endpoint may name any (a node
 * running an API server pod, with externalTrafficPolicy Local). Sorted and
 * without repeats, so that the same seed gives the same list.
 */
export function publishedNames(service: ServiceView | undefined, nodes: readonly NodeView[]): string[] {
  if (service?.spec?.type === "LoadBalancer") {
    const ingress = service.status?.loadBalancer?.ingress ?? [];
    return unique(ingress.flatMap((i) => [i.ip, i.hostname]).filter((h): h is string => h !== undefined && h !== ""));
  }
  return unique(nodes.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === "ExternalIP" || a.type === "InternalIP").map((a) => a.address)));
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

/** An IPv6 address in brackets, as a URL's host. */
function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
