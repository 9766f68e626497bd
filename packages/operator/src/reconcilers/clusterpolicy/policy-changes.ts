import type { Cluster, ClusterPolicy } from "@seedbed/api";
import type { Informer, ReconcileRequest } from "@seedbed/runtime";
import { clustersSelectedBy, policyReach, type ProjectLookup } from "./selection.ts";
import type { ClusterKey } from "./sync-index.ts";

/** What a policy change is mapped with. */
export interface PolicyChangesOptions {
  readonly clusters: Informer<Cluster>;
  readonly project: ProjectLookup;
  /** The clusters whose ClusterSync lists a policy uid (the index). */
  readonly clustersOf: (uid: string) => readonly ClusterKey[];
  /** Where the clusters to revisit go (the ClusterSync controller's queue). */
  readonly enqueue: (request: ReconcileRequest) => void;
}

/**
 * Turns ClusterPolicy events into the clusters whose ClusterSync may have
 * to change: those listing the policy now (losing it) and those it
 * selects now (gaining it or a new generation). Only a new policy, a new
 * generation (spec: selectors, contents) or a deletion counts: the
 * policy's own status writes, which follow every agent report, would
 * otherwise revisit all its clusters each time.
 */
export class PolicyChanges {
  readonly #o: PolicyChangesOptions;
  /** uid and generation each policy was last mapped at. */
  readonly #seen = new Map<string, string>();

  constructor(options: PolicyChangesOptions) {
    this.#o = options;
  }

  /** Subscribes to `policies`; returns the unsubscribe function. */
  follow(policies: Informer<ClusterPolicy>): () => void {
    return policies.addHandlers({ add: (p) => this.#changed(p), update: (p) => this.#changed(p), delete: (p) => this.#deleted(p) });
  }

  #changed(policy: ClusterPolicy): void {
    const key = `${policy.metadata.namespace ?? ""}/${policy.metadata.name ?? ""}`;
    const version = `${policy.metadata.uid ?? ""}@${String(policy.metadata.generation ?? 0)}${policy.metadata.deletionTimestamp === undefined ? "" : "-deleting"}`;
    if (this.#seen.get(key) === version) return;
    this.#seen.set(key, version);
    const reach = policyReach(policy.metadata.namespace ?? "");
    const candidates = reach.kind === "none" ? [] : reach.kind === "platform" ? this.#o.clusters.list() : this.#o.clusters.list(reach.namespace);
    this.#revisit([...this.#o.clustersOf(policy.metadata.uid ?? ""), ...clustersSelectedBy(policy, candidates, this.#o.project).map((c) => ({ namespace: c.metadata.namespace ?? "", name: c.metadata.name ?? "" }))]);
  }

  #deleted(policy: ClusterPolicy): void {
    this.#seen.delete(`${policy.metadata.namespace ?? ""}/${policy.metadata.name ?? ""}`);
    this.#revisit(this.#o.clustersOf(policy.metadata.uid ?? ""));
  }

  #revisit(clusters: readonly ClusterKey[]): void {
    for (const c of clusters) this.#o.enqueue(c);
  }
}
