import { KubeConfig, type V1Node, type V1Pod, type V1Secret } from "@kubernetes/client-node";
import { clusterId, clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { InformerCache, ObjectClient, type Informer, type KindRef } from "@seedbed/runtime";
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
  /** Resolves once both caches hold the tenant's current state. */
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
 * Connections open on first use and close when the cluster goes.
 */
export class TenantConnections {
  readonly #secret: (namespace: string, name: string) => V1Secret | undefined;
  readonly #onChange: (clusterId: string) => void;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { secret: (namespace: string, name: string) => V1Secret | undefined; onChange: (clusterId: string) => void }) {
    this.#secret = options.secret;
    this.#onChange = options.onChange;
  }

  /** The tenant of a Running cluster; undefined while it has no admin kubeconfig yet. */
  async get(cluster: Cluster): Promise<Tenant | undefined> {
    const namespace = cluster.metadata.namespace ?? "";
    const id = clusterId(namespace, cluster.metadata.name ?? "");
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
    for (const informer of [nodes, pods] as Informer[]) {
      informer.addHandlers({ add: notify, update: notify, delete: notify });
      informer.start();
    }
    const tenant: Tenant = {
      clusterId: id,
      client: ObjectClient.fromKubeConfig(kubeConfig),
      nodes,
      pods,
      synced: async () => {
        await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
      },
    };
    this.#entries.set(id, { tenant, informers, encoded });
    return tenant;
  }

  /** Stops watching a cluster (deleted, or its credentials changed). */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    await entry?.informers.stop();
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.#entries.keys()]) await this.close(id);
  }
}
