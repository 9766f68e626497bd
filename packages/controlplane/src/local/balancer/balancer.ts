import { mkdirSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { RouteServer, type BalancerLogger, type RouteStatus } from "./route-server.ts";
import { listRouteIds, parseRoute, routeFile } from "./routes.ts";

/** Options of the balancer. */
export interface BalancerOptions {
  /** One `<clusterId>.json` per cluster (see writeRoute); created when missing. */
  readonly routesDir: string;
  readonly log: BalancerLogger;
  /** The directory is read again this often, in case fs.watch missed a change. Default 2000. */
  readonly rescanMs?: number;
  /** How often a listen address that is taken is tried again. Default 200. */
  readonly bindRetryMs?: number;
  /** How long a backend may take to accept a connection and to answer its first bytes. Default 2000. */
  readonly connectTimeoutMs?: number;
}

/** Events of fs.watch arrive in bursts (write, rename): one read of the directory after a short pause serves them all. */
const watchSettleMs = 20;

/**
 * A TCP load balancer for the API servers of every local cluster of this
 * machine: one process for the whole platform, so it outlives operator
 * restarts. It serves the routes in a directory and follows their
 * changes; TLS passes through untouched, end to end between the client
 * and a kube-apiserver.
 */
export class Balancer {
  readonly #options: BalancerOptions;
  readonly #routes = new Map<string, RouteServer>();
  /** The text each route was last applied (or rejected) from: an unchanged file is not applied again. */
  readonly #texts = new Map<string, string>();
  readonly #closing = new Set<Promise<void>>();
  #watcher: FSWatcher | undefined;
  #rescan: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  #closed = false;
  #scanFailed = false;

  constructor(options: BalancerOptions) {
    this.#options = options;
  }

  /** Serves the routes there are now and follows the directory from then on. */
  start(): void {
    mkdirSync(this.#options.routesDir, { recursive: true, mode: 0o700 });
    this.#scan();
    this.#rescan = setInterval(() => {
      this.#scan();
    }, this.#options.rescanMs ?? 2000);
  }

  /** Every route as served now, by cluster id. */
  status(): RouteStatus[] {
    return [...this.#routes.values()].map((route) => route.status()).sort((a, b) => a.clusterId.localeCompare(b.clusterId));
  }

  /** Stops listening everywhere and closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#rescan);
    clearTimeout(this.#settle);
    this.#watcher?.close();
    for (const [clusterId, route] of this.#routes) this.#closeRoute(clusterId, route);
    await Promise.all(this.#closing);
  }

  /** Reads the directory and applies what changed since the last read. */
  #scan(): void {
    if (this.#closed) return;
    this.#watch();
    let ids: string[];
    try {
      ids = listRouteIds(this.#options.routesDir);
      this.#scanFailed = false;
    } catch (error) {
      // Serve on with what there is; say so once, not at every rescan.
      if (!this.#scanFailed) this.#options.log.warn({ routesDir: this.#options.routesDir, error: (error as Error).message }, "Cannot read routes");
      this.#scanFailed = true;
      return;
    }
    const present = new Set(ids);
    for (const [clusterId, route] of this.#routes) {
      if (present.has(clusterId)) continue;
      this.#closeRoute(clusterId, route);
      this.#options.log.info({ cluster: clusterId }, "Route removed");
    }
    for (const clusterId of this.#texts.keys()) if (!present.has(clusterId)) this.#texts.delete(clusterId);
    for (const clusterId of ids) this.#load(clusterId);
  }

  #load(clusterId: string): void {
    let file: string;
    let text: string;
    try {
      file = routeFile(this.#options.routesDir, clusterId);
      text = readFileSync(file, "utf8");
    } catch (error) {
      // Removed since the directory was read (the next read takes it away), or a file name that is no cluster id.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" && this.#texts.get(clusterId) !== "") {
        this.#options.log.warn({ cluster: clusterId, error: (error as Error).message }, "Route ignored");
        this.#texts.set(clusterId, "");
      }
      return;
    }
    if (this.#texts.get(clusterId) === text) return;
    this.#texts.set(clusterId, text);
    let parsed;
    try {
      parsed = parseRoute(text, file);
    } catch (error) {
      // A route the driver got wrong: the version served before (if any) stays.
      this.#options.log.warn({ cluster: clusterId, error: (error as Error).message }, "Route invalid, keeping the last valid one");
      return;
    }
    const existing = this.#routes.get(clusterId);
    const fields = { cluster: clusterId, listen: parsed.listen.map((a) => `${a.host}:${a.port}`).join(","), backends: parsed.backends.map((b) => `${b.name}${b.draining === true ? "(draining)" : ""}`).join(",") };
    if (existing !== undefined) {
      existing.apply(parsed);
      this.#options.log.info(fields, "Route updated");
      return;
    }
    const { log } = this.#options;
    this.#routes.set(clusterId, new RouteServer(clusterId, parsed, { log, bindRetryMs: this.#options.bindRetryMs ?? 200, connectTimeoutMs: this.#options.connectTimeoutMs ?? 2000 }));
    log.info(fields, "Route added");
  }

  #closeRoute(clusterId: string, route: RouteServer): void {
    this.#routes.delete(clusterId);
    const closing = route.close().finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  /** Watches the directory when not watching yet; failing that (it was removed, no inotify left), the rescan carries on alone. */
  #watch(): void {
    if (this.#watcher !== undefined) return;
    try {
      const watcher = watch(this.#options.routesDir, { persistent: false }, () => {
        clearTimeout(this.#settle);
        this.#settle = setTimeout(() => {
          this.#scan();
        }, watchSettleMs);
      });
      watcher.on("error", () => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
      });
      this.#watcher = watcher;
    } catch {
      this.#watcher = undefined;
    }
  }
}
