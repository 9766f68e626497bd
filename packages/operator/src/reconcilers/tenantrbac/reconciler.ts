import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, isClusterServing, kubeconfigSecretKey, projectOfNamespace, type Cluster, type Project } from "@seedbed/api";
import { apply, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { DeadlineClient, TenantUnreachableError } from "../../tenants/deadline.ts";
import { renderTenantRBAC } from "./render.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface TenantRBACCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  project(name: string): Project | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/**
 * Keeps the project's members' roles inside each of its Running clusters
 * (see renderTenantRBAC), as the cluster's admin. What was applied is
 * remembered per cluster (bindings and credentials), so an unchanged
 * cluster costs no request; after a restart each cluster is applied once.
 * A tenant that does not answer within the request bound (see
 * tenants/deadline.ts) is reported as a TenantUnreachable event on the
 * Cluster and retried with the controller's backoff.
 */
export class TenantRBACReconciler implements Reconciler {
  readonly #cache: TenantRBACCache;
  readonly #events: EventRecorder | undefined;
  readonly #timeoutMs: number | undefined;
  /** Cluster (namespace/name) → the bindings last applied there (as JSON), the credentials, and their client. */
  readonly #applied = new Map<string, { bindings: string; encoded: string; client: ObjectClient }>();

  /** `timeoutMs` bounds each request to a tenant (default 10 s); `events` reports a tenant that does not answer. */
  constructor(options: { cache: TenantRBACCache; events?: EventRecorder; timeoutMs?: number }) {
    this.#cache = options.cache;
    this.#events = options.events;
    this.#timeoutMs = options.timeoutMs;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    // What was applied is remembered per Cluster object (its key is unique, and known once the object is gone).
    const id = `${namespace}/${request.name}`;
    const cluster = this.#cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      this.#applied.delete(id);
      return undefined;
    }
    // Only a cluster that serves (a condition, so Upgrading or any later phase counts): its status brings us back when it does.
    if (!isClusterServing(cluster)) return undefined;
    const encoded = this.#cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const objects = renderTenantRBAC(this.#cache.project(projectOfNamespace(namespace)));
    const bindings = JSON.stringify(objects);
    const known = this.#applied.get(id);
    if (known?.bindings === bindings && known.encoded === encoded) return undefined;
    const client = known?.encoded === encoded ? known.client : clientFor(encoded, `cluster ${namespace}/${request.name}`, this.#timeoutMs);
    try {
      for (const object of objects) await apply(client, object);
    } catch (error) {
      if (error instanceof TenantUnreachableError) this.#events?.record(cluster, { type: "Warning", reason: error.reason, action: "ApplyMemberRoles", note: `the project's member roles are not applied yet: ${error.message}` });
      throw error;
    }
    this.#applied.set(id, { bindings, encoded, client });
    context.log.info({ bindings: objects.length }, "Applied the project's roles in the cluster");
    return undefined;
  }
}

function clientFor(encodedKubeconfig: string, tenant: string, timeoutMs: number | undefined): ObjectClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(Buffer.from(encodedKubeconfig, "base64").toString("utf8"));
  return DeadlineClient.forTenant(kubeConfig, tenant, timeoutMs);
}
