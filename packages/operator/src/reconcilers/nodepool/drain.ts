import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { isNotFound, statusCodeOf, type ObjectClient } from "@seedbed/runtime";

/** The Node annotation recording when its drain began, so a restarted operator keeps counting from then. */
export const drainStartedAnnotation = "seedbed.dev/drain-started";

/** Pods a drain moves: not DaemonSet pods (they belong on every node) nor static (mirror) pods. */
export function isMovable(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) return false;
  if (pod.metadata?.ownerReferences?.some((o) => o.controller === true && o.kind === "DaemonSet") === true) return false;
  return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
}

/** How a drain stands. */
export interface DrainProgress {
  /** Movable pods still on the node. */
  readonly remaining: number;
  /** Evictions refused for now (a PodDisruptionBudget allows no more disruptions). */
  readonly blocked: number;
  /** When the drain began (ms). */
  readonly startedAt: number;
}

/**
 * One pass of `kubectl drain`: cordon the Node (once, noting when), then ask
 * for the eviction of every movable pod. Evictions go through the Eviction
 * API, so the tenant's PodDisruptionBudgets are honoured: a refused one
 * (429) is tried again on the next pass.
 */
export async function drainPass(client: ObjectClient, node: V1Node, pods: readonly V1Pod[], now: number): Promise<DrainProgress> {
  const name = node.metadata?.name ?? "";
  let startedAt = Number(node.metadata?.annotations?.[drainStartedAnnotation] ?? Number.NaN);
  if (node.spec?.unschedulable !== true || Number.isNaN(startedAt)) {
    startedAt = now;
    await client.request("PATCH", `/api/v1/nodes/${name}`, {
      body: { spec: { unschedulable: true }, metadata: { annotations: { [drainStartedAnnotation]: String(now) } } },
      contentType: "application/merge-patch+json",
    });
  }
  const movable = pods.filter((p) => p.spec?.nodeName === name && isMovable(p));
  let blocked = 0;
  for (const pod of movable) {
    if (pod.metadata?.deletionTimestamp !== undefined) continue;
    const ns = pod.metadata?.namespace ?? "";
    const podName = pod.metadata?.name ?? "";
    try {
      await client.request("POST", `/api/v1/namespaces/${ns}/pods/${podName}/eviction`, { body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: podName, namespace: ns } } });
    } catch (error) {
      if (statusCodeOf(error) === 429) blocked++;
      else if (!isNotFound(error)) throw error;
    }
  }
  return { remaining: movable.length, blocked, startedAt };
}
