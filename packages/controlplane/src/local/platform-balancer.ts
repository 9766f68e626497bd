import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { balancerComponentName, balancerProcessSpec, listRouteIds, readRoute, removeRoute, setDraining, writeRoute, type Route } from "./balancer/index.ts";
import { SupervisingLauncher } from "./launcher.ts";
import type { RestartBackoff, SupervisorEvent } from "./supervisor.ts";

/**
 * The one balancer process of a local platform, in front of the API
 * servers of every cluster with several. A supervised process of its own,
 * like the clusters' components: it keeps serving while the operator
 * restarts, and the next operator adopts it by its marker.
 */
export class PlatformBalancer {
  readonly #dir: string;
  readonly #routesDir: string;
  readonly #launcher: SupervisingLauncher;

  constructor(root: string, options: { readonly backoff?: RestartBackoff; readonly onEvent?: (event: SupervisorEvent) => void } = {}) {
    this.#dir = join(root, "balancer");
    this.#routesDir = join(this.#dir, "routes");
    this.#launcher = new SupervisingLauncher({ cwd: root, markerPrefix: `seedbed:${this.#dir}`, ...options });
  }

  /** Where the routes are: one file per cluster. */
  get routesDir(): string {
    return this.#routesDir;
  }

  /** Serves a cluster's route (written only when it changed), starting the balancer if it is not running. */
  async serve(clusterId: string, route: Route): Promise<void> {
    mkdirSync(this.#routesDir, { recursive: true, mode: 0o700 });
    const current = readRoute(this.#routesDir, clusterId);
    // Draining marks are the driver's to set and clear, not the route's shape.
    const undrained = (r: Route | undefined): string => JSON.stringify(r === undefined ? undefined : { ...r, backends: r.backends.map(({ draining: _draining, ...b }) => b) });
    if (undrained(current) !== undrained(route)) writeRoute(this.#routesDir, clusterId, { ...route, backends: route.backends.map((b) => ({ ...b, draining: current?.backends.find((c) => c.name === b.name)?.draining ?? false })) });
    await this.#launcher.launch(balancerProcessSpec(this.#routesDir), join(this.#dir, `${balancerComponentName}.log`));
  }

  /** Stops serving a cluster's endpoint (its API server listens there itself again). The process stays for the other clusters. */
  async remove(clusterId: string): Promise<void> {
    if (!existsSync(this.#routesDir)) return;
    removeRoute(this.#routesDir, clusterId);
    if (listRouteIds(this.#routesDir).length > 0) return;
    // Adopted first: one an earlier run of the platform started is stopped too.
    await this.#launcher.launch(balancerProcessSpec(this.#routesDir), join(this.#dir, `${balancerComponentName}.log`));
    await this.#launcher.stop(balancerComponentName);
  }

  /** A draining backend gets no new connection: set before an API server is stopped, cleared once it serves again. */
  drain(clusterId: string, backend: string, draining: boolean): void {
    // No route (one API server) or no such backend: nothing reaches it through the balancer.
    const current = existsSync(this.#routesDir) ? readRoute(this.#routesDir, clusterId)?.backends.find((b) => b.name === backend) : undefined;
    if (current === undefined || (current.draining ?? false) === draining) return;
    setDraining(this.#routesDir, clusterId, backend, draining);
  }

  /** Whether the cluster's endpoint is the balancer's. */
  serves(clusterId: string): boolean {
    return existsSync(this.#routesDir) && readRoute(this.#routesDir, clusterId) !== undefined;
  }

  async stop(): Promise<void> {
    await this.#launcher.stopAll();
  }

  detach(): void {
    this.#launcher.detachAll();
  }
}
