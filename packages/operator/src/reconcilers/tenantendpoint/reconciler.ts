import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, isClusterServing, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { apply, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { DeadlineClient, TenantUnreachableError } from "../../tenants/deadline.ts";
import { endpointHostPort, isLoopback, renderAPIEndpoints, type PublishedAPI } from "./render.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface TenantEndpointCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** What the reconciler works with. */
export interface TenantEndpointReconcilerOptions {
  readonly cache: TenantEndpointCache;
  readonly events?: EventRecorder;
  /** Bounds each request to a tenant (default 10 s). */
  readonly timeoutMs?: number;
  /** Resolves a load balancer's host name to its addresses (default: the system resolver). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

/**
 * Keeps each serving cluster's `default/kubernetes` endpoints pointing at
 * the address and port its API is published at (status.endpoint), so that
 * pods inside the cluster reach their API through the `kubernetes`
 * Service. The tenant's API servers cannot do it themselves: they run in
 * seed pods whose addresses the tenant's nodes cannot reach, and their own
 * reconciler writes their secure port (6443), not the NodePort. Level
 * triggered from the Cluster; what was applied is remembered per cluster,
 * so an unchanged cluster costs no request (after a restart, one apply
 * each). Local clusters publish a loopback address, useless to a pod:
 * nothing is written for them.
 */
export class TenantEndpointReconciler implements Reconciler {
  readonly #o: TenantEndpointReconcilerOptions;
  /** Cluster (namespace/name) → the endpoints last applied (JSON), the credentials, and their client. */
  readonly #applied = new Map<string, { rendered: string; encoded: string; client: ObjectClient }>();

  constructor(options: TenantEndpointReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const key = `${namespace}/${request.name}`;
    const cluster = this.#o.cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      this.#applied.delete(key);
      return undefined;
    }
    if (!isClusterServing(cluster)) return undefined;
    const published = await this.#published(cluster.status?.endpoint);
    if (published === undefined) return undefined;
    // A host name's addresses change with no change of the Cluster (a cloud's load balancer): look again now and then.
    const after = published.byName ? { requeueAfter: resolveAgainMs } : undefined;
    const encoded = this.#o.cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const objects = renderAPIEndpoints({ addresses: published.addresses, port: published.port });
    const rendered = JSON.stringify(objects);
    const known = this.#applied.get(key);
    if (known?.rendered === rendered && known.encoded === encoded) return after;
    const client = known?.encoded === encoded ? known.client : clientFor(encoded, `cluster ${key}`, this.#o.timeoutMs);
    try {
      // The controller stopping ends a wait on a tenant that does not answer.
      for (const object of objects) await apply(client, object, { signal: context.signal });
    } catch (error) {
      if (error instanceof TenantUnreachableError) this.#o.events?.record(cluster, { type: "Warning", reason: error.reason, action: "PublishEndpoints", note: `pods in the cluster cannot reach its API through the kubernetes Service yet: ${error.message}` });
      throw error;
    }
    this.#applied.set(key, { rendered, encoded, client });
    context.log.info({ addresses: published.addresses, port: published.port }, "Pointed the cluster's kubernetes Service at its published endpoint");
    return after;
  }

  /** The published addresses and port of an endpoint; undefined when there is none, or only a loopback one. */
  async #published(endpoint: string | undefined): Promise<(PublishedAPI & { byName: boolean }) | undefined> {
    const hostPort = endpointHostPort(endpoint);
    if (hostPort === undefined || isLoopback(hostPort.host)) return undefined;
    // A load balancer known by name (as on AWS): the Service needs addresses.
    const byName = isIP(hostPort.host) === 0;
    const addresses = byName ? await (this.#o.resolve ?? resolveAll)(hostPort.host) : [hostPort.host];
    const usable = [...new Set(addresses)].filter((a) => !isLoopback(a)).sort();
    return usable.length === 0 ? undefined : { addresses: usable, port: hostPort.port, byName };
  }
}

/** How often a published host name is resolved again. */
const resolveAgainMs = 300_000;

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

function clientFor(encodedKubeconfig: string, tenant: string, timeoutMs: number | undefined): ObjectClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(Buffer.from(encodedKubeconfig, "base64").toString("utf8"));
  return DeadlineClient.forTenant(kubeConfig, tenant, timeoutMs);
}
