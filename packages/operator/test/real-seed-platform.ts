// What the operator tests on a real seed share: a one-node real seed
// (containerd, kubelet, the control-plane images imported under the local
// registry, so nothing is pulled), registered as the default Seed "real"
// of the management API, and an operator hosting clusters there.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, installCRDs } from "@seedbed/api";
import { localImagesForAllVersions, localRegistry, startRealSeed, type RealSeed } from "@seedbed/node";
import { startOperator, type Operator, type OperatorOptions } from "../src/index.ts";

/** A real seed and the operator on it. */
export interface RealSeedOperator {
  readonly seed: RealSeed;
  readonly operator: Operator;
  /** Stops the operator, then the seed. */
  stop(): Promise<void>;
  /** The last lines of each seed component's log, for a failed test's output. */
  logTails(): string;
}

/**
 * Starts the seed with the images of `components` (the Kubernetes ones at
 * every offered version), installs the CRDs,
 * creates `namespace`, the seed's kubeconfig Secret and the Seed, then the
 * operator (with `options` added). What started is stopped again if a later
 * step fails.
 */
export async function startRealSeedOperator(kc: KubeConfig, namespace: string, dir: string, components: readonly ("etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok")[], options: Partial<OperatorOptions> = {}): Promise<RealSeedOperator> {
  mkdirSync(dir, { recursive: true });
  // Every offered version of the Kubernetes components: a cluster may be created at any and upgraded to the next.
  const images = await localImagesForAllVersions(components);
  const seed = await startRealSeed({ dir: join(dir, "seed"), images, unsafeNoFsync: true });
  try {
    await installCRDs(kc);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespace({ body: { metadata: { name: "seedbed-system" } } });
    await core.createNamespacedSecret({ namespace: "seedbed-system", body: { metadata: { name: "real-seed" }, stringData: { kubeconfig: seed.kubeconfig } } });
    await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: "seedbed.dev",
      version: "v1alpha1",
      plural: "seeds",
      body: { apiVersion, kind: "Seed", metadata: { name: "real" }, spec: { driver: "kubernetes", default: true, kubeconfigSecretRef: { namespace: "seedbed-system", name: "real-seed", key: "kubeconfig" } } },
    });
    // The images were imported into the seed's node under the local registry: nothing is pulled.
    const operator = await startOperator({ kubeConfig: kc, stateDir: join(dir, "state"), controlPlaneImages: { registry: localRegistry }, ...options });
    return {
      seed,
      operator,
      async stop() {
        await operator.stop();
        await seed.stop();
      },
      logTails: () => seed.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-40).join("\n")).join("\n"),
    };
  } catch (error) {
    await seed.stop();
    throw error;
  }
}
