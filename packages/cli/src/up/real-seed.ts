import { join } from "node:path";
import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { apiVersion } from "@seedbed/api";
import { localImagesForAllVersions, startRealSeed, type RealSeed } from "@seedbed/node";
import { apply, isNotFound, ObjectClient } from "@seedbed/runtime";
import { realSeedPorts } from "./ports.ts";

/** The Seed `seedbed up --seed kubernetes` registers for the real seed it runs. */
export const realSeedName = "kubernetes";
/** Where the management API keeps the real seed's kubeconfig. */
const secretRef = { namespace: "seedbed-system", name: "seed-kubernetes", key: "kubeconfig" } as const;

/** The images of every tenant component (the Kubernetes ones at every offered version, so clusters can be created at any and upgraded), imported into the seed's node: nothing is pulled. */
const controlPlaneImages = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;

/**
 * Starts the one-machine real seed under $SEEDBED_HOME/seed (its control
 * plane supervised and adopted across restarts like the management plane's;
 * its node started afresh, what an earlier run left swept first), and
 * registers it as the default Seed.
 */
export async function startUpSeed(home: string, management: KubeConfig): Promise<RealSeed> {
  if (process.getuid?.() !== 0) throw new Error("--seed kubernetes runs a real node (containerd, kubelet, network namespaces) and needs root: run it as root, or use the local seed (make up)");
  const images = await localImagesForAllVersions(controlPlaneImages);
  const seed = await startRealSeed({ dir: join(home, "seed"), images, ports: await realSeedPorts(home), supervise: { markerPrefix: `seedbed:${home}/seed` } });
  try {
    await registerSeed(management, seed.kubeconfig);
  } catch (error) {
    await seed.stop();
    throw error;
  }
  return seed;
}

/**
 * A later `seedbed up` without --seed kubernetes: the real seed's Seed (if
 * one was registered) stays, for its clusters' sake, but is no longer the
 * default. Applied under a field manager of its own, which owns only that field.
 */
export async function demoteUpSeed(management: KubeConfig): Promise<void> {
  const client = ObjectClient.fromKubeConfig(management);
  try {
    await client.request("GET", `/apis/seedbed.dev/v1alpha1/seeds/${realSeedName}`);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  await apply(client, { apiVersion, kind: "Seed", metadata: { name: realSeedName }, spec: { default: false } } as KubernetesObject, { fieldManager: "seedbed-up-default" });
}

/** The seed's kubeconfig in a Secret, and the Seed `kubernetes` as the default; the local Seed stays, no longer the default. */
async function registerSeed(management: KubeConfig, kubeconfig: string): Promise<void> {
  const client = ObjectClient.fromKubeConfig(management);
  const put = async (object: KubernetesObject): Promise<void> => {
    await apply(client, object);
  };
  await put({ apiVersion: "v1", kind: "Namespace", metadata: { name: secretRef.namespace } });
  await put({ apiVersion: "v1", kind: "Secret", metadata: { name: secretRef.name, namespace: secretRef.namespace }, stringData: { [secretRef.key]: kubeconfig } } as KubernetesObject);
  await put({ apiVersion, kind: "Seed", metadata: { name: realSeedName }, spec: { driver: "kubernetes", default: true, region: "local", kubeconfigSecretRef: secretRef } } as KubernetesObject);
}
