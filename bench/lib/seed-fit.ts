// What decides how many tenant control planes fit on a real seed: the
// node's allocatable resources against the pods' requests, and — when one
// does not become Ready — the reasons the seed gives (the scheduler's
// message, a waiting container's reason, node pressure).
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { podReady } from "./seed-floor.ts";

/** CPU in millicores and memory in MiB. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

const round = (x: number): number => Math.round(x * 10) / 10;
/** A CPU quantity ("250m", "2") in millicores. */
export const cpuMillis = (q: string | undefined): number => (q === undefined ? 0 : q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
const units: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, "": 1 / 1024 / 1024 };
/** A memory quantity ("512Mi", "16318480Ki") in MiB. */
export function memoryMiB(q: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|)$/.exec(q ?? "0");
  return m ? Number(m[1]) * (units[m[2] ?? ""] ?? 0) : 0;
}

/** Why one pod is not Ready: not scheduled (and the scheduler's message), or its containers waiting (and why). */
export function podReasons(pod: V1Pod): string[] {
  if (podReady(pod)) return [];
  const name = pod.metadata?.name ?? "";
  const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  const reasons = unscheduled ? [`${name}: ${unscheduled.reason ?? "Unschedulable"}: ${unscheduled.message ?? ""}`] : [];
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting) reasons.push(`${name}/${c.name}: ${waiting.reason ?? "Waiting"} (${c.restartCount} restarts)`);
  }
  return reasons.length > 0 ? reasons : [`${name}: ${pod.status?.phase ?? "?"}, not Ready`];
}

/** Why a tenant's control plane is not Ready, as the seed tells it; with any node pressure. */
export async function whyNotReady(seed: KubeConfig, clusterId: string): Promise<string[]> {
  const core = seed.makeApiClient(CoreV1Api);
  const reasons = (await core.listNamespacedPod({ namespace: `cluster-${clusterId}` })).items.flatMap(podReasons);
  for (const n of (await core.listNode()).items) {
    for (const c of n.status?.conditions ?? []) if (c.type.endsWith("Pressure") && c.status === "True") reasons.push(`node ${n.metadata?.name ?? ""}: ${c.type} (${c.message ?? ""})`);
  }
  return reasons;
}

/** The node's allocatable CPU and memory, what its pods request of them, and what one tenant's pods request. */
export async function requestedResources(seed: KubeConfig): Promise<{ allocatable: Resources; requested: Resources; perTenant: Resources }> {
  const core = seed.makeApiClient(CoreV1Api);
  const node = (await core.listNode()).items[0];
  const pods = (await core.listPodForAllNamespaces()).items.filter((p) => p.spec?.nodeName !== undefined && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const sum = (list: readonly V1Pod[]): Resources => {
    const requests = list.flatMap((p) => p.spec?.containers ?? []).map((c) => c.resources?.requests);
    return { cpuMillis: requests.reduce((s, r) => s + cpuMillis(r?.cpu), 0), memoryMiB: round(requests.reduce((s, r) => s + memoryMiB(r?.memory), 0)) };
  };
  const tenantPods = pods.filter((p) => p.metadata?.labels?.["seedbed.dev/cluster-id"] !== undefined);
  const tenants = Math.max(1, new Set(tenantPods.map((p) => p.metadata?.labels?.["seedbed.dev/cluster-id"])).size);
  const perTenant = sum(tenantPods);
  return {
    allocatable: { cpuMillis: cpuMillis(node?.status?.allocatable?.cpu), memoryMiB: round(memoryMiB(node?.status?.allocatable?.memory)) },
    requested: sum(pods),
    perTenant: { cpuMillis: perTenant.cpuMillis / tenants, memoryMiB: round(perTenant.memoryMiB / tenants) },
  };
}
