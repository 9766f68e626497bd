import type { Cluster, ClusterPolicy, ClusterSync } from "@seedbed/api";
import { applyStatus, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import type { PolicyStateMemory } from "./events.ts";
import type { PolicyMetrics } from "./metrics.ts";
import { OwnWrites } from "./own-writes.ts";
import { policyReach } from "./selection.ts";
import { clusterPolicyState, nextPolicyStatus, policyStatusChanged, summarizePolicy, type ClusterPolicyState } from "./status.ts";
import type { ClusterKey } from "./sync-index.ts";

/** What the ClusterPolicy status reconciler reads (caches and the index) and writes. */
export interface PolicyStatusReconcilerOptions {
  readonly client: ObjectClient;
  readonly policy: (namespace: string, name: string) => ClusterPolicy | undefined;
  /** The clusters whose ClusterSync lists the policy of a uid (the index). */
  readonly clustersOf: (uid: string) => readonly ClusterKey[];
  readonly sync: (namespace: string, name: string) => ClusterSync | undefined;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  readonly memory: PolicyStateMemory;
  readonly metrics?: PolicyMetrics;
  readonly events?: EventRecorder;
  readonly clock?: Clock;
}

/**
 * Aggregates a ClusterPolicy's status from the ClusterSyncs that list it:
 * counts by state, the worst offenders, phase and Ready. Reads only the
 * policy's own clusters (through the index), so a pass costs as much as
 * the policy selects, not the fleet. Reports on each Cluster where the
 * policy newly fails or conflicts, or recovers.
 */
export class PolicyStatusReconciler implements Reconciler {
  readonly #o: PolicyStatusReconcilerOptions;
  readonly #clock: Clock;
  readonly #written = new OwnWrites();

  constructor(options: PolicyStatusReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const policy = this.#o.policy(namespace, request.name);
    if (policy === undefined || policy.metadata.deletionTimestamp !== undefined) {
      this.#o.memory.forget(namespace, request.name);
      this.#written.forget(`${namespace}/${request.name}`);
      this.#o.metrics?.remove(namespace, request.name);
      return undefined;
    }
    const reach = policyReach(namespace);
    const clusters = reach.kind === "none" ? [] : this.#states(policy);
    const summary = summarizePolicy(namespace, reach, clusters);
    const generation = policy.metadata.generation ?? 0;
    const status = nextPolicyStatus(policy.status, summary, generation, this.#clock.now());
    const key = `${namespace}/${request.name}`;
    const content = JSON.stringify([generation, summary]);
    // A status written already but not yet in the cache is not written twice (its watch event brings the policy back).
    if (policyStatusChanged(policy.status, status) && !this.#written.pending(key, policy.metadata.resourceVersion, content)) {
      await applyStatus(this.#o.client, { apiVersion: policy.apiVersion, kind: policy.kind, metadata: { name: policy.metadata.name, namespace }, status }, { signal: context.signal });
      this.#written.wrote(key, policy.metadata.resourceVersion, content);
      this.#o.metrics?.wrote("clusterpolicies/status");
      context.log.info({ phase: status.phase, ...summary.counts }, "Updated ClusterPolicy status");
    }
    this.#o.metrics?.set(namespace, request.name, summary.counts);
    this.#report(policy, clusters);
    return undefined;
  }

  /** The policy's state on each cluster whose ClusterSync lists its uid. */
  #states(policy: ClusterPolicy): ClusterPolicyState[] {
    const version = { uid: policy.metadata.uid ?? "", generation: policy.metadata.generation ?? 0 };
    const states: ClusterPolicyState[] = [];
    for (const key of this.#o.clustersOf(version.uid)) {
      const sync = this.#o.sync(key.namespace, key.name);
      if (sync === undefined) continue;
      const entry = sync.status?.policies?.find((p) => p.namespace === policy.metadata.namespace && p.name === policy.metadata.name);
      states.push({ ...key, ...clusterPolicyState(version, entry) });
    }
    return states;
  }

  #report(policy: ClusterPolicy, clusters: readonly ClusterPolicyState[]): void {
    const transitions = this.#o.memory.transitions({ namespace: policy.metadata.namespace ?? "", name: policy.metadata.name ?? "", uid: policy.metadata.uid ?? "" }, clusters);
    for (const t of transitions) {
      const cluster = this.#o.cluster(t.namespace, t.name);
      if (cluster === undefined) continue;
      this.#o.events?.record(cluster, { type: t.type, reason: t.reason, action: "Sync", note: t.note, related: policy });
    }
  }
}
