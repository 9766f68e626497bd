import type { V1CertificateSigningRequest, V1Node, V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, isClusterServing, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { isNotFound, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { TenantUnreachableError } from "../../tenants/deadline.ts";
import { decideServingCSR, isPendingServingCSR, requestingNode, type ServingCSRDecision } from "./decide.ts";
import type { TenantCSRWatches } from "./watches.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface TenantCSRCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** What the approver works with. */
export interface TenantCSRReconcilerOptions {
  readonly cache: TenantCSRCache;
  readonly watches: TenantCSRWatches;
  readonly events?: EventRecorder;
  /** When a CSR was made relative to now decides how long its Node is waited for. */
  readonly clock?: Clock;
}

/**
 * Seedbed's approver of kubelet serving certificates, per serving cluster:
 * every pending CSR for kubernetes.io/kubelet-serving in the tenant is
 * approved or denied by decideServingCSR (never approved blindly), and
 * kube-controller-manager signs the approved ones with the cluster CA.
 * Level triggered from the Cluster: a pass looks at all pending serving
 * CSRs in the tenant's cache; a new one brings the cluster back through
 * the tenant's CSR watch. A denial is also an event on the Cluster.
 */
export class TenantCSRReconciler implements Reconciler {
  readonly #o: TenantCSRReconcilerOptions;

  constructor(options: TenantCSRReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const id = `${namespace}/${request.name}`;
    const cluster = this.#o.cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      await this.#o.watches.close(id);
      return undefined;
    }
    if (!isClusterServing(cluster)) return undefined;
    const encoded = this.#o.cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const tenant = await this.#o.watches.get({ namespace, name: request.name }, encoded);
    try {
      await tenant.synced();
      let retryAfterMs: number | undefined;
      for (const csr of tenant.csrs.list().filter(isPendingServingCSR)) {
        const wait = await this.#decide(cluster, tenant.client, csr, context);
        if (wait !== undefined) retryAfterMs = Math.min(retryAfterMs ?? wait, wait);
      }
      return retryAfterMs === undefined ? undefined : { requeueAfter: retryAfterMs };
    } catch (error) {
      if (error instanceof TenantUnreachableError) this.#o.events?.record(cluster, { type: "Warning", reason: error.reason, action: "ApproveServingCertificates", note: `kubelet serving certificates are not decided yet: ${error.message}` });
      throw error;
    }
  }

  /** Decides one pending CSR and writes the decision; the delay to look again when it must wait for its Node. */
  async #decide(cluster: Cluster, client: ObjectClient, csr: V1CertificateSigningRequest, context: ReconcileContext): Promise<number | undefined> {
    const nodeName = requestingNode(csr);
    const node = nodeName === undefined ? undefined : await readNode(client, nodeName, context.signal);
    const decision = decideServingCSR(csr, node, new Date((this.#o.clock ?? systemClock).now()));
    if (decision.verdict === "wait") return decision.retryAfterMs;
    if (!(await writeDecision(client, csr, decision, context.signal))) return undefined;
    const fields = { csr: csr.metadata?.name, node: nodeName, reason: decision.reason };
    if (decision.verdict === "approve") {
      context.log.info(fields, "Approved a kubelet serving certificate");
      return undefined;
    }
    context.log.info({ ...fields, why: decision.message }, "Denied a kubelet serving certificate");
    this.#o.events?.record(cluster, { type: "Warning", reason: decision.reason, action: "DenyServingCertificate", note: `CSR ${csr.metadata?.name ?? ""} of ${csr.spec.username ?? "?"} denied: ${decision.message}` });
    return undefined;
  }
}

async function readNode(client: ObjectClient, name: string, signal: AbortSignal | undefined): Promise<V1Node | undefined> {
  try {
    return await client.request<V1Node>("GET", `/api/v1/nodes/${encodeURIComponent(name)}`, { signal });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Adds the Approved or Denied condition through the approval subresource;
 * false when the CSR is gone. The update carries the cached
 * resourceVersion: a CSR changed since is a conflict, retried with the
 * fresh one.
 */
async function writeDecision(client: ObjectClient, csr: V1CertificateSigningRequest, decision: Exclude<ServingCSRDecision, { verdict: "wait" }>, signal: AbortSignal | undefined): Promise<boolean> {
  const condition = { type: decision.verdict === "approve" ? "Approved" : "Denied", status: "True", reason: decision.reason, message: decision.message, lastUpdateTime: new Date().toISOString() };
  // Only the conditions change: the approval subresource ignores the rest of the status.
  const body = { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: csr.metadata, spec: csr.spec, status: { conditions: [...(csr.status?.conditions ?? []), condition] } };
  try {
    await client.request("PUT", `/apis/certificates.k8s.io/v1/certificatesigningrequests/${encodeURIComponent(csr.metadata?.name ?? "")}/approval`, { body, signal });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
