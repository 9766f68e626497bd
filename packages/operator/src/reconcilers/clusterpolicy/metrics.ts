import { policyClusterStates } from "@seedbed/api";
import { Counter, Gauge, type Registry } from "prom-client";
import type { PolicyCounts } from "./status.ts";

const countOf: Record<(typeof policyClusterStates)[number], keyof PolicyCounts> = { Pending: "pending", InSync: "inSync", Drifted: "drifted", Conflicted: "conflicted", Failed: "failed" };

/** How each ClusterPolicy stands across its clusters (a gauge per state), and the policy controllers' writes. */
export class PolicyMetrics {
  readonly #clusters: Gauge<"namespace" | "policy" | "state">;
  readonly #writes: Counter<"resource">;

  /** Registers the gauge in the operator's registry. */
  constructor(registry: Registry) {
    this.#clusters = new Gauge({ name: "seedbed_policy_clusters", help: "Clusters a ClusterPolicy selects, by the policy's state there (Pending, InSync, Drifted, Conflicted, Failed).", labelNames: ["namespace", "policy", "state"], registers: [registry] });
    this.#writes = new Counter({ name: "seedbed_policy_writes_total", help: "Writes of the policy controllers to the management API (ClusterSync specs, ClusterPolicy statuses); flat while nothing changes.", labelNames: ["resource"], registers: [registry] });
  }

  /** One write made. */
  wrote(resource: "clustersyncs" | "clusterpolicies/status"): void {
    this.#writes.inc({ resource });
  }

  /** The policy's counts now. */
  set(namespace: string, policy: string, counts: PolicyCounts): void {
    for (const state of policyClusterStates) this.#clusters.set({ namespace, policy, state }, counts[countOf[state]]);
  }

  /** A deleted policy's series go. */
  remove(namespace: string, policy: string): void {
    for (const state of policyClusterStates) this.#clusters.remove({ namespace, policy, state });
  }
}
