import { KubeConfig, type V1Node, type V1Pod, type V1Secret } from "@kubernetes/client-node";
import { clusterIdentity, clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { InformerCache, type Informer, type KindRef, type ObjectClient } from "@seedbed/runtime";
import { DeadlineClient, defaultTenantTimeoutMs, formatSeconds, TenantUnreachableError } from "./deadline.ts";
import { countNodes, type NodeCounts } from "./node-counts.ts";
import { slimPod } from "./slim-pod.ts";

const nodeKind: KindRef = { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false };
const podKind: KindRef = { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true };

/** The operator's view of one tenant cluster. */
export interface Tenant {
  readonly clusterId: string;
  readonly client: ObjectClient;
  /** Every Node of the tenant. */
  readonly nodes: Informer<V1Node>;
  /** Every Pod of the tenant, slimmed to what scaling decisions read. */
  readonly pods: Informer<V1Pod>;
  /**
   * Resolves once both caches hold the tenant's current state; rejects with
   * a TenantUnreachableError when they do not within the sync timeout of
   * the connection (counted from when it opened, so a tenant that never
   * answers costs one wait, and later passes fail at once).
   */
  synced(): Promise<void>;
}

interface Entry {
  readonly tenant: Tenant;
  readonly informers: InformerCache;
  /** The admin kubeconfig (base64, as cached) it was built from: a new one (new endpoint or certificates) reconnects. */
  readonly encoded: string;
}

/**
 * Connections to tenant clusters, as their admin (from the Cluster's admin
 * kubeconfig Secret), for the controllers that work inside them. Each keeps
 * watches on Nodes and Pods and says which cluster changed, so node pools
 * react to a NotReady Node or an unschedulable Pod without polling.
 * Connections open on first use and close when the cluster goes. Every
 * wait on a tenant is bounded (see deadline.ts): its requests, and the
 * first sync of its caches.
 */
export class TenantConnections {
  readonly #secret: (namespace: string, name: string) => V1Secret | undefined;
  readonly #onChange: (clusterId: string) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #timeoutMs: number;
  readonly #onNodesChange: ((clusterId: string) => void) | undefined;
  /** Per cluster, the node counts last announced through onNodesChange. */
  readonly #announced = new Map<string, string>();

  /**
   * `timeoutMs` bounds each request to a tenant and the first sync of its
   * caches (default 10 s). `onNodesChange` is told only when a cluster's
   * count of Nodes or of Ready ones changes (its status.nodes), not on every
   * Node heartbeat.
   */
  constructor(options: { secret: (namespace: string, name: string) => V1Secret | undefined; onChange: (clusterId: string) => void; timeoutMs?: number; onNodesChange?: (clusterId: string) => void }) {
    this.#secret = options.secret;
    this.#onChange = options.onChange;
    this.#onNodesChange = options.onNodesChange;
    this.#timeoutMs = options.timeoutMs ?? defaultTenantTimeoutMs;
  }

  /** The tenant of a Running cluster; undefined while it has no admin kubeconfig yet. */
  async get(cluster: Cluster): Promise<Tenant | undefined> {
    const namespace = cluster.metadata.namespace ?? "";
    const id = clusterIdentity(cluster);
    const encoded = this.#secret(namespace, clusterObjectNames.adminKubeconfigSecret(cluster.metadata.name ?? ""))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const known = this.#entries.get(id);
    if (known?.encoded === encoded) return known.tenant;
    if (known) await this.close(id);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
    const informers = new InformerCache({ kubeConfig });
    const nodes = informers.informerFor<V1Node>(nodeKind);
    const pods = informers.informerFor<V1Pod>(podKind, { transform: slimPod });
    const notify = (): void => {
      this.#onChange(id);
    };
    const countChanged = (): void => {
      const { ready, total } = countNodes(nodes.list());
      if (this.#announced.get(id) === `${ready}/${total}`) return;
      this.#announced.set(id, `${ready}/${total}`);
      this.#onNodesChange?.(id);
    };
    nodes.addHandlers({ add: countChanged, update: countChanged, delete: countChanged });
    for (const informer of [nodes, pods] as Informer[]) {
      informer.addHandlers({ add: notify, update: notify, delete: notify });
      informer.start();
    }
    const what = `cluster ${namespace}/${cluster.metadata.name ?? ""}`;
    const syncBy = Date.now() + this.#timeoutMs;
    const tenant: Tenant = {
      clusterId: id,
      client: DeadlineClient.forTenant(kubeConfig, what, this.#timeoutMs),
      nodes,
      pods,
      synced: async () => {
        const deadline = AbortSignal.timeout(Math.max(0, syncBy - Date.now()));
        const synced = await Promise.all([nodes.waitForSync(deadline), pods.waitForSync(deadline)]);
        if (synced.every(Boolean)) return;
        throw new TenantUnreachableError(`the API of ${what} at ${kubeConfig.getCurrentCluster()?.server ?? "?"} has not listed its Nodes and Pods within ${formatSeconds(this.#timeoutMs)} of connecting; retried with backoff`);
      },
    };
    this.#entries.set(id, { tenant, informers, encoded });
    return tenant;
  }

  /** A cluster's Nodes (ready, total) while a connection watches them and has listed them; undefined otherwise. */
  nodeCounts(id: string): NodeCounts | undefined {
    const nodes = this.#entries.get(id)?.tenant.nodes;
    return nodes?.hasSynced() === true ? countNodes(nodes.list()) : undefined;
  }

  /** Stops watching a cluster (deleted, or its credentials changed). */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    this.#announced.delete(id);
    await entry?.informers.stop();
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.#entries.keys()]) await this.close(id);
  }
}
