import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, isClusterServing, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { apply, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { DeadlineClient, TenantUnreachableError } from "../../tenants/deadline.ts";
import { renderJoinRBAC } from "./render.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface TenantJoinCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/**
 * Keeps, in each serving cluster, what lets real machines join through a
 * node pool's bootstrap token and lets the API server reach their kubelets
 * (see renderJoinRBAC). Applied as the cluster's admin once per admin
 * kubeconfig: an unchanged cluster costs no request, and after a restart
 * each cluster is applied once. A tenant that does not answer is reported
 * as a TenantUnreachable event on the Cluster and retried with backoff.
 */
export class TenantJoinReconciler implements Reconciler {
  readonly #cache: TenantJoinCache;
  readonly #events: EventRecorder | undefined;
  readonly #timeoutMs: number | undefined;
  /** Cluster (namespace/name) → the admin kubeconfig (base64) the bindings were last applied with. */
  readonly #applied = new Map<string, string>();

  /** `timeoutMs` bounds each request to a tenant (default 10 s); `events` reports a tenant that does not answer. */
  constructor(options: { cache: TenantJoinCache; events?: EventRecorder; timeoutMs?: number }) {
    this.#cache = options.cache;
    this.#events = options.events;
    this.#timeoutMs = options.timeoutMs;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const id = `${namespace}/${request.name}`;
    const cluster = this.#cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      this.#applied.delete(id);
      return undefined;
    }
    if (!isClusterServing(cluster)) return undefined;
    const encoded = this.#cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    // A new admin kubeconfig may be a new control plane (restored, moved): apply again.
    if (encoded === undefined || this.#applied.get(id) === encoded) return undefined;
    const client = clientFor(encoded, `cluster ${id}`, this.#timeoutMs);
    const objects = renderJoinRBAC();
    try {
      for (const object of objects) await apply(client, object, { signal: context.signal });
    } catch (error) {
      if (error instanceof TenantUnreachableError) this.#events?.record(cluster, { type: "Warning", reason: error.reason, action: "ApplyJoinRBAC", note: `machines cannot join the cluster yet: ${error.message}` });
      throw error;
    }
    this.#applied.set(id, encoded);
    context.log.info({ bindings: objects.length }, "Applied the roles machines join the cluster with");
    return undefined;
  }
}

function clientFor(encodedKubeconfig: string, tenant: string, timeoutMs: number | undefined): ObjectClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(Buffer.from(encodedKubeconfig, "base64").toString("utf8"));
  return DeadlineClient.forTenant(kubeConfig, tenant, timeoutMs);
}
