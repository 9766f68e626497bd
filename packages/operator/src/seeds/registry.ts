import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type Seed } from "@seedbed/api";
import { KubernetesDriver, type HostingDriver, type SeedImageOptions } from "@seedbed/controlplane";
import { describeError, isNotFound, ObjectClient, SharedConnection, type Informer, type KindRef } from "@seedbed/runtime";
import type { SeedReachability } from "../reconcilers/seed/status.ts";
import { InvalidSpecError } from "../reconcilers/cluster/resolve.ts";
import { RecordedSeedGoneError } from "./errors.ts";
import { SeedFullError, seedFullMessage } from "./capacity.ts";

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
  /** Where every kubernetes seed pulls the control-plane images from (default: the official registry.k8s.io images). */
  readonly images?: SeedImageOptions;
  /** Every Cluster (from the cache): how many a seed hosts, against its spec.capacity. Without it capacity is not checked. */
  readonly clusters?: () => readonly Cluster[];
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
  /** Clusters (namespace/name) this process placed on a seed, until they are gone. */
  readonly #placed = new Map<string, string>();

  constructor(options: SeedDriversOptions) {
    this.#o = options;
  }

  /**
   * The seed's name, region and driver for a cluster; InvalidSpecError when
   * no seed fits, SeedFullError when a cluster not yet there would go
   * beyond the seed's capacity.
   */
  async forCluster(cluster: Cluster): Promise<{ seed: string; region?: string; driver: HostingDriver }> {
    const seed = this.#seedOf(cluster);
    const name = seed.metadata.name ?? "";
    if (cluster.metadata.deletionTimestamp === undefined) this.#place(cluster, seed);
    const region = seed.spec.region === undefined ? {} : { region: seed.spec.region };
    if (seed.spec.driver === "local") return { seed: name, ...region, driver: this.#localDriver(name) };
    return { seed: name, ...region, driver: await this.#kubernetesDriver(seed) };
  }

  /**
   * Checks a cluster's seed has room for it, and holds its place: the
   * clusters a seed hosts are those whose status names it, and those placed
   * by this process and not yet recorded (so that two clusters placed at
   * once cannot both take the last place). A cluster already there always
   * stays.
   */
  #place(cluster: Cluster, seed: Seed): void {
    const all = this.#o.clusters?.();
    if (all === undefined) return;
    const name = seed.metadata.name ?? "";
    const key = `${cluster.metadata.namespace ?? ""}/${cluster.metadata.name ?? ""}`;
    if (cluster.status?.seed === name || this.#placed.get(key) === name) return;
    const exists = new Set(all.map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`));
    for (const placed of this.#placed.keys()) if (!exists.has(placed)) this.#placed.delete(placed);
    const hosted = new Set(all.filter((c) => c.status?.seed === name).map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`));
    for (const [placed, on] of this.#placed) if (on === name) hosted.add(placed);
    hosted.delete(key);
    const full = seedFullMessage(seed, hosted.size);
    if (full !== undefined) throw new SeedFullError(full);
    this.#placed.set(key, name);
  }

  /**
   * The driver a deleted cluster used, by the seed recorded in its status;
   * RecordedSeedGoneError when that Seed no longer exists (never another
   * seed: the default one hosts other clusters). A cluster with no seed
   * recorded was never given one in a status write; it may still have been
   * started on the seed it would be placed on now, so that one is asked.
   */
  async forDeletion(cluster: Cluster): Promise<HostingDriver> {
    const recorded = cluster.status?.seed;
    if (recorded === undefined) return (await this.forCluster(cluster)).driver;
    const seed = this.#o.seeds.get(undefined, recorded);
    if (!seed) throw new RecordedSeedGoneError(recorded);
    return seed.spec.driver === "local" ? this.#localDriver(seed.metadata.name ?? "") : this.#kubernetesDriver(seed);
  }

  /**
   * Whether control planes can be hosted on a seed: this machine for a local
   * one, its API answering (GET /version, bounded) for a kubernetes one.
   */
  async reachability(seed: Seed, timeoutMs = 5000): Promise<SeedReachability> {
    const name = seed.metadata.name ?? "";
    if (seed.spec.driver === "local") {
      return this.#o.local
        ? { ok: true, message: "this machine hosts control planes as local processes" }
        : { ok: false, reason: "LocalSeedUnavailable", message: `Seed ${name} is a local seed, but this operator runs in a cluster and hosts no local processes; use a kubernetes Seed` };
    }
    let kc: KubeConfig;
    try {
      kc = await this.#kubeConfigOf(seed);
    } catch (error) {
      return { ok: false, reason: error instanceof InvalidSpecError ? error.reason : "SeedKubeconfigUnreadable", message: error instanceof InvalidSpecError ? error.message : `the kubeconfig of Seed ${name} cannot be read: ${describeError(error)}` };
    }
    const server = kc.getCurrentCluster()?.server ?? "?";
    const connection = new SharedConnection();
    try {
      const version = await ObjectClient.fromKubeConfig(kc, connection).request<{ gitVersion?: string }>("GET", "/version", { signal: AbortSignal.timeout(timeoutMs) });
      return { ok: true, message: `the seed's API at ${server} answers`, ...(version.gitVersion === undefined ? {} : { kubernetesVersion: version.gitVersion }) };
    } catch (error) {
      return { ok: false, reason: "SeedUnreachable", message: `the seed's API at ${server} does not answer: ${describeError(error)}; fix the kubeconfig in its Secret or the seed's network` };
    } finally {
      await connection.close();
    }
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
    // A placed control plane stays where it is: were its Seed deleted, the
    // default one would start a second, empty control plane elsewhere.
    const recorded = cluster.status?.seed;
    if (recorded !== undefined) {
      const seed = this.#o.seeds.get(undefined, recorded);
      if (!seed) throw new InvalidSpecError("SeedGone", `Seed ${recorded} that hosts this cluster's control plane no longer exists; recreate it and the cluster is served again (Seedbed never moves a control plane to another seed by itself)`);
      return seed;
    }
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
    const driver = new KubernetesDriver({ seedKubeConfig: kc, storageClassName: seed.spec.storageClassName, images: this.#o.images, onChange: this.#o.onChange });
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
