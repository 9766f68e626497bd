import { sharedEndpointName, type Cluster } from "@seedbed/api";
import type { Logger } from "pino";
import { objectKey, silentLogger } from "@seedbed/runtime";
import type { Backend } from "./sni-proxy.ts";

/** The prefix of a project's namespace: project p lives in project-p. */
const projectNamespacePrefix = "project-";

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** True for an RFC 1123 label: lower-case letters, digits and inner hyphens, at most 63 characters. */
export function isDNSLabel(value: string): boolean {
  return dnsLabel.test(value);
}

/** True for a lower-case DNS name of labels (no trailing dot), at most 253 characters. */
export function isDNSName(value: string): boolean {
  return value.length <= 253 && value.split(".").every(isDNSLabel);
}

/**
 * The server name of a cluster behind the gateway: `<cluster>.<project>.<domain>`.
 * Throws when a part is not a DNS label (or the domain not a DNS name), so
 * that no name with a dot of its own can shadow another cluster's.
 */
export function routeName(cluster: string, project: string, domain: string): string {
  if (!isDNSLabel(cluster)) throw new Error(`cluster name "${cluster}" is not a DNS label`);
  if (!isDNSLabel(project)) throw new Error(`project name "${project}" is not a DNS label`);
  if (!isDNSName(domain)) throw new Error(`domain "${domain}" is not a lower-case DNS name`);
  // The operator names the API server's certificate by the same function.
  const name = sharedEndpointName(`${projectNamespacePrefix}${project}`, cluster, domain);
  if (name.length > 253) throw new Error(`${name} is longer than 253 characters`);
  return name;
}

/**
 * host and port of an endpoint such as "https://10.0.0.5:6443" or
 * "https://[::1]:31443" (443 when no port is given); undefined for anything
 * else, paths, credentials and other schemes included.
 */
export function parseEndpoint(endpoint: string): Backend | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.hostname === "" || url.username !== "" || url.password !== "") return undefined;
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") return undefined;
  // URL keeps IPv6 addresses in brackets; net.connect wants them bare.
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === "" ? 443 : Number(url.port) };
}

/** Whether and where a Cluster is routed, and why not. */
export type ClusterRoute =
  | { readonly routed: true; readonly name: string; readonly backend: Backend }
  | { readonly routed: false; readonly reason: string };

/**
 * The route of one Cluster: routed when it lives in a project namespace,
 * has an endpoint in its status and is not being deleted. The exposure
 * strategy plays no part: it decides which endpoint the platform
 * advertises, while the gateway can reach every cluster that has one.
 */
export function clusterRoute(cluster: Cluster, domain: string): ClusterRoute {
  const { name = "", namespace = "", deletionTimestamp } = cluster.metadata;
  if (!namespace.startsWith(projectNamespacePrefix)) return { routed: false, reason: `namespace ${namespace} is not a project namespace` };
  if (deletionTimestamp !== undefined) return { routed: false, reason: "being deleted" };
  const endpoint = cluster.status?.endpoint;
  if (endpoint === undefined || endpoint === "") return { routed: false, reason: "no endpoint yet" };
  const backend = parseEndpoint(endpoint);
  if (!backend) return { routed: false, reason: `endpoint ${endpoint} is not https://host:port` };
  try {
    return { routed: true, name: routeName(name, namespace.slice(projectNamespacePrefix.length), domain), backend };
  } catch (error) {
    return { routed: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The domain clusters are named under, and where to log route changes. */
export interface ClusterRoutesOptions {
  /** E.g. "k8s.example.com": cluster dev of project team-a is dev.team-a.k8s.example.com. */
  readonly domain: string;
  readonly logger?: Logger;
}

/**
 * The gateway's route table: server name → backend, kept from Cluster
 * objects. Lookups are exact, so only a name of the table is ever routed.
 */
export class ClusterRoutes {
  readonly domain: string;
  readonly #log: Logger;
  /** server name → backend */
  readonly #backends = new Map<string, Backend>();
  /** "namespace/name" of a Cluster → its server name */
  readonly #names = new Map<string, string>();

  /** An empty table for `options.domain`; throws when it is not a lower-case DNS name. */
  constructor(options: ClusterRoutesOptions) {
    if (!isDNSName(options.domain)) throw new Error(`domain "${options.domain}" is not a lower-case DNS name`);
    this.domain = options.domain;
    this.#log = options.logger ?? silentLogger();
  }

  /** Adds, changes or drops the route of a Cluster as it now is. */
  upsert(cluster: Cluster): void {
    const key = objectKey(cluster);
    const route = clusterRoute(cluster, this.domain);
    if (!route.routed) {
      if (this.#drop(key)) this.#log.info({ cluster: key, reason: route.reason }, "Route removed");
      else this.#log.debug({ cluster: key, reason: route.reason }, "Cluster not routed");
      return;
    }
    const previous = this.#names.get(key);
    const before = previous === undefined ? undefined : this.#backends.get(previous);
    if (previous === route.name && before?.host === route.backend.host && before.port === route.backend.port) return;
    if (previous !== undefined && previous !== route.name) this.#backends.delete(previous);
    this.#names.set(key, route.name);
    this.#backends.set(route.name, route.backend);
    this.#log.info({ cluster: key, serverName: route.name, backend: `${route.backend.host}:${route.backend.port}` }, "Route set");
  }

  /** Drops the route of a deleted Cluster. */
  remove(cluster: Cluster): void {
    const key = objectKey(cluster);
    if (this.#drop(key)) this.#log.info({ cluster: key, reason: "deleted" }, "Route removed");
  }

  /** The backend of exactly this server name, if routed. */
  resolve(serverName: string): Backend | undefined {
    return this.#backends.get(serverName);
  }

  /** Every routed server name, sorted. */
  names(): string[] {
    return [...this.#backends.keys()].sort();
  }

  #drop(key: string): boolean {
    const name = this.#names.get(key);
    if (name === undefined) return false;
    this.#names.delete(key);
    this.#backends.delete(name);
    return true;
  }
}
