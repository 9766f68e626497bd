// One look at the platform for the chaos benchmark: Clusters, NodePools
// and Secrets from the management API, Nodes from each tenant whose pool
// says it is done, and the tenant processes and directories on this machine.
import { CoreV1Api, CustomObjectsApi, KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { kubeconfigSecretKey, clusterObjectNames, type Cluster, type NodePool } from "@seedbed/api";
import { clusterDirectories, tenantProcesses } from "./host.ts";
import { poolOf, type Expected, type Snapshot } from "./converge.ts";

/** How long a tenant may take to list its Nodes before the look counts it as unknown. */
const tenantTimeoutMs = 5000;

/** Reads snapshots; keeps one client per tenant (its admin kubeconfig does not change while it lives). */
export class Observer {
  readonly #objects: CustomObjectsApi;
  readonly #core: CoreV1Api;
  readonly #stateDir: string;
  readonly #tenants = new Map<string, { kubeconfig: string; core: CoreV1Api }>();
  /** Every port each cluster id ever recorded, also after its directory is gone. */
  readonly portsById = new Map<string, number[]>();

  constructor(management: KubeConfig, stateDir: string) {
    this.#objects = management.makeApiClient(CustomObjectsApi);
    this.#core = management.makeApiClient(CoreV1Api);
    this.#stateDir = stateDir;
  }

  /** Notes the ports of every cluster directory now (called often, so a short-lived cluster's ports are known too). */
  recordPorts(): Map<string, number[]> {
    const dirs = clusterDirectories(this.#stateDir);
    for (const [id, ports] of dirs) if (ports.length > 0) this.portsById.set(id, ports);
    return dirs;
  }

  async snapshot(expected: Expected): Promise<Snapshot> {
    const { namespace } = expected;
    const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
    const [clusters, pools, secrets] = await Promise.all([
      this.#objects.listNamespacedCustomObject({ ...resource, plural: "clusters" }) as Promise<{ items: Cluster[] }>,
      this.#objects.listNamespacedCustomObject({ ...resource, plural: "nodepools" }) as Promise<{ items: NodePool[] }>,
      this.#core.listNamespacedSecret({ namespace }),
    ]);
    const tenantNodes = new Map<string, { pool: string; ready: boolean }[] | string>();
    await Promise.all(
      [...expected.alive].map(async ([cluster, replicas]) => {
        const pool = pools.items.find((p) => p.metadata.name === poolOf(cluster));
        // Only a pool that says it is done is checked against its tenant: fewer requests while it is not.
        if (pool?.status?.readyReplicas !== replicas || pool.status.replicas !== replicas) return;
        const secret = secrets.items.find((s) => s.metadata?.name === clusterObjectNames.adminKubeconfigSecret(cluster));
        tenantNodes.set(cluster, await this.#nodes(cluster, secret));
      }),
    );
    const dirs = this.recordPorts();
    return {
      clusters: clusters.items,
      pools: pools.items,
      secrets: secrets.items.map((s) => ({ name: s.metadata?.name ?? "", cluster: s.metadata?.labels?.["seedbed.dev/cluster"] })),
      tenantNodes,
      processes: tenantProcesses(this.#stateDir),
      dirs: new Set(dirs.keys()),
    };
  }

  /** A cluster gone: its tenant client goes too. */
  forget(cluster: string): void {
    this.#tenants.delete(cluster);
  }

  async #nodes(cluster: string, secret: V1Secret | undefined): Promise<{ pool: string; ready: boolean }[] | string> {
    const encoded = secret?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return "no admin kubeconfig Secret";
    const kubeconfig = Buffer.from(encoded, "base64").toString("utf8");
    let tenant = this.#tenants.get(cluster);
    if (tenant?.kubeconfig !== kubeconfig) {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      tenant = { kubeconfig, core: kc.makeApiClient(CoreV1Api) };
      this.#tenants.set(cluster, tenant);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const list = await Promise.race([
        tenant.core.listNode(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${tenantTimeoutMs} ms`)), tenantTimeoutMs))),
      ]);
      return list.items.map((n) => ({ pool: n.metadata?.labels?.["seedbed.dev/node-pool"] ?? "", ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true }));
    } catch (error) {
      // Only the message: an error object of the client may carry request headers.
      return error instanceof Error ? error.message.split("\n")[0] ?? "error" : "error";
    } finally {
      clearTimeout(timer);
    }
  }
}
