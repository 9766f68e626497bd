import { KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type Seed } from "@seedbed/api";
import { KubernetesDriver, type HostingDriver, type SeedImageOptions } from "@seedbed/controlplane";
import { describeError, isNotFound, ObjectClient, SharedConnection, type Informer, type KindRef } from "@seedbed/runtime";
import type { SeedReachability } from "../reconcilers/seed/status.ts";
import { InvalidSpecError } from "../reconcilers/cluster/resolve.ts";
import { PlacementWaitError, RecordedSeedGoneError } from "./errors.ts";
import { chooseSeed } from "./placement.ts";

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

const keyOf = (c: Cluster): string => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`;

interface CachedDriver {
  readonly driver: KubernetesDriver;
  /** What it was built from; a change of the Seed or its Secret builds a new one. */
  readonly source: string;
}

/**
 * Finds the Seed a Cluster goes to (its spec.seed, a seed of its
 * spec.seedSelector.region, else the default Seed; see placement.ts) and
 * the hosting driver for it, built once per Seed and kubeconfig.
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
   * The seed's name, region and driver for a cluster: the one recorded in
   * its status, else where this process placed it, else a new choice (see
   * chooseSeed). InvalidSpecError when no seed fits the spec,
   * PlacementWaitError when none may take it now.
   */
  async forCluster(cluster: Cluster): Promise<{ seed: string; region?: string; driver: HostingDriver; sharedDatastore: boolean }> {
    return this.#driverOf(this.#seedOf(cluster));
  }

  /**
   * The clusters (<namespace>/<name>, sorted) a seed hosts: those whose
   * status names it, and those this process placed there and has not
   * recorded yet. A Seed is kept while this is not empty.
   */
  hostedBy(seed: string): string[] {
    return [...(this.#hosted().get(seed) ?? [])].sort();
  }

  async #driverOf(seed: Seed): Promise<{ seed: string; region?: string; driver: HostingDriver; sharedDatastore: boolean }> {
    const name = seed.metadata.name ?? "";
    const region = seed.spec.region === undefined ? {} : { region: seed.spec.region };
    // Offered: in the spec, and carried out by its driver.
    const shared = { sharedDatastore: seed.spec.sharedDatastore !== undefined && seed.spec.driver === "local" && this.#o.local !== undefined };
    if (seed.spec.driver === "local") return { seed: name, ...region, driver: this.#localDriver(name), ...shared };
    return { seed: name, ...region, driver: await this.#kubernetesDriver(seed), ...shared };
  }

  /**
   * Every seed's clusters: by status.seed, and by the places this process
   * holds for clusters not yet recorded (so that two clusters placed at
   * once cannot both take the last place). Places of clusters gone are let go.
   */
  #hosted(): Map<string, Set<string>> {
    const all = this.#o.clusters?.() ?? [];
    const hosted = new Map<string, Set<string>>();
    const add = (seed: string, key: string): void => {
      hosted.set(seed, (hosted.get(seed) ?? new Set()).add(key));
    };
    const exists = new Set<string>();
    for (const c of all) {
      const key = keyOf(c);
      exists.add(key);
      if (c.status?.seed !== undefined) add(c.status.seed, key);
    }
    for (const [key, seed] of this.#placed) {
      if (exists.has(key)) add(seed, key);
      else this.#placed.delete(key);
    }
    return hosted;
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
    if (recorded === undefined) return (await this.#driverOf(this.#seedOf(cluster))).driver;
    const seed = this.#o.seeds.get(undefined, recorded);
    if (!seed) throw new RecordedSeedGoneError(recorded);
    return (await this.#driverOf(seed)).driver;
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
    // Placed by this process and not recorded yet: the same seed, whatever the counts say now.
    const key = keyOf(cluster);
    const held = this.#placed.get(key);
    const heldSeed = held === undefined ? undefined : this.#o.seeds.get(undefined, held);
    if (heldSeed) return heldSeed;
    // A deleted cluster never recorded takes no place: it is looked for where it would go, whatever the counts.
    const deleting = cluster.metadata.deletionTimestamp !== undefined;
    const counts = new Map<string, number>();
    if (!deleting && this.#o.clusters !== undefined) {
      for (const [seed, keys] of this.#hosted()) counts.set(seed, keys.size - (keys.has(key) ? 1 : 0));
    }
    const decision = chooseSeed(cluster.spec, this.#o.seeds.list(), counts);
    if ("invalid" in decision) throw new InvalidSpecError(decision.invalid.reason, decision.invalid.message);
    if ("wait" in decision) {
      if (deleting) throw new InvalidSpecError(decision.wait.reason, decision.wait.message);
      throw new PlacementWaitError(decision.wait.reason, decision.wait.message);
    }
    if (!deleting) this.#placed.set(key, decision.seed.metadata.name ?? "");
    return decision.seed;
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
