import type { V1Pod, V1Taint, V1Toleration } from "@kubernetes/client-node";
import { milliCPU, parseQuantity } from "@seedbed/runtime";

/** What one machine of the pool offers. */
export interface NodeShape {
  readonly milliCPU: number;
  readonly memory: number;
  readonly pods: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly V1Taint[];
}

/** What the autoscaler looks at. */
export interface AutoscaleInput {
  readonly replicas: number;
  readonly min: number;
  readonly max: number;
  readonly shape: NodeShape;
  /** Pods the tenant's scheduler marked Unschedulable. */
  readonly unschedulable: readonly V1Pod[];
  /** Machines made but whose Node is not Ready yet: their room is already on its way. */
  readonly upcoming: number;
  /** Ready Nodes of the pool with no pod a drain would move, and since when (ms) each has been so. */
  readonly emptySince: ReadonlyMap<string, number>;
  readonly scaleDownDelayMs: number;
  readonly now: number;
}

/** The replicas the pool should have, why, and when to look again. */
export interface AutoscaleDecision {
  readonly replicas: number;
  readonly reason?: string;
  readonly recheckAt?: number;
}

/** A pod's summed container requests. */
export function podRequests(pod: V1Pod): { milliCPU: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const requests = c.resources?.requests ?? {};
    if (requests.cpu !== undefined) cpu += milliCPU(requests.cpu);
    if (requests.memory !== undefined) memory += parseQuantity(requests.memory);
  }
  return { milliCPU: cpu, memory };
}

function tolerates(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => (t.key === undefined && t.operator === "Exists") || (t.key === taint.key && (t.operator === "Exists" || t.value === taint.value) && (t.effect === undefined || t.effect === taint.effect)));
}

/** Whether the pod could run on a fresh machine of this shape at all. */
export function fitsShape(pod: V1Pod, shape: NodeShape): boolean {
  const want = podRequests(pod);
  if (want.milliCPU > shape.milliCPU || want.memory > shape.memory) return false;
  if (Object.entries(pod.spec?.nodeSelector ?? {}).some(([k, v]) => shape.labels[k] !== v)) return false;
  return shape.taints.filter((t) => t.effect !== "PreferNoSchedule").every((t) => tolerates(pod.spec?.tolerations ?? [], t));
}

/** How many fresh machines the pods need, packed first-fit by decreasing CPU. */
export function machinesFor(pods: readonly V1Pod[], shape: NodeShape): number {
  const bins: { cpu: number; memory: number; pods: number }[] = [];
  const sorted = [...pods].map(podRequests).sort((a, b) => b.milliCPU - a.milliCPU || b.memory - a.memory);
  for (const want of sorted) {
    const bin = bins.find((b) => b.cpu + want.milliCPU <= shape.milliCPU && b.memory + want.memory <= shape.memory && b.pods + 1 <= shape.pods);
    if (bin) {
      bin.cpu += want.milliCPU;
      bin.memory += want.memory;
      bin.pods += 1;
    } else bins.push({ cpu: want.milliCPU, memory: want.memory, pods: 1 });
  }
  return bins.length;
}

/**
 * Cluster-autoscaler's two rules for one pool: grow when pods cannot be
 * scheduled and a machine of the pool would take them (counting machines
 * already on their way), up to max; shrink by the machines that have had
 * nothing to run for scaleDownDelay, down to min. Growth wins over shrinking.
 */
export function autoscale(input: AutoscaleInput): AutoscaleDecision {
  const bounded = Math.min(input.max, Math.max(input.min, input.replicas));
  if (bounded !== input.replicas) return { replicas: bounded, reason: `replicas ${input.replicas} lie outside ${input.min}..${input.max}` };
  const fitting = input.unschedulable.filter((p) => fitsShape(p, input.shape));
  const needed = fitting.length === 0 ? 0 : Math.max(0, machinesFor(fitting, input.shape) - input.upcoming);
  if (needed > 0) {
    const replicas = Math.min(input.max, input.replicas + needed);
    if (replicas > input.replicas) return { replicas, reason: `${fitting.length} unschedulable pods need ${needed} more machines` };
    return { replicas };
  }
  if (fitting.length > 0) return { replicas: input.replicas };
  let due = 0;
  let recheckAt: number | undefined;
  for (const since of input.emptySince.values()) {
    const at = since + input.scaleDownDelayMs;
    if (at <= input.now) due++;
    else recheckAt = Math.min(recheckAt ?? at, at);
  }
  const replicas = Math.max(input.min, input.replicas - due);
  if (replicas < input.replicas) return { replicas, reason: `${input.replicas - replicas} machines had nothing to run for ${Math.round(input.scaleDownDelayMs / 1000)} s`, recheckAt };
  return { replicas, recheckAt };
}
