import { Counter, Gauge, type Registry } from "prom-client";

/** What the add-on controller sends to tenants: every request but its watches. */
export type AddonRequest = "apply" | "delete" | "helm_upgrade" | "helm_uninstall";

/** The add-on controller's metrics: its requests to tenants (none while nothing drifts) and its open watches. */
export class AddonMetrics {
  readonly #requests: Counter<"action">;
  readonly #watches: Gauge;

  /** Registers the metrics in the operator's registry. */
  constructor(registry: Registry) {
    const registers = [registry];
    this.#requests = new Counter({ name: "seedbed_addon_tenant_requests_total", help: "Requests the add-on controller sent to tenant clusters (applies, deletes, helm upgrades and uninstalls); flat while nothing drifts.", labelNames: ["action"], registers });
    this.#watches = new Gauge({ name: "seedbed_addon_watches", help: "Watches the add-on controller keeps open on tenant clusters (one per kind an add-on uses, per cluster).", registers });
  }

  /** One request sent. */
  sent(action: AddonRequest): void {
    this.#requests.inc({ action });
  }

  /** Watches opened (positive) or closed (negative). */
  watchesChanged(delta: number): void {
    this.#watches.inc(delta);
  }
}
