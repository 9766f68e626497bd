// The real side of the upgrade benchmark: kwok-simulated control planes
// answer no request, so the client loops run against a sample of clusters
// whose control planes are real pods on a one-node real seed, registered
// beside the kwok seed in the same management API (the Seed "real", named
// by the sample clusters' spec.seed) and upgraded by the same plan.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";
import { localImagesForAllVersions, startRealSeed, type RealSeed } from "@seedbed/node";
import { haveContainerd } from "../../packages/images/test/containerd.ts";
import { clientLoop, type ClientLoopResult } from "../../packages/operator/test/client-loop.ts";

/** The Seed the sample clusters name in spec.seed. */
export const realSeedName = "real";

/** Why no real sample can run on this machine, or undefined when one can (root and containerd, as the real tests need). */
export function sampleUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root: a real seed runs containerd, a kubelet and network namespaces (run the benchmark as root for the client-loop sample)";
  if (!haveContainerd()) return "containerd, ctr or runc is not installed (tools/node/ensure-containerd.sh installs them)";
  return undefined;
}

/** The one-node real seed of the sample, registered in the management API. */
export interface SampleSeed {
  readonly seed: RealSeed;
  /** The last lines of each seed component's log, for a failed run's output. */
  logTails(): string;
  /** Stops the seed and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the real seed with the control-plane images of every offered
 * Kubernetes version imported (nothing is pulled), and registers it in the
 * management API as the Seed "real" — not the default, so that only the
 * clusters naming it land there — with its kubeconfig in a Secret.
 */
export async function startSampleSeed(management: KubeConfig): Promise<SampleSeed> {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-bench-upgrade-"));
  let seed: RealSeed | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        await seed?.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    return stopped;
  };
  try {
    const images = await localImagesForAllVersions(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
    seed = await startRealSeed({ dir: join(dir, "seed"), images, unsafeNoFsync: true });
    const core = management.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "seedbed-system" } } });
    await core.createNamespacedSecret({ namespace: "seedbed-system", body: { metadata: { name: "real-seed" }, stringData: { kubeconfig: seed.kubeconfig } } });
    await management.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: "seedbed.dev",
      version: "v1alpha1",
      plural: "seeds",
      body: { apiVersion, kind: "Seed", metadata: { name: realSeedName }, spec: { driver: "kubernetes", kubeconfigSecretRef: { namespace: "seedbed-system", name: "real-seed", key: "kubeconfig" } } },
    });
    const started = seed;
    return { seed, stop, logTails: () => started.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-30).join("\n")).join("\n") };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The admin kubeconfig the operator wrote for a cluster: the one a user downloads. */
export async function tenantKubeConfig(management: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const secret = await management.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(name) });
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString("utf8"));
  return kc;
}

/** Client loops against each sample cluster (a new TCP connection per request, as separate kubectl runs make). */
export async function startClientLoops(management: KubeConfig, namespace: string, names: readonly string[]): Promise<{ stop(): Promise<ClientLoopResult[]> }> {
  const loops = await Promise.all(names.map(async (name) => clientLoop(await tenantKubeConfig(management, namespace, name))));
  return { stop: () => Promise.all(loops.map((loop) => loop.stop())) };
}
