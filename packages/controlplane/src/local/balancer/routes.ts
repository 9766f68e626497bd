import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A host and TCP port: an address the balancer listens on, or a backend's. */
export interface RouteAddress {
  readonly host: string;
  readonly port: number;
}

/** One kube-apiserver behind a route. */
export interface RouteBackend extends RouteAddress {
  /** Stable within the route (e.g. the API server's member name): draining and logs refer to it. */
  readonly name: string;
  /** A draining backend gets no new connections; its open ones stay until they end. */
  readonly draining?: boolean;
}

/**
 * How the balancer checks a backend: HTTPS GET `path` with a client
 * certificate, the server verified against `caFile`. The serving
 * certificate of a kube-apiserver names the cluster's addresses, not
 * necessarily the backend's host, so the server's name is checked against
 * `serverName`, by default the route's first listen host (127.0.0.1 when
 * that is 0.0.0.0 or ::).
 */
export interface RouteProbe {
  /** "/readyz": it fails as soon as an API server starts to shut down. */
  readonly path: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Default 1000. */
  readonly intervalMs?: number;
  readonly serverName?: string;
}

/** What the balancer serves for one cluster: `<routesDir>/<clusterId>.json`. */
export interface Route {
  readonly listen: readonly RouteAddress[];
  readonly backends: readonly RouteBackend[];
  readonly probe: RouteProbe;
}

/** The file suffix of a route; any other file in the directory is ignored (temporary files among them). */
export const routeFileSuffix = ".json";

/** The default interval between two probes of one backend. */
export const defaultProbeIntervalMs = 1000;

/** The file a cluster's route is kept in; throws for an id that is not a safe file name. */
export function routeFile(routesDir: string, clusterId: string): string {
  if (!/^[a-z0-9][-a-z0-9.]*$/.test(clusterId)) throw new Error(`cluster id "${clusterId}" is not a safe route file name: use lower-case letters, digits, "-" and "."`);
  return join(routesDir, `${clusterId}${routeFileSuffix}`);
}

/**
 * Writes (or replaces) a cluster's route. The file is written beside it and
 * renamed into place, so the balancer never reads half a route.
 */
export function writeRoute(routesDir: string, clusterId: string, route: Route): void {
  const file = routeFile(routesDir, clusterId);
  validateRoute(route, file);
  mkdirSync(routesDir, { recursive: true, mode: 0o700 });
  const temporary = join(routesDir, `.${clusterId}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(route, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes a cluster's route: the balancer stops listening for it and closes its connections. Nothing happens when there is none. */
export function removeRoute(routesDir: string, clusterId: string): void {
  rmSync(routeFile(routesDir, clusterId), { force: true });
}

/** A cluster's route as written, or undefined when it has none. */
export function readRoute(routesDir: string, clusterId: string): Route | undefined {
  const file = routeFile(routesDir, clusterId);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseRoute(text, file);
}

/**
 * Marks one backend of a route draining (no new connections) or not. The
 * driver drains an API server before it stops it, so that no new client
 * lands on a server that is going away.
 */
export function setDraining(routesDir: string, clusterId: string, backendName: string, draining: boolean): void {
  const route = readRoute(routesDir, clusterId);
  if (route === undefined) throw new Error(`cluster ${clusterId} has no route in ${routesDir}: write it with writeRoute first`);
  if (!route.backends.some((backend) => backend.name === backendName)) {
    throw new Error(`route of cluster ${clusterId} has no backend "${backendName}" (it has: ${route.backends.map((b) => b.name).join(", ") || "none"})`);
  }
  const backends = route.backends.map((backend) => (backend.name === backendName ? { ...backend, draining } : backend));
  writeRoute(routesDir, clusterId, { ...route, backends });
}

/** The cluster ids that have a route file in the directory (none when it does not exist). */
export function listRouteIds(routesDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(routesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => name.endsWith(routeFileSuffix) && !name.startsWith(".")).map((name) => name.slice(0, -routeFileSuffix.length));
}

/** Parses and checks a route file's text; the error names the file, the field and what to write instead. */
export function parseRoute(text: string, source: string): Route {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`, { cause: error });
  }
  validateRoute(value, source);
  return value;
}

/** Throws unless `value` is a valid route. */
export function validateRoute(value: unknown, source: string): asserts value is Route {
  const fail = (field: string, fix: string): never => {
    throw new Error(`${source}: ${field} ${fix}`);
  };
  if (!isObject(value)) return fail("the route", "must be an object with listen, backends and probe");
  const { listen, backends, probe } = value;
  if (!Array.isArray(listen) || listen.length === 0) fail("listen", "must be a non-empty list of {host, port}");
  (listen as unknown[]).forEach((address, index) => {
    validateAddress(address, `listen[${index}]`, fail);
  });
  if (!Array.isArray(backends)) return fail("backends", "must be a list of {name, host, port, draining?}");
  const names = new Set<string>();
  (backends as unknown[]).forEach((backend, index) => {
    const field = `backends[${index}]`;
    validateAddress(backend, field, fail);
    const { name, draining } = backend as Record<string, unknown>;
    if (typeof name !== "string" || name === "") fail(`${field}.name`, "must be a non-empty string");
    if (names.has(name as string)) fail(`${field}.name`, `"${name as string}" is used twice: give each backend its own name`);
    names.add(name as string);
    if (draining !== undefined && typeof draining !== "boolean") fail(`${field}.draining`, "must be true or false when set");
  });
  validateProbe(probe, fail);
}

function validateAddress(value: unknown, field: string, fail: (field: string, fix: string) => never): void {
  if (!isObject(value)) fail(field, "must be an object with host and port");
  const { host, port } = value;
  if (typeof host !== "string" || host === "") fail(`${field}.host`, "must be a host name or IP address");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) fail(`${field}.port`, "must be an integer between 1 and 65535");
}

function validateProbe(value: unknown, fail: (field: string, fix: string) => never): void {
  if (!isObject(value)) return fail("probe", "must be an object with path, caFile, certFile and keyFile");
  const { path, caFile, certFile, keyFile, intervalMs, serverName } = value;
  if (typeof path !== "string" || !path.startsWith("/")) fail("probe.path", 'must be an absolute URL path such as "/readyz"');
  for (const [field, file] of [["caFile", caFile], ["certFile", certFile], ["keyFile", keyFile]] as const) {
    if (typeof file !== "string" || !file.startsWith("/")) fail(`probe.${field}`, "must be an absolute file path");
  }
  if (intervalMs !== undefined && (typeof intervalMs !== "number" || !Number.isInteger(intervalMs) || intervalMs < 10)) {
    fail("probe.intervalMs", "must be an integer of at least 10 (milliseconds) when set");
  }
  if (serverName !== undefined && (typeof serverName !== "string" || serverName === "")) fail("probe.serverName", "must be a host name or IP address when set");
}

/**
 * The name a backend's serving certificate is checked against: the
 * probe's serverName, else the route's first listen host, with an
 * unspecified address (listening everywhere) read as 127.0.0.1.
 */
export function probeServerName(route: Route): string {
  if (route.probe.serverName !== undefined) return route.probe.serverName;
  const host = route.listen[0]?.host ?? "127.0.0.1";
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
