// Drift repair: the coredns Deployment deleted in one tenant (as its admin,
// through the kubeconfig the platform wrote for it) and the time until the
// add-on controller has created it again, until it serves again, and until
// the Cluster reports AddonsReady=True again; with the requests the repair
// cost, from the operator's /metrics.
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";
import { addonMetrics, addonsReadyAfter, growth, metricBy, parseMetrics } from "./figures.ts";
import type { ClusterFollower } from "./follow.ts";

/** The object deleted. */
export const driftTarget = { namespace: "kube-system", name: "coredns" } as const;

/** What drift repair is measured with. */
export interface DriftOptions {
  readonly management: KubeConfig;
  readonly namespace: string;
  readonly cluster: string;
  readonly follower: ClusterFollower;
  readonly metricsURL: string;
  readonly timeoutMs: number;
  readonly alive: () => void;
  readonly log: (message: string) => void;
}

/** The drift repair figures, in seconds from the delete request; null for what did not happen within the timeout. */
export interface DriftFigures {
  readonly cluster: string;
  readonly deleted: string;
  readonly existsAgainSeconds: number | null;
  /** Until the new Deployment has all its replicas updated and available. */
  readonly availableAgainSeconds: number | null;
  readonly addonsReadyWentFalse: boolean;
  readonly addonsReadyTrueAgainSeconds: number | null;
  /** Requests the add-on controller sent to tenants from the delete until 2 s after AddonsReady was True again (or the timeout). */
  readonly tenantRequestsByAction: Record<string, number>;
}

/** The admin client configuration of a cluster, from its kubeconfig Secret; never logged. */
async function tenantKubeConfig(management: KubeConfig, namespace: string, cluster: string): Promise<KubeConfig> {
  const secret = await management.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(cluster) });
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString("utf8"));
  return kc;
}

const available = (d: V1Deployment): boolean => {
  const want = d.spec?.replicas ?? 1;
  return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && (d.status?.updatedReplicas ?? 0) >= want && (d.status?.availableReplicas ?? 0) >= want;
};

async function readRequests(url: string): Promise<Record<string, number>> {
  return metricBy(parseMetrics(await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text()), addonMetrics.requests, {}, "action");
}

/** Deletes the coredns Deployment of `o.cluster` and times its repair, polling the tenant every 100 ms. */
export async function measureDriftRepair(o: DriftOptions): Promise<DriftFigures> {
  const apps = (await tenantKubeConfig(o.management, o.namespace, o.cluster)).makeApiClient(AppsV1Api);
  const read = (): Promise<V1Deployment | undefined> => apps.readNamespacedDeployment(driftTarget).catch((error: unknown) => {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  });
  const old = await read();
  if (old === undefined) throw new Error(`cluster ${o.cluster} has no Deployment ${driftTarget.namespace}/${driftTarget.name} to delete`);
  const requestsBefore = await readRequests(o.metricsURL);
  const began = performance.now();
  await apps.deleteNamespacedDeployment({ ...driftTarget, propagationPolicy: "Background" });
  const seconds = (): number => Math.round((performance.now() - began) / 100) / 10;
  let existsAgain: number | null = null;
  let availableAgain: number | null = null;
  while (availableAgain === null && performance.now() - began < o.timeoutMs) {
    o.alive();
    const now = await read().catch(() => undefined);
    if (now !== undefined && now.metadata?.uid !== old.metadata?.uid) {
      existsAgain ??= seconds();
      if (available(now)) availableAgain = seconds();
    }
    if (availableAgain === null) await sleep(100);
  }
  o.log(`drift: ${driftTarget.name} of ${o.cluster} exists again after ${String(existsAgain)} s, available after ${String(availableAgain)} s`);
  // AddonsReady follows the Deployment's status through the add-on controller's watch: give it the same bound.
  let readyAgain = addonsReadyAfter(o.follower.changesSince(o.cluster, began), began);
  while (readyAgain.wentFalse && readyAgain.trueAgainSeconds === null && performance.now() - began < o.timeoutMs) {
    await sleep(100);
    readyAgain = addonsReadyAfter(o.follower.changesSince(o.cluster, began), began);
  }
  // Passes already queued by the last status changes finish before the requests are read.
  await sleep(2000);
  return {
    cluster: o.cluster,
    deleted: `Deployment ${driftTarget.namespace}/${driftTarget.name}`,
    existsAgainSeconds: existsAgain,
    availableAgainSeconds: availableAgain,
    addonsReadyWentFalse: readyAgain.wentFalse,
    addonsReadyTrueAgainSeconds: readyAgain.trueAgainSeconds,
    tenantRequestsByAction: growth(requestsBefore, await readRequests(o.metricsURL)),
  };
}
