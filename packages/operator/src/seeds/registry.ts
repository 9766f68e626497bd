import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type Seed } from "@seedbed/api";
import { KubernetesDriver, type HostingDriver } from "@seedbed/controlplane";
import { isNotFound, type Informer, type KindRef, type ObjectClient } from "@seedbed/runtime";
import { InvalidSpecError } from "../reconcilers/cluster/resolve.ts";

/** The Seed kind, for informers. */
export const seedKindRef: KindRef = { apiVersion, kind: "Seed", plural: "seeds", namespaced: false };

/** What the registry needs. */
export interface SeedDriversOptions {
  readonly client: ObjectClient;
  readonly seeds: Informer<Seed>;
  /** The driver of `local` seeds: this machine; undefined where the operator hosts no processes (in a pod). */
  readonly local: HostingDriver | undefined;
  /** The management cluster's own kubeconfig: a kubernetes seed without kubeconfigSecretRef is the management cluster itself. */
  readonly managementKubeConfig: KubeConfig;
  /** Told when a cluster's workloads change in any seed. */
  readonly onChange: (clusterId: string) => void;
}

interface CachedDriver {
  readonly driver: KubernetesDriver;
  /** What it was built from; a change of the Seed or its Secret builds a new one. */
  readonly source: string;
}

/**
 * Finds the Seed a Cluster goes to (its spec.seed, else the default Seed)
 * and the hosting driver for it, built once per Seed and kubeconfig.
 */
export class SeedDrivers {
  readonly #o: SeedDriversOptions;
  readonly #drivers = new Map<string, CachedDriver>();

  constructor(options: SeedDriversOptions) {
    this.#o = options;
  }

  /** The seed's name and driver for a cluster; InvalidSpecError when no seed fits. */
  async forCluster(cluster: Cluster): Promise<{ seed: string; driver: HostingDriver }> {
    const seed = this.#seedOf(cluster);
    const name = seed.metadata.name ?? "";
    if (seed.spec.driver === "local") return { seed: name, driver: this.#localDriver(name) };
    return { seed: name, driver: await this.#kubernetesDriver(seed) };
  }

  /** The driver a deleted cluster used, by the seed recorded in its status. */
  async forDeletion(cluster: Cluster): Promise<HostingDriver> {
    const recorded = cluster.status?.seed;
    const seed = recorded === undefined ? undefined : this.#o.seeds.get(undefined, recorded);
    if (!seed) return (await this.forCluster(cluster)).driver;
    return seed.spec.driver === "local" ? this.#localDriver(seed.metadata.name ?? "") : this.#kubernetesDriver(seed);
  }

  #localDriver(seed: string): HostingDriver {
    if (!this.#o.local) throw new InvalidSpecError("LocalSeedUnavailable", `Seed ${seed} is a local seed, but this operator runs in a cluster and hosts no local processes; choose a kubernetes Seed`);
    return this.#o.local;
  }

  /** Stops the informers of every kubernetes seed. */
  async stop(): Promise<void> {
    await Promise.all([...this.#drivers.values()].map((d) => d.driver.stop()));
    this.#drivers.clear();
  }

  #seedOf(cluster: Cluster): Seed {
    const wanted = cluster.spec.seed;
    if (wanted !== undefined) {
      const seed = this.#o.seeds.get(undefined, wanted);
      if (!seed) throw new InvalidSpecError("SeedNotFound", `Seed ${wanted} does not exist; list seeds with \`kubectl get seeds\``);
      return seed;
    }
    const defaults = this.#o.seeds.list().filter((s) => s.spec.default);
    if (defaults.length === 0) throw new InvalidSpecError("NoDefaultSeed", "no Seed is marked default: set spec.seed, or mark a Seed default: true");
    // Several defaults: take the oldest, deterministically.
    return defaults.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))[0] as Seed;
  }

  async #kubernetesDriver(seed: Seed): Promise<KubernetesDriver> {
    const name = seed.metadata.name ?? "";
    const kc = await this.#kubeConfigOf(seed);
    const source = `${seed.metadata.resourceVersion ?? ""}|${kc.exportConfig()}`;
    const cached = this.#drivers.get(name);
    if (cached?.source === source) return cached.driver;
    await cached?.driver.stop();
    const driver = new KubernetesDriver({ seedKubeConfig: kc, storageClassName: seed.spec.storageClassName, onChange: this.#o.onChange });
    this.#drivers.set(name, { driver, source });
    return driver;
  }

  async #kubeConfigOf(seed: Seed): Promise<KubeConfig> {
    const ref = seed.spec.kubeconfigSecretRef;
    if (ref === undefined) return this.#o.managementKubeConfig;
    let secret: V1Secret;
    try {
      secret = await this.#o.client.request<V1Secret>("GET", `/api/v1/namespaces/${ref.namespace ?? ""}/secrets/${ref.name}`);
    } catch (error) {
      if (isNotFound(error)) throw new InvalidSpecError("SeedKubeconfigMissing", `Seed ${seed.metadata.name ?? ""} names Secret ${ref.namespace ?? ""}/${ref.name}, which does not exist`);
      throw error;
    }
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined) throw new InvalidSpecError("SeedKubeconfigMissing", `Secret ${ref.namespace ?? ""}/${ref.name} has no key ${ref.key}`);
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
    return kc;
  }
}
