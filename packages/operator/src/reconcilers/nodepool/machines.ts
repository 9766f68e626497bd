import type { V1Node } from "@kubernetes/client-node";
import type { Machine } from "@seedbed/providers";

/** A machine with what the tenant says of its Node. */
export interface MachineView {
  readonly machine: Machine;
  readonly node: V1Node | undefined;
  readonly ready: boolean;
  /** Since when (ms) the Node is not Ready, or the machine has had no Node. */
  readonly notReadySince: number | undefined;
  /** Pods on it that a drain would move (no DaemonSet or mirror pods). */
  readonly movablePods: number;
}

/** What to do about a pool's machines this pass. */
export interface ScalingPlan {
  /** How many machines to make. */
  readonly create: number;
  /** Machines to drain and remove (scale-down), best candidates first. */
  readonly remove: readonly MachineView[];
  /** Broken machines to remove at once and replace (auto-healing). */
  readonly replace: readonly MachineView[];
  /** When the next not-ready machine would be due for replacement (ms since epoch). */
  readonly nextHealingAt: number | undefined;
}

/** Auto-healing settings in milliseconds. */
export interface HealingPolicy {
  readonly enabled: boolean;
  readonly notReadyTimeoutMs: number;
}

/** Whether a Node's Ready condition is True. */
export function isNodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Since when a machine has been unready: its Ready condition's last transition, or its creation when it has no Node yet. */
export function notReadySince(machine: Machine, node: V1Node | undefined): number | undefined {
  if (isNodeReady(node)) return undefined;
  const ready = node?.status?.conditions?.find((c) => c.type === "Ready");
  const since = ready?.lastTransitionTime ?? node?.metadata?.creationTimestamp ?? machine.createdAt;
  const ms = new Date(since).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Decides the pool's next steps: replace machines unready beyond the
 * timeout, make the missing ones, and pick which to remove when there are
 * too many — unready ones first, then those with the fewest pods to move,
 * then the newest. Pure: the reconciler carries the plan out.
 */
export function planScaling(desired: number, machines: readonly MachineView[], healing: HealingPolicy, now: number): ScalingPlan {
  const live = machines.filter((m) => m.machine.phase !== "Deleting");
  const overdue = (m: MachineView): boolean => m.machine.phase === "Failed" || (m.notReadySince !== undefined && now - m.notReadySince >= healing.notReadyTimeoutMs);
  const replace = healing.enabled ? live.filter(overdue) : [];
  const healthy = live.filter((m) => !replace.includes(m));
  const deadlines = healing.enabled ? healthy.flatMap((m) => (m.notReadySince === undefined ? [] : [m.notReadySince + healing.notReadyTimeoutMs])) : [];
  const nextHealingAt = deadlines.length > 0 ? Math.min(...deadlines) : undefined;
  if (healthy.length <= desired) return { create: desired - healthy.length, remove: [], replace, nextHealingAt };
  const ranked = [...healthy].sort((a, b) => Number(a.ready) - Number(b.ready) || a.movablePods - b.movablePods || b.machine.createdAt.localeCompare(a.machine.createdAt) || a.machine.name.localeCompare(b.machine.name));
  return { create: 0, remove: ranked.slice(0, healthy.length - desired), replace, nextHealingAt };
}
