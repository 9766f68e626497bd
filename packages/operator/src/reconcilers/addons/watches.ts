import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { InformerCache, type Informer, type KindRef, type ObjectClient } from "@seedbed/runtime";
import { DeadlineClient, defaultTenantTimeoutMs, formatSeconds, TenantUnreachableError } from "../../tenants/deadline.ts";
import { addonLabel } from "./catalog/index.ts";

/** The add-on controller's view of one tenant: the objects add-ons made, cached by kind, and a client to change them. */
export interface TenantAddonObjects {
  readonly client: ObjectClient;
  /** The admin kubeconfig (YAML) the client was made from, for helm. */
  readonly kubeconfig: string;
  /**
   * The cache of one kind's add-on objects, its watch opened on first use.
   * Resolves once it lists the tenant's current objects; rejects with a
   * TenantUnreachableError when that takes longer than the timeout.
   */
  kind(kind: KindRef): Promise<Informer>;
  /** Every kind of add-on objects watched so far (not the Helm workloads). */
  watched(): readonly Informer[];
  /**
   * The workloads (Deployments, DaemonSets, StatefulSets) helm made, which
   * it labels app.kubernetes.io/managed-by=Helm and annotates with their
   * release: their watches opened on first use, like kind().
   */
  helmWorkloads(): Promise<readonly Informer[]>;
  /**
   * Whether a workload of the release `namespace/release` was deleted since
   * the last call (then the release is installed again); this process's
   * memory only: after a restart a workload deleted meanwhile is not seen.
   */
  takeDeletedWorkload(namespace: string, release: string): boolean;
}

/** How helm marks what it made (helm 3.2 and later, 4). */
export const helmManagedSelector = "app.kubernetes.io/managed-by=Helm";
const helmReleaseAnnotation = "meta.helm.sh/release-name";
const helmNamespaceAnnotation = "meta.helm.sh/release-namespace";

/** The release `namespace/release` a helm-made object belongs to, or undefined. */
export function helmReleaseOf(object: KubernetesObject): string | undefined {
  const annotations = object.metadata?.annotations;
  const release = annotations?.[helmReleaseAnnotation];
  return release === undefined ? undefined : `${annotations?.[helmNamespaceAnnotation] ?? ""}/${release}`;
}

const helmWorkloadKinds: readonly KindRef[] = [
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  { apiVersion: "apps/v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true },
  { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true },
];

interface Entry {
  readonly tenant: TenantAddonObjects;
  readonly informers: InformerCache;
  /** The admin kubeconfig (base64, as cached) it was built from: a new one reconnects. */
  readonly encoded: string;
  /** How many watches it keeps open. */
  readonly watches: () => number;
}

/** Only what drift checks read: managedFields would double each cached object for nothing. */
function withoutManagedFields(object: KubernetesObject): KubernetesObject {
  if (object.metadata?.managedFields === undefined) return object;
  const metadata = Object.fromEntries(Object.entries(object.metadata).filter(([key]) => key !== "managedFields"));
  return { ...object, metadata };
}

/**
 * Watches on the objects of each tenant's add-ons (those carrying the
 * add-on label), one per kind the cluster's add-ons use, as its admin. Any
 * change to one — deleted, edited, its workload's status moved — names the
 * cluster through `onChange`, so drift is repaired and readiness reported
 * without polling; a pass that finds everything as rendered sends nothing.
 */
export class AddonWatches {
  readonly #entries = new Map<string, Entry>();
  readonly #onChange: (cluster: { namespace: string; name: string }) => void;
  readonly #timeoutMs: number;
  readonly #watchesChanged: (delta: number) => void;

  /** `timeoutMs` bounds each request and each kind's first list (default 10 s); `watchesChanged` counts watches opened and closed. */
  constructor(options: { onChange: (cluster: { namespace: string; name: string }) => void; timeoutMs?: number; watchesChanged?: (delta: number) => void }) {
    this.#onChange = options.onChange;
    this.#timeoutMs = options.timeoutMs ?? defaultTenantTimeoutMs;
    this.#watchesChanged = options.watchesChanged ?? ((): void => undefined);
  }

  /** The tenant of the cluster `namespace/name`, through the admin kubeconfig `encoded` (base64, as its Secret holds it). */
  async get(cluster: { namespace: string; name: string }, encoded: string): Promise<TenantAddonObjects> {
    const id = `${cluster.namespace}/${cluster.name}`;
    const known = this.#entries.get(id);
    if (known?.encoded === encoded) return known.tenant;
    if (known) await this.close(id);
    const kubeconfig = Buffer.from(encoded, "base64").toString("utf8");
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    const client = DeadlineClient.forTenant(kubeConfig, `cluster ${id}`, this.#timeoutMs);
    const informers = new InformerCache({ kubeConfig });
    const started = new Map<string, Informer>();
    const helm = new Map<string, Informer>();
    const deletedReleases = new Set<string>();
    const notify = (): void => this.#onChange(cluster);
    const synced = async (informer: Informer, kind: KindRef): Promise<Informer> => {
      if (await informer.waitForSync(AbortSignal.timeout(this.#timeoutMs))) return informer;
      throw new TenantUnreachableError(`the API of cluster ${id} has not listed its ${kind.plural} within ${formatSeconds(this.#timeoutMs)}; retried with backoff`);
    };
    const tenant: TenantAddonObjects = {
      client,
      kubeconfig,
      kind: async (kind) => {
        const key = `${kind.apiVersion}/${kind.kind}`;
        let informer = started.get(key);
        if (informer === undefined) {
          informer = informers.informerFor(kind, { labelSelector: addonLabel, transform: withoutManagedFields });
          informer.addHandlers({ add: notify, update: notify, delete: notify });
          informer.start();
          started.set(key, informer);
          this.#watchesChanged(1);
        }
        return synced(informer, kind);
      },
      watched: () => [...started.values()],
      helmWorkloads: async () => {
        for (const kind of helmWorkloadKinds) {
          let informer = helm.get(kind.kind);
          if (informer === undefined) {
            informer = informers.informerFor(kind, { labelSelector: helmManagedSelector, transform: withoutManagedFields });
            informer.addHandlers({
              add: notify,
              update: notify,
              delete: (object) => {
                const release = helmReleaseOf(object);
                if (release !== undefined) deletedReleases.add(release);
                notify();
              },
            });
            informer.start();
            helm.set(kind.kind, informer);
            this.#watchesChanged(1);
          }
          await synced(informer, kind);
        }
        return [...helm.values()];
      },
      takeDeletedWorkload: (namespace, release) => deletedReleases.delete(`${namespace}/${release}`),
    };
    this.#entries.set(id, { tenant, informers, encoded, watches: () => started.size + helm.size });
    return tenant;
  }

  /** Stops watching the cluster `namespace/name`. */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    if (entry === undefined) return;
    this.#watchesChanged(-entry.watches());
    await entry.informers.stop();
  }

  /** Stops every watch (the operator stopping). */
  async stopAll(): Promise<void> {
    for (const id of [...this.#entries.keys()]) await this.close(id);
  }
}
