// The first half of a Cluster's deletion: what must be gone, or known,
// before its control plane may go. The reconciler then deletes the control
// plane through the driver this returns and drops the finalizer.
import { isDeepStrictEqual } from "node:util";
import { ClusterConditions, ClusterReasons, type Cluster, type NodePool } from "@seedbed/api";
import type { HostingDriver } from "@seedbed/controlplane";
import { applyStatus, isConflict, isNotFound, setCondition, type Clock, type ConditionInput, type EventRecorder, type ObjectClient, type ReconcileResult } from "@seedbed/runtime";
import { RecordedSeedGoneError } from "../../seeds/errors.ts";
import { InvalidSpecError } from "./resolve.ts";
import { clusterOwnedStatus } from "./status-owner.ts";

/** Where a Cluster's deletion stands. */
export type DeletionStep =
  /** Node pools naming the cluster still exist (their machines are being removed). */
  | { readonly step: "nodePools"; readonly pools: readonly string[] }
  /** The Seed recorded in status.seed is gone: nothing can be deleted, nothing elsewhere will be. */
  | { readonly step: "seedGone"; readonly seed: string; readonly cluster: string; readonly namespace: string }
  /** The control plane is being removed from its seed. */
  | { readonly step: "controlPlane"; readonly seed: string | undefined };

/** How often a deletion waiting on node pools looks again; their deletion events bring it back sooner. */
const poolRecheckMs = 30_000;

/** The Ready condition of a Cluster being deleted: what its deletion waits for. Pure. */
export function deletionCondition(step: DeletionStep): ConditionInput {
  const ready = { type: ClusterConditions.Ready, status: "False" } as const;
  switch (step.step) {
    case "nodePools": {
      const n = step.pools.length;
      const shown = step.pools.slice(0, 10).join(", ") + (n > 10 ? `, and ${n - 10} more` : "");
      const what = n === 1 ? "1 node pool to remove its machines" : `${n} node pools to remove their machines`;
      return { ...ready, reason: ClusterReasons.WaitingForNodePools, message: `waiting for ${what} (${shown}); the control plane goes after them` };
    }
    case "seedGone":
      return {
        ...ready,
        reason: ClusterReasons.SeedGone,
        message: `Seed ${step.seed} that hosts this cluster no longer exists; recreate it so the control plane can be removed, or remove the finalizer seedbed.dev/cluster to abandon the control plane (kubectl patch cluster ${step.cluster} -n ${step.namespace} --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'); nothing is deleted on any other seed`,
      };
    case "controlPlane":
      return { ...ready, reason: ClusterReasons.Deleting, message: step.seed === undefined ? "the control plane is being removed" : `the control plane is being removed from Seed ${step.seed}` };
  }
}

/** Finds the driver of the seed a deleted cluster lives on (see SeedDrivers.forDeletion). */
export interface DeletionDrivers {
  forDeletion(cluster: Cluster): Promise<HostingDriver>;
}

/** What ClusterDeletion works with. */
export interface ClusterDeletionOptions {
  readonly client: ObjectClient;
  readonly drivers: DeletionDrivers;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** The NodePools of a cluster (spec.clusterName, same namespace), from the cache. */
  readonly nodePools: (namespace: string, cluster: string) => readonly NodePool[];
}

/**
 * Takes a deleted Cluster to where its control plane may go: its node
 * pools deleted and gone first (cloud machines are terminated through
 * their provider while the control plane still runs, never orphaned), then
 * the driver of the recorded seed found. Each step is shown in status.
 */
export class ClusterDeletion {
  readonly #o: ClusterDeletionOptions;

  constructor(options: ClusterDeletionOptions) {
    this.#o = options;
  }

  /**
   * The driver to delete the control plane with; or, while something holds
   * the deletion up, what the reconcile returns; or `nothingPlaced` when
   * no seed was ever recorded nor can be resolved, so there is nothing to
   * delete anywhere.
   */
  async prepare(cluster: Cluster): Promise<{ driver: HostingDriver } | { waiting: ReconcileResult | undefined } | { nothingPlaced: string }> {
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const cached = this.#o.nodePools(namespace, name);
    // None in the cache: ask the API once before the finalizer goes, as a pool
    // created just before the deletion may not be cached yet (it would be orphaned).
    const pools = await this.#deletePools(cached.length > 0 ? cached : await this.#livePools(namespace, name));
    if (pools.length > 0) {
      await this.#writeStatus(cluster, { step: "nodePools", pools });
      return { waiting: { requeueAfter: poolRecheckMs } };
    }
    try {
      const driver = await this.#o.drivers.forDeletion(cluster);
      await this.#writeStatus(cluster, { step: "controlPlane", seed: cluster.status?.seed });
      return { driver };
    } catch (error) {
      if (error instanceof RecordedSeedGoneError) {
        const step = { step: "seedGone", seed: error.seed, cluster: name, namespace } as const;
        await this.#writeStatus(cluster, step);
        this.#o.events.record(cluster, { type: "Warning", reason: ClusterReasons.SeedGone, action: "Delete", note: deletionCondition(step).message ?? "" });
        // Recreating the Seed brings the cluster back (the Seed watch maps it by status.seed).
        return { waiting: undefined };
      }
      if (error instanceof InvalidSpecError && cluster.status?.seed === undefined) return { nothingPlaced: error.message };
      throw error;
    }
  }

  /** The cluster's pools as the API server has them now. */
  async #livePools(namespace: string, cluster: string): Promise<NodePool[]> {
    const list = await this.#o.client.request<{ items: NodePool[] }>("GET", `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/nodepools`);
    return list.items.filter((p) => p.spec.clusterName === cluster);
  }

  /** Deletes the pools not yet being deleted; returns the names of every pool still there. */
  async #deletePools(pools: readonly NodePool[]): Promise<string[]> {
    for (const pool of pools) {
      if (pool.metadata.deletionTimestamp !== undefined) continue;
      await this.#o.client.request("DELETE", `/apis/seedbed.dev/v1alpha1/namespaces/${pool.metadata.namespace ?? ""}/nodepools/${pool.metadata.name ?? ""}`).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      this.#o.events.record(pool, { reason: "ClusterDeleted", action: "Delete", note: `Cluster ${pool.spec.clusterName} is being deleted: the pool removes its machines first` });
    }
    return pools.map((p) => p.metadata.name ?? "").sort();
  }

  /** Phase Deleting and the Ready condition of `step`, written only when they change. */
  async #writeStatus(cluster: Cluster, step: DeletionStep): Promise<void> {
    const conditions = setCondition(cluster.status?.conditions ?? [], { ...deletionCondition(step), observedGeneration: cluster.metadata.generation }, this.#o.clock.now());
    const status = { ...cluster.status, phase: "Deleting" as const, conditions };
    if (isDeepStrictEqual(status, cluster.status)) return;
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: clusterOwnedStatus(status) });
    } catch (error) {
      // Gone meanwhile, or changed: the next pass reports from fresh data.
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}
