import { createHash } from "node:crypto";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { apply, describeError, InformerCache, isNotFound, ObjectClient, type Informer, type KindRef } from "@seedbed/runtime";
import type { CertificateNames, ControlPlaneObservation, ControlPlanePlan, DriverCapabilities, EtcdConnection, HostingDriver } from "../driver.ts";
import { etcdClientPEMs, openEtcdConnection, podPortForward, readyEtcdPod, type EtcdClientPEMs } from "./etcd-connection.ts";
import { seedLabels, seedNamespace, seedPorts, seedServiceNames, type Manifest } from "./names.ts";
import { componentHealth, type PodStatus, type WorkloadStatus } from "./observe.ts";
import type { SeedImageOptions } from "./images.ts";
import { publishedEndpoint, publishedNames, type APIServerPodView, type NodeView, type ServiceView } from "./published.ts";
import { renderSeedControlPlane } from "./render.ts";
import { slim } from "./slim.ts";

/** How the kubernetes driver reaches its seed. */
export interface KubernetesDriverOptions {
  readonly seedKubeConfig: KubeConfig;
  /** Where the control-plane images come from: a registry (default registry.k8s.io) and per-component references. */
  readonly images?: SeedImageOptions;
  /** StorageClass of etcd's volumes (the seed's default when absent). */
  readonly storageClassName?: string;
  /** Told when a cluster's workloads change in the seed, so its Cluster is reconciled without polling. */
  readonly onChange?: (clusterId: string) => void;
  /** How long a call waits for the seed's API (first sync of the caches, the reachability probe); default 10 s. */
  readonly timeoutMs?: number;
}

/** Why the seed could not be reached: connection refused, timed out, no answer to the first list. */
export class SeedUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SeedUnreachableError";
  }
}

/** How long a successful reachability probe of the seed is trusted: one request per seed and period, whatever the number of clusters. */
const reachableForMs = 15_000;

const kinds = {
  statefulSet: { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true },
  deployment: { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  pod: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  service: { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  namespace: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  node: { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  disruptionBudget: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true },
} as const satisfies Record<string, KindRef>;

/** What each watched kind is shrunk to in the cache. */
const transforms: Record<string, (obj: KubernetesObject) => KubernetesObject> = {
  StatefulSet: slim.workload,
  Deployment: slim.workload,
  Pod: slim.pod,
  Service: slim.service,
  Namespace: slim.namespace,
  Node: slim.node,
  PodDisruptionBudget: slim.metadata,
};

/**
 * Kinds the renderer leaves out when they are not needed (budgets of single
 * pods, kwok without kwok pools): objects of these kinds that it no longer
 * renders are deleted, with the Secrets named here beside them.
 */
const prunable = [kinds.disruptionBudget, kinds.deployment];
const secretsOf: Readonly<Record<string, string>> = { "Deployment/kwok": "kwok-config" };

const managed = "app.kubernetes.io/managed-by=seedbed";

type Obj = KubernetesObject & WorkloadStatus & PodStatus & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/**
 * Hosts each control plane as workloads in namespace cluster-<id> of a seed
 * cluster: objects applied with server-side apply (only when the rendering
 * changed), health read from informers on the seed (never polled).
 */
export class KubernetesDriver implements HostingDriver {
  readonly name = "kubernetes";
  readonly reportsChanges = true;
  /**
   * Workloads in the seed: replicas and members as the schema allows, a
   * Service of either type, NetworkPolicies and load-balancer source ranges,
   * snapshots through a port-forward to etcd (connectEtcd); no shared etcd
   * and no restores yet.
   */
  readonly capabilities: DriverCapabilities = { maxAPIServerReplicas: 5, maxEtcdMembers: 5, etcdMembershipChanges: false, sharedDatastore: false, datastoreMoves: false, serviceTypes: ["NodePort", "LoadBalancer"], allowedSourceRanges: true, etcdStorageSize: true, backups: true };
  readonly #options: KubernetesDriverOptions;
  readonly #client: ObjectClient;
  readonly #informers: InformerCache;
  /** Per cluster: what was last applied, and from which plan. */
  readonly #applied = new Map<string, { digests: ReadonlyMap<string, string>; planKey: string | undefined }>();
  /** Per cluster: the etcd client PEMs of the last plan applied, in memory only (connectEtcd writes them for the time of a connection). */
  readonly #etcdClients = new Map<string, EtcdClientPEMs>();
  /** Etcd connections not closed yet: stop() closes them. */
  readonly #connections = new Set<EtcdConnection>();
  #started = false;
  /** The seed nodes' addresses last seen, to tell a change of them from a heartbeat. */
  #nodeAddresses: string | undefined;
  /** When the seed last answered the reachability probe. */
  #answeredAt = Number.NEGATIVE_INFINITY;

  constructor(options: KubernetesDriverOptions) {
    this.#options = options;
    this.#client = ObjectClient.fromKubeConfig(options.seedKubeConfig);
    this.#informers = new InformerCache({ kubeConfig: options.seedKubeConfig });
  }

  /**
   * The in-seed Service names, and where the API is published: the load
   * balancer's ingress, or every seed node's addresses for a NodePort.
   * Read from the informers (started and synced here, so that the first
   * PKI already names them); when they change, the next pass finds the
   * certificate short of a name and issues new leaves from the same CA.
   */
  async certificateNames(clusterId: string): Promise<CertificateNames> {
    await this.#start();
    const names = seedServiceNames(clusterId);
    const service = this.#informer(kinds.service).get(seedNamespace(clusterId), "kube-apiserver") as ServiceView | undefined;
    return { apiServer: [...names.apiServer, ...publishedNames(service, this.#informer(kinds.node).list() as NodeView[])], etcd: names.etcd };
  }

  async apply(plan: ControlPlanePlan): Promise<ControlPlaneObservation> {
    await this.#start();
    const etcdClient = etcdClientPEMs(plan.pki);
    if (etcdClient === undefined) this.#etcdClients.delete(plan.clusterId);
    else this.#etcdClients.set(plan.clusterId, etcdClient);
    // The plan with its PKI named by version: when it matches the last
    // applied plan, nothing is rendered at all. Without a version the PKI is
    // new (just created or renewed), and the rendering decides.
    const planKey = plan.pkiVersion === undefined ? undefined : JSON.stringify({ ...plan, pki: undefined });
    const last = this.#applied.get(plan.clusterId);
    if (planKey !== undefined && last?.planKey === planKey) return this.#observe(plan.clusterId);
    const objects = renderSeedControlPlane(plan, this.#options.images).map((o) => this.#withStorageClass(o));
    const digests = new Map(objects.map((o) => [`${o.kind ?? ""}/${o.metadata?.name ?? ""}`, createHash("sha256").update(JSON.stringify(o)).digest("hex")]));
    // Re-applying an unchanged object would only cost a request: each is
    // applied once per process and change (the first pass after a restart
    // applies all), so an upgrade step that changes one Deployment's image
    // sends one request, not one per object of the control plane.
    let changed = false;
    for (const object of objects) {
      const key = `${object.kind ?? ""}/${object.metadata?.name ?? ""}`;
      if (last?.digests.get(key) === digests.get(key)) continue;
      await apply(this.#client, object);
      changed = true;
    }
    if (changed || last === undefined) await this.#prune(plan.clusterId, objects);
    this.#applied.set(plan.clusterId, { digests, planKey });
    return this.#observe(plan.clusterId);
  }

  /** Deletes the cluster's namespace; true once it is gone. */
  async delete(clusterId: string): Promise<boolean> {
    this.#applied.delete(clusterId);
    this.#etcdClients.delete(clusterId);
    const name = seedNamespace(clusterId);
    try {
      await this.#client.request("DELETE", `/api/v1/namespaces/${name}`, { body: { propagationPolicy: "Foreground" } });
    } catch (error) {
      if (isNotFound(error)) return true;
      throw error;
    }
    return false;
  }

  async list(): Promise<string[]> {
    await this.#start();
    return this.#informer(kinds.namespace)
      .list()
      .map((ns) => ns.metadata?.labels?.["seedbed.dev/cluster-id"])
      .filter((id): id is string => id !== undefined);
  }

  /**
   * The seed hosts etcd where this process cannot reach it directly: a
   * loopback port whose connections are port-forwarded through the seed's
   * API to a Ready etcd member, with the client certificate the cluster's
   * API servers use (from the last plan applied by this process). Undefined
   * before this process applied a plan of the cluster, or while no member
   * is Ready.
   */
  async connectEtcd(clusterId: string): Promise<EtcdConnection | undefined> {
    const pems = this.#etcdClients.get(clusterId);
    if (pems === undefined) return undefined;
    await this.#start();
    const ns = seedNamespace(clusterId);
    const pod = readyEtcdPod(this.#informer(kinds.pod).list(ns));
    if (pod === undefined) return undefined;
    const connection = await openEtcdConnection({ pems, forward: podPortForward(this.#options.seedKubeConfig, ns, pod, seedPorts.etcdClient) });
    const tracked: EtcdConnection = {
      ...connection,
      close: async () => {
        this.#connections.delete(tracked);
        await connection.close();
      },
    };
    this.#connections.add(tracked);
    return tracked;
  }

  /** Closes the etcd connections still open and stops the informers on the seed. */
  async stop(): Promise<void> {
    await Promise.all([...this.#connections].map((c) => c.close()));
    await this.#informers.stop();
  }

  /** Deletes what an earlier rendering made and this one no longer has (a budget once replicas drop to one). */
  async #prune(clusterId: string, rendered: readonly Manifest[]): Promise<void> {
    const ns = seedNamespace(clusterId);
    for (const kind of prunable) {
      const wanted = new Set(rendered.filter((o) => o.kind === kind.kind).map((o) => o.metadata?.name));
      for (const existing of this.#informer(kind).list(ns)) {
        const name = existing.metadata?.name ?? "";
        if (wanted.has(name)) continue;
        const secret = secretsOf[`${kind.kind}/${name}`];
        const paths = [`/apis/${kind.apiVersion}/namespaces/${ns}/${kind.plural}/${name}`, ...(secret === undefined ? [] : [`/api/v1/namespaces/${ns}/secrets/${secret}`])];
        for (const path of paths) {
          await this.#client.request("DELETE", path).catch((error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
        }
      }
    }
  }

  #withStorageClass(object: Manifest): Manifest {
    const storageClassName = this.#options.storageClassName;
    if (object.kind !== "StatefulSet" || storageClassName === undefined) return object;
    const spec = object.spec as { volumeClaimTemplates: { spec: Record<string, unknown> }[] };
    return { ...object, spec: { ...spec, volumeClaimTemplates: spec.volumeClaimTemplates.map((t) => ({ ...t, spec: { ...t.spec, storageClassName } })) } };
  }

  #informer(kind: KindRef): Informer<Obj> {
    return this.#informers.informerFor<Obj>(kind, { labelSelector: kind.kind === "Node" ? undefined : managed, transform: transforms[kind.kind] });
  }

  /**
   * Starts the informers on the seed (once) and waits, boundedly, until they
   * hold its state and the seed answers: an unreachable seed fails the call
   * with a SeedUnreachableError instead of holding a worker for ever, or
   * being reported healthy from a cache that no longer follows it.
   */
  async #start(): Promise<void> {
    const informers = Object.values(kinds).map((kind) => this.#informer(kind));
    if (!this.#started) {
      this.#started = true;
      const notify = (obj: KubernetesObject): void => {
        const id = obj.metadata?.labels?.["seedbed.dev/cluster-id"];
        if (id !== undefined) this.#options.onChange?.(id);
      };
      for (const informer of informers) {
        informer.addHandlers({ add: notify, update: notify, delete: notify });
        informer.start();
      }
      this.#informer(kinds.node).addHandlers({ add: this.#nodesChanged, update: this.#nodesChanged, delete: this.#nodesChanged });
    }
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const server = this.#options.seedKubeConfig.getCurrentCluster()?.server ?? "?";
    // Asked first: a refused connection fails the pass at once, not after the sync timeout.
    if (Date.now() - this.#answeredAt >= reachableForMs) {
      try {
        await this.#client.request("GET", "/version", { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw new SeedUnreachableError(`the seed's API at ${server} does not answer: ${describeError(error)}`, { cause: error });
      }
      this.#answeredAt = Date.now();
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const synced = await Promise.all(informers.map((i) => i.waitForSync(deadline)));
    if (!synced.every(Boolean)) throw new SeedUnreachableError(`the seed's API at ${server} has not listed its objects within ${timeoutMs / 1000} s`);
  }

  #observe(clusterId: string): ControlPlaneObservation {
    const ns = seedNamespace(clusterId);
    const pods = (component: string): Obj[] => this.#informer(kinds.pod).list(ns).filter((p) => p.metadata?.labels?.["seedbed.dev/component"] === component);
    const components = [
      componentHealth("etcd", this.#informer(kinds.statefulSet).get(ns, "etcd"), pods("etcd")),
      ...["kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((c) => componentHealth(c, this.#informer(kinds.deployment).get(ns, c), pods(c))),
    ];
    return { endpoint: this.#endpoint(ns), components };
  }

  /**
   * Seed nodes' addresses are in every NodePort cluster's certificate and
   * endpoint: when the set changes (a node added, removed or readdressed;
   * not on a status heartbeat), every hosted cluster is looked at again.
   */
  readonly #nodesChanged = (): void => {
    const addresses = publishedNames(undefined, this.#informer(kinds.node).list() as NodeView[]).join(",");
    if (addresses === this.#nodeAddresses) return;
    const first = this.#nodeAddresses === undefined;
    this.#nodeAddresses = addresses;
    // The initial list is not a change: every cluster is reconciled after a start anyway.
    if (first || !this.#informer(kinds.node).hasSynced()) return;
    for (const ns of this.#informer(kinds.namespace).list()) {
      const id = ns.metadata?.labels?.["seedbed.dev/cluster-id"];
      if (id !== undefined) this.#options.onChange?.(id);
    }
  };

  /** https://<node>:<nodePort>, or https://<load balancer>:6443, once known (see publishedEndpoint). */
  #endpoint(ns: string): string {
    const service = this.#informer(kinds.service).get(ns, "kube-apiserver") as ServiceView | undefined;
    const apiServerPods = this.#informer(kinds.pod).list(ns).filter((p) => p.metadata?.labels?.["seedbed.dev/component"] === "kube-apiserver") as APIServerPodView[];
    return publishedEndpoint(service, this.#informer(kinds.node).list() as NodeView[], apiServerPods);
  }
}

/** Labels that select every object of one cluster in the seed. */
export const clusterSelector = (clusterId: string): string => Object.entries(seedLabels(clusterId)).map(([k, v]) => `${k}=${v}`).join(",");
