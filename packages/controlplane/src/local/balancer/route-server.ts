import { createServer, type Server, type Socket } from "node:net";
import { ProxiedConnection, type ConnectionTarget } from "./connection.ts";
import { BackendMonitor, type BackendHealth, type ProbeResult } from "./health.ts";
import { defaultProbeIntervalMs, probeServerName, type Route, type RouteAddress, type RouteBackend } from "./routes.ts";

/** Structured fields of a log line: never certificate contents. */
export type LogFields = Readonly<Record<string, string | number | boolean>>;

/** Where the balancer reports backend and route changes (a pino logger fits). */
export interface BalancerLogger {
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
}

/** One backend as the balancer sees it now. */
export interface BackendStatus {
  readonly name: string;
  readonly up: boolean;
  readonly draining: boolean;
  /** Client connections it serves (after it answered). */
  readonly connections: number;
  readonly reason?: string;
}

/** One route as the balancer serves it now. */
export interface RouteStatus {
  readonly clusterId: string;
  /** The listen addresses bound now ("host:port"); one that waits for its port is missing. */
  readonly listening: readonly string[];
  readonly backends: readonly BackendStatus[];
}

/** Timing and logging shared by every route. */
export interface RouteServerOptions {
  readonly log: BalancerLogger;
  readonly bindRetryMs: number;
  readonly connectTimeoutMs: number;
}

interface Listener {
  readonly address: RouteAddress;
  server: Server | undefined;
  bound: boolean;
  retry: NodeJS.Timeout | undefined;
  warned: boolean;
  closed: boolean;
}

interface Backend {
  config: RouteBackend;
  readonly monitor: BackendMonitor;
}

/** "host:port", with brackets around an IPv6 host. */
export function addressKey(address: RouteAddress): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * The listeners, backends and connections of one cluster's route.
 * `apply` moves it to a new version of the route, touching only what
 * changed: connections of unchanged backends and addresses stay open.
 */
export class RouteServer {
  readonly clusterId: string;
  readonly #options: RouteServerOptions;
  #route: Route;
  readonly #listeners = new Map<string, Listener>();
  readonly #backends = new Map<string, Backend>();
  readonly #connections = new Set<ProxiedConnection>();
  /** Round-robin position in the route's backend list. */
  #next = 0;

  constructor(clusterId: string, route: Route, options: RouteServerOptions) {
    this.clusterId = clusterId;
    this.#options = options;
    this.#route = route;
    this.apply(route);
  }

  /** Serves this version of the route from now on. */
  apply(route: Route): void {
    this.#route = route;
    const wantedListeners = new Map(route.listen.map((address) => [addressKey(address), address]));
    for (const [key, listener] of this.#listeners) if (!wantedListeners.has(key)) void this.#closeListener(key, listener);
    for (const [key, address] of wantedListeners) if (!this.#listeners.has(key)) this.#openListener(key, address);
    const wantedBackends = new Map(route.backends.map((backend) => [backend.name, backend]));
    for (const name of this.#backends.keys()) if (!wantedBackends.has(name)) this.#removeBackend(name);
    for (const config of wantedBackends.values()) this.#applyBackend(config);
  }

  /** What is served now. */
  status(): RouteStatus {
    const listening = [...this.#listeners].filter(([, listener]) => listener.bound).map(([key]) => key);
    const backends = this.#route.backends.flatMap((config): BackendStatus[] => {
      const backend = this.#backends.get(config.name);
      if (backend === undefined) return [];
      const { up, reason } = backend.monitor.health;
      const connections = [...this.#connections].filter((c) => c.committed && c.backend === config.name).length;
      return [{ name: config.name, up, draining: config.draining === true, connections, ...(reason === undefined || up ? {} : { reason }) }];
    });
    return { clusterId: this.clusterId, listening, backends };
  }

  /** Stops listening, probing, and closes every connection. */
  async close(): Promise<void> {
    const closing = [...this.#listeners].map(([key, listener]) => this.#closeListener(key, listener));
    for (const name of [...this.#backends.keys()]) this.#removeBackend(name);
    for (const connection of this.#connections) connection.destroy();
    await Promise.all(closing);
  }

  #openListener(key: string, address: RouteAddress): void {
    const listener: Listener = { address, server: undefined, bound: false, retry: undefined, warned: false, closed: false };
    this.#listeners.set(key, listener);
    this.#bind(key, listener);
  }

  /**
   * Listens, and while the address is taken tries again every
   * bindRetryMs: an API server that served this port a moment ago may
   * still hold it.
   */
  #bind(key: string, listener: Listener): void {
    if (listener.closed) return;
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      this.#accept(key, socket);
    });
    listener.server = server;
    server.on("error", (error: NodeJS.ErrnoException) => {
      if (listener.bound) {
        this.#options.log.warn({ cluster: this.clusterId, address: key, error: error.code ?? error.message }, "Listener failed");
        return;
      }
      server.close();
      if (listener.closed) return;
      if (!listener.warned) this.#options.log.warn({ cluster: this.clusterId, address: key, error: error.code ?? error.message }, "Cannot listen yet, retrying");
      listener.warned = true;
      listener.retry = setTimeout(() => {
        this.#bind(key, listener);
      }, this.#options.bindRetryMs);
    });
    server.listen({ host: listener.address.host, port: listener.address.port, exclusive: true }, () => {
      if (listener.closed) {
        server.close();
        return;
      }
      listener.bound = true;
      this.#options.log.info({ cluster: this.clusterId, address: key }, "Listening");
    });
  }

  #closeListener(key: string, listener: Listener): Promise<void> {
    listener.closed = true;
    clearTimeout(listener.retry);
    this.#listeners.delete(key);
    for (const connection of this.#connections) if (connection.listener === key) connection.destroy();
    const server = listener.server;
    if (server === undefined) return Promise.resolve();
    if (!listener.bound) {
      // Its bind is retried or still under way: the listen callback closes it if it succeeds.
      server.close();
      return Promise.resolve();
    }
    listener.bound = false;
    this.#options.log.info({ cluster: this.clusterId, address: key }, "Stopped listening");
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #accept(listener: string, client: Socket): void {
    if (!this.#hasCandidate()) {
      // Nothing to send it to: a quick close lets the client retry elsewhere.
      client.destroy();
      return;
    }
    const connection: ProxiedConnection = new ProxiedConnection({
      client,
      listener,
      pick: (tried) => this.#pick(tried),
      onFailure: (backend, result) => this.#report(backend, result),
      onClose: () => this.#connections.delete(connection),
      connectTimeoutMs: this.#options.connectTimeoutMs,
    });
    this.#connections.add(connection);
    connection.start();
  }

  #usable(config: RouteBackend, tried?: ReadonlySet<string>): boolean {
    return config.draining !== true && this.#backends.get(config.name)?.monitor.health.up === true && tried?.has(config.name) !== true;
  }

  #hasCandidate(): boolean {
    return this.#route.backends.some((config) => this.#usable(config));
  }

  /** Round robin over the backends that are up, not draining, and not tried yet for this client. */
  #pick(tried: ReadonlySet<string>): ConnectionTarget | undefined {
    const backends = this.#route.backends;
    for (let step = 0; step < backends.length; step++) {
      const index = (this.#next + step) % backends.length;
      const config = backends[index];
      if (config !== undefined && this.#usable(config, tried)) {
        this.#next = index + 1;
        return config;
      }
    }
    return undefined;
  }

  #report(name: string, result: ProbeResult): void {
    this.#backends.get(name)?.monitor.report(result);
  }

  #applyBackend(config: RouteBackend): void {
    const existing = this.#backends.get(config.name);
    if (existing !== undefined && existing.config.host === config.host && existing.config.port === config.port) {
      if ((existing.config.draining === true) !== (config.draining === true)) {
        this.#options.log.info({ cluster: this.clusterId, backend: config.name, draining: config.draining === true }, config.draining === true ? "Backend draining" : "Backend no longer draining");
      }
      existing.config = config;
      return;
    }
    // A new backend, or the name moved to another address: its connections went to the old one.
    if (existing !== undefined) this.#removeBackend(config.name);
    const backend: Backend = {
      config,
      monitor: new BackendMonitor({
        target: () => ({ backend: backend.config, probe: this.#route.probe, serverName: probeServerName(this.#route) }),
        intervalMs: () => this.#route.probe.intervalMs ?? defaultProbeIntervalMs,
        onChange: (health) => this.#logHealth(backend.config, health),
      }),
    };
    this.#backends.set(config.name, backend);
    backend.monitor.start();
  }

  #removeBackend(name: string): void {
    this.#backends.get(name)?.monitor.stop();
    this.#backends.delete(name);
    for (const connection of this.#connections) if (connection.backend === name) connection.destroy();
  }

  #logHealth(config: RouteBackend, health: BackendHealth): void {
    const fields = { cluster: this.clusterId, backend: config.name, address: addressKey(config) };
    if (health.up) this.#options.log.info(fields, "Backend up");
    else this.#options.log.warn({ ...fields, reason: health.reason ?? "unknown" }, "Backend down");
  }
}
