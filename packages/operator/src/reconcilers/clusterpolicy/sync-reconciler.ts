import { apiVersion, platformPolicyNamespace, type Cluster, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import { apply, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import type { PolicyMetrics } from "./metrics.ts";
import { OwnWrites } from "./own-writes.ts";
import { policiesSelecting, policyRef, type ProjectLookup } from "./selection.ts";
import { clusterSyncUpToDate, desiredClusterSync } from "./sync.ts";

/** What the ClusterSync reconciler reads (caches) and writes. */
export interface ClusterSyncReconcilerOptions {
  readonly client: ObjectClient;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  /** The cached ClusterPolicies of one namespace. */
  readonly policies: (namespace: string) => readonly ClusterPolicy[];
  readonly project: ProjectLookup;
  readonly sync: (namespace: string, name: string) => ClusterSync | undefined;
  readonly metrics?: PolicyMetrics;
}

/**
 * Keeps each Cluster's ClusterSync listing the policies that select it
 * (those of its project's namespace and of seedbed-system), with the
 * generation its agent should reach. A cluster no policy ever selected
 * gets no ClusterSync; one that had some keeps its ClusterSync with an
 * empty list, which tells its agent to prune. Clusters not serving yet
 * get theirs too: the agent starts once the cluster serves.
 */
export class ClusterSyncReconciler implements Reconciler {
  readonly #o: ClusterSyncReconcilerOptions;
  readonly #written = new OwnWrites();

  constructor(options: ClusterSyncReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const cluster = this.#o.cluster(namespace, request.name);
    // A Cluster gone takes its ClusterSync with it (owner reference, garbage collector).
    if (cluster?.metadata.uid === undefined) {
      this.#written.forget(`${namespace}/${request.name}`);
      return undefined;
    }
    const candidates = [...this.#o.policies(namespace), ...(namespace === platformPolicyNamespace ? [] : this.#o.policies(platformPolicyNamespace))];
    const refs = policiesSelecting(cluster, candidates, this.#o.project).map(policyRef);
    const existing = this.#o.sync(namespace, request.name);
    // No object per idle cluster; an existing one's deletion brings the cluster back here (owns).
    if ((existing === undefined && refs.length === 0) || existing?.metadata.deletionTimestamp !== undefined) return undefined;
    const desired = desiredClusterSync(cluster, refs);
    const key = `${namespace}/${request.name}`;
    const content = JSON.stringify([desired.metadata.ownerReferences, desired.spec]);
    // Written already; the cache has not caught up (its watch event brings the cluster back: owns).
    if (this.#written.pending(key, existing?.metadata.resourceVersion, content)) return undefined;
    if (existing !== undefined && clusterSyncUpToDate(existing, desired)) return undefined;
    if (refs.length > 0 || existing === undefined) await apply(this.#o.client, desired, { signal: context.signal });
    else await this.#empty(desired, context);
    this.#written.wrote(key, existing?.metadata.resourceVersion, content);
    this.#o.metrics?.wrote("clustersyncs");
    context.log.info({ policies: refs.map((r) => `${r.namespace}/${r.name}@${String(r.generation)}`) }, existing === undefined ? "Created ClusterSync" : "Updated ClusterSync");
    return undefined;
  }

  /**
   * Empties the list with a merge patch: server-side apply cannot: an
   * applied empty list owns no field, so the API server drops it, and with
   * it the required spec, and refuses the object.
   */
  async #empty(desired: ClusterSync, context: ReconcileContext): Promise<void> {
    const { name, namespace, ownerReferences } = desired.metadata;
    await this.#o.client.request("PATCH", `/apis/${apiVersion}/namespaces/${namespace ?? ""}/clustersyncs/${name ?? ""}`, {
      body: { metadata: { ownerReferences }, spec: { policies: [] } },
      contentType: "application/merge-patch+json",
      signal: context.signal,
    });
  }
}
