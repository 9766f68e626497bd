// The production path on one machine, for the `--seed kubernetes`
// benchmarks: a one-node real seed (startRealSeed: containerd, kubelet,
// kube-proxy, CoreDNS, a default StorageClass), a management API, the Seed
// pointing at the real seed through a kubeconfig Secret, and the operator
// hosting tenant control planes as real pods with the images imported into
// the node — the set-up of packages/operator/test/real-seed.real.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster } from "@seedbed/api";
import { localImagesForAllVersions, localRegistry, startRealSeed, type RealSeed } from "@seedbed/node";
import { startOperator, type Operator } from "@seedbed/operator";
import { startKubeAPI, type KubeAPI } from "@seedbed/testing";

/** The project namespace the benchmarks' Clusters live in: cluster `x` is hosted in seed namespace `cluster-bench--x`. */
export const benchProject = "bench";
const projectNamespace = `project-${benchProject}`;
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace: projectNamespace, plural: "clusters" };

/** A running real seed with a management API and an operator placing every Cluster on it. */
export interface RealSeedPlatform {
  readonly seed: RealSeed;
  /** The seed's directory: its control plane's processes name it on their command lines. */
  readonly seedDir: string;
  readonly management: KubeAPI;
  /** The seed's admin kubeconfig. */
  readonly seedKubeConfig: KubeConfig;
  /** Where the seed's admin kubeconfig is, for kubectl. */
  readonly seedKubeconfigPath: string;
  /** The image options the operator renders with; the floor renders with the same. */
  readonly images: { readonly registry: string };
  /** Creates a Cluster (all defaults) in the bench project; returns its id in the seed. */
  createCluster(name: string): Promise<string>;
  /** The Cluster, or undefined once it is gone. */
  readCluster(name: string): Promise<Cluster | undefined>;
  /** Deletes a Cluster; resolves once it, its seed namespace and every PersistentVolume of it are gone. */
  deleteCluster(name: string, timeoutMs?: number): Promise<void>;
  /** Stops the operator, the seed and the management API and removes their directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Phase Running and condition Ready=True: what `seedbed cluster create --wait` waits for. */
export function clusterReady(cluster: Cluster | undefined): boolean {
  return cluster?.status?.phase === "Running" && cluster.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/**
 * Starts the seed, the management API and the operator. Anything started is
 * stopped again when a later step fails; Ctrl-C (SIGINT, SIGTERM) stops all
 * of it before the process exits.
 */
export async function startRealSeedPlatform(log: (message: string) => void): Promise<RealSeedPlatform> {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-bench-real-"));
  let seed: RealSeed | undefined;
  let management: KubeAPI | undefined;
  let operator: Operator | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const results = await Promise.allSettled([operator?.stop()]);
      results.push(...(await Promise.allSettled([seed?.stop()])));
      results.push(...(await Promise.allSettled([management?.stop()])));
      rmSync(dir, { recursive: true, force: true });
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed.length > 0) throw new Error(`cleaning up the real seed failed: ${failed.map((f) => String(f.reason)).join("; ")}`);
    })();
    return stopped;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the operator, the seed and the management API`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    const began = performance.now();
    // Every offered version of the Kubernetes components: the upgrade benchmark moves clusters from one to the next.
    const images = await localImagesForAllVersions(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
    seed = await startRealSeed({ dir: join(dir, "seed"), images, unsafeNoFsync: true });
    management = await startKubeAPI({ controllers: true });
    const kc = management.kubeConfig();
    await installCRDs(kc);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: projectNamespace } } });
    await core.createNamespace({ body: { metadata: { name: "seedbed-system" } } });
    await core.createNamespacedSecret({ namespace: "seedbed-system", body: { metadata: { name: "real-seed" }, stringData: { kubeconfig: seed.kubeconfig } } });
    const objects = kc.makeApiClient(CustomObjectsApi);
    await objects.createClusterCustomObject({
      group: "seedbed.dev",
      version: "v1alpha1",
      plural: "seeds",
      body: { apiVersion, kind: "Seed", metadata: { name: "real" }, spec: { driver: "kubernetes", default: true, kubeconfigSecretRef: { namespace: "seedbed-system", name: "real-seed", key: "kubeconfig" } } },
    });
    const imageOptions = { registry: localRegistry };
    operator = await startOperator({ kubeConfig: kc, stateDir: join(dir, "state"), controlPlaneImages: imageOptions });
    log(`real seed, management API and operator up in ${((performance.now() - began) / 1000).toFixed(0)} s (${dir})`);
    const startedSeed = seed;
    const seedCore = seed.kubeConfig().makeApiClient(CoreV1Api);
    const readCluster = async (name: string): Promise<Cluster | undefined> => {
      try {
        return (await objects.getNamespacedCustomObject({ ...resource, name })) as Cluster;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    };
    return {
      seed,
      seedDir: join(dir, "seed"),
      management,
      seedKubeConfig: seed.kubeConfig(),
      seedKubeconfigPath: seed.kubeconfigPath,
      images: imageOptions,
      async createCluster(name: string): Promise<string> {
        await objects.createNamespacedCustomObject({ ...resource, body: { apiVersion, kind: "Cluster", metadata: { name, namespace: projectNamespace }, spec: {} } });
        return `${benchProject}--${name}`;
      },
      readCluster,
      async deleteCluster(name: string, timeoutMs = 180_000): Promise<void> {
        await objects.deleteNamespacedCustomObject({ ...resource, name });
        const ns = `cluster-${benchProject}--${name}`;
        await waitFor(async () => (await readCluster(name)) === undefined && !(await namespaceExists(seedCore, ns)) && (await volumesOf(seedCore, ns)) === 0, timeoutMs, `cluster ${name} and seed namespace ${ns} gone`, () => startedSeed.logs());
      },
      stop,
    };
  } catch (error) {
    await stop().catch((cleanup: unknown) => log(`cleaning up after a failed start: ${String(cleanup)}`));
    throw error;
  }
}

/** Whether a namespace exists (also while it terminates). */
export async function namespaceExists(core: CoreV1Api, name: string): Promise<boolean> {
  return (await core.listNamespace()).items.some((n) => n.metadata?.name === name);
}

/** PersistentVolumes still bound (or released) to claims of a namespace: the provisioner removes them, and their directories, after the namespace. */
export async function volumesOf(core: CoreV1Api, namespace: string): Promise<number> {
  return (await core.listPersistentVolume()).items.filter((pv) => pv.spec?.claimRef?.namespace === namespace).length;
}

/** Polls `check` every 250 ms until it is true; throws after `timeoutMs` naming `what`, with the tail of `logs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, logs?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${logs ? `\n${logs().split("\n").slice(-40).join("\n")}` : ""}`);
    await sleep(250);
  }
}
