// What the operator tests on the local driver share: the management API
// made ready (CRDs, a project namespace, the default local Seed), an
// operator on it, and the way into a tenant cluster.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, installCRDs, kubeconfigSecretKey } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { systemClock, type Clock } from "@seedbed/runtime";
import { startOperator, type Operator, type OperatorOptions } from "../src/index.ts";

/** An operator hosting clusters as local processes under its own temporary state directory. */
export interface LocalOperator {
  readonly operator: Operator;
  readonly stateDir: string;
  /** Stops the operator, kills every tenant process it started and removes its state. */
  stop(): Promise<void>;
}

/** Installs the CRDs, creates `namespace` and the default local Seed, and starts an operator (with `options` added). */
export async function startLocalOperator(kc: KubeConfig, namespace: string, options: Partial<OperatorOptions> = {}): Promise<LocalOperator> {
  await installCRDs(kc);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "local" }, spec: { driver: "local", default: true } } });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-operator-"));
  const operator = await startOperator({ kubeConfig: kc, stateDir, unsafeNoFsync: true, ...options });
  return {
    operator,
    stateDir,
    async stop() {
      await operator.stop();
      for (const pid of findProcessesByMarker(`seedbed:${join(stateDir, "clusters")}`, { prefix: true })) process.kill(pid, "SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A client configuration for a cluster's own API, from its admin kubeconfig Secret. */
export async function tenantKubeConfig(core: CoreV1Api, namespace: string, cluster: string): Promise<KubeConfig> {
  const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(cluster) });
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString());
  return kc;
}

/** The real clock moved by `offsetMs`, which a test changes to have the operator act as at another time. */
export interface ShiftedClock extends Clock {
  offsetMs: number;
}

/** A clock that shows the real time until a test shifts it; timers run in real time. */
export function shiftedClock(): ShiftedClock {
  const clock: ShiftedClock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs, setTimeout: (callback, delayMs) => systemClock.setTimeout(callback, delayMs) };
  return clock;
}
