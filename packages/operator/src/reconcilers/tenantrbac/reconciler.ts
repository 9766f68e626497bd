import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { clusterId, clusterObjectNames, kubeconfigSecretKey, projectOfNamespace, type Cluster, type Project } from "@seedbed/api";
import { apply, ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { renderTenantRBAC } from "./render.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface TenantRBACCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  project(name: string): Project | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** How long one apply into a tenant may take: an unreachable tenant must not hold a worker. */
const tenantRequestTimeoutMs = 10_000;

/**
 * Keeps the project's members' roles inside each of its Running clusters
 * (see renderTenantRBAC), as the cluster's admin. What was applied is
 * remembered per cluster (bindings and credentials), so an unchanged
 * cluster costs no request; after a restart each cluster is applied once.
 * A tenant that cannot be reached is retried with the controller's backoff.
 */
export class TenantRBACReconciler implements Reconciler {
  readonly #cache: TenantRBACCache;
  /** Cluster id → the bindings last applied there (as JSON), the credentials, and their client. */
  readonly #applied = new Map<string, { bindings: string; encoded: string; client: ObjectClient }>();

  constructor(options: { cache: TenantRBACCache }) {
    this.#cache = options.cache;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const id = clusterId(namespace, request.name);
    const cluster = this.#cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      this.#applied.delete(id);
      return undefined;
    }
    // Only a cluster that serves: its phase brings us back when it does.
    if (cluster.status?.phase !== "Running" && cluster.status?.phase !== "Degraded") return undefined;
    const encoded = this.#cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const objects = renderTenantRBAC(this.#cache.project(projectOfNamespace(namespace)));
    const bindings = JSON.stringify(objects);
    const known = this.#applied.get(id);
    if (known?.bindings === bindings && known.encoded === encoded) return undefined;
    const client = known?.encoded === encoded ? known.client : clientFor(encoded);
    for (const object of objects) await apply(client, object, { signal: AbortSignal.timeout(tenantRequestTimeoutMs) });
    this.#applied.set(id, { bindings, encoded, client });
    context.log.info({ bindings: objects.length }, "Applied the project's roles in the cluster");
    return undefined;
  }
}

function clientFor(encodedKubeconfig: string): ObjectClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(Buffer.from(encodedKubeconfig, "base64").toString("utf8"));
  return ObjectClient.fromKubeConfig(kubeConfig);
}
