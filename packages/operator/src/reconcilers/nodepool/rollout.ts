import { planScaling, type HealingPolicy, type MachineView, type ScalingPlan } from "./machines.ts";

/** How a machine stands against the pool's version: its kubelet runs it, runs another, or has not said yet (no Node). */
export type VersionState = "updated" | "outdated" | "unknown";

/** The pool's spec.upgradeStrategy. */
export interface RolloutLimits {
  /** Machines that may exist beyond the desired count while outdated ones are replaced. */
  readonly maxSurge: number;
  /** Machines that may be missing or unready below the desired count while outdated ones are replaced. */
  readonly maxUnavailable: number;
}

/** The scaling plan, with the machines a rollout retires. */
export interface MachinePlan extends ScalingPlan {
  /** Outdated machines to drain and remove this pass, their replacements already Ready (or the limits allowing the gap). */
  readonly retire: readonly MachineView[];
  /** Live machines whose kubelet runs another version than the target. */
  readonly outdated: number;
}

/** The kubelet version a machine's Node reports, without its "v" ("v1.37.1" → "1.37.1"); undefined before the Node registers. */
export function kubeletVersionOf(view: MachineView): string | undefined {
  const reported = view.node?.status?.nodeInfo?.kubeletVersion;
  return reported === undefined || reported === "" ? undefined : reported.replace(/^v/, "");
}

/**
 * Whether a machine runs `target`. A target without a patch ("1.36") is met
 * by any patch of that minor. A machine whose Node has not registered yet
 * is neither updated nor outdated: the rollout waits for it. With
 * `trustedSince` (a CA rotation of the cluster is Prepared), a machine made
 * before then is outdated whatever it runs: it is replaced by one whose
 * kubelet trusts the new CA.
 */
export function versionState(view: MachineView, target: string, trustedSince?: number): VersionState {
  // Made before its cluster's CA rotation was Prepared: its kubelet trusts only the old CA, which the rotation retires.
  if (trustedSince !== undefined && Date.parse(view.machine.createdAt) < trustedSince) return "outdated";
  const version = kubeletVersionOf(view);
  if (version === undefined) return "unknown";
  const met = target.split(".").length === 2 ? version === target || version.startsWith(`${target}.`) : version === target;
  return met ? "updated" : "outdated";
}

/**
 * The pool's plan for this pass: auto-healing, scaling and the rollout of a
 * new kubelet version, composed so that they never fight.
 *
 * - Auto-healing always runs first (planScaling's `replace`): a broken
 *   machine is removed at once, whatever its version, and its replacement
 *   is made at the target.
 * - With no outdated machine, planScaling decides alone, as before.
 * - With outdated machines the rollout plan replaces planScaling's create
 *   and remove, because the surge machines it makes would look like surplus
 *   to planScaling. It scales as well: beyond replicas + maxSurge it removes
 *   machines, outdated ones first (so a scale-down during a rollout shortens
 *   it); below, every new machine is made at the target version.
 *
 * Pure: the reconciler carries the plan out (drains first).
 */
export function planMachines(input: { readonly desired: number; readonly machines: readonly MachineView[]; readonly healing: HealingPolicy; readonly now: number; readonly target: string; readonly limits: RolloutLimits; readonly trustedSince?: number }): MachinePlan {
  const { desired, machines, target, limits, trustedSince } = input;
  const scaling = planScaling(desired, machines, input.healing, input.now);
  const kept = machines.filter((m) => !scaling.replace.includes(m));
  const outdated = kept.filter((m) => m.machine.phase !== "Deleting" && versionState(m, target, trustedSince) === "outdated").length;
  if (outdated === 0) return { ...scaling, retire: [], outdated: 0 };
  const rollout = planRollout(desired, kept, target, limits, trustedSince);
  return { ...scaling, create: rollout.create, remove: rollout.remove, retire: rollout.retire, outdated };
}

/** What a rollout does this pass. */
export interface RolloutPlan {
  /** New machines to make, at the target version. */
  readonly create: number;
  /** Machines beyond replicas + maxSurge to drain and remove (a scale-down during the rollout). */
  readonly remove: readonly MachineView[];
  /** Outdated machines to drain and remove within maxUnavailable. */
  readonly retire: readonly MachineView[];
}

/**
 * A Deployment's rolling update, over machines: make new machines up to
 * replicas + maxSurge, and retire outdated ones while the Ready machines
 * stay at least replicas - maxUnavailable. New machines not Ready yet
 * (or without a Node) hold the retirements back, so with maxUnavailable 0
 * an outdated machine goes only once its replacement is Ready. Unready
 * outdated machines go first (they cost no availability), then those whose
 * drain is under way (cordoned), then the oldest.
 *
 * Machines already being deleted still count against the surge limit (a
 * cloud machine shutting down is still billed, still there), so that the
 * pool never holds more than replicas + maxSurge machines.
 */
export function planRollout(desired: number, machines: readonly MachineView[], target: string, limits: RolloutLimits, trustedSince?: number): RolloutPlan {
  const live = machines.filter((m) => m.machine.phase !== "Deleting");
  const going = machines.length - live.length;
  const state = (m: MachineView): VersionState => versionState(m, target, trustedSince);
  const ceiling = desired + limits.maxSurge;

  // Beyond the surge limit (replicas lowered mid-rollout): scale down, outdated first.
  const surplus = Math.max(0, live.length - ceiling);
  const order: VersionState[] = ["outdated", "unknown", "updated"];
  const remove = [...live].sort((a, b) => order.indexOf(state(a)) - order.indexOf(state(b)) || byScaleDown(a, b)).slice(0, surplus);
  const remaining = live.filter((m) => !remove.includes(m));

  // Retire outdated machines within the availability limit (Deployment's maxScaledDown).
  const minAvailable = Math.max(0, desired - limits.maxUnavailable);
  const newUnavailable = remaining.filter((m) => state(m) !== "outdated" && !m.ready).length;
  let budget = remaining.length - minAvailable - newUnavailable;
  let ready = remaining.filter((m) => m.ready).length;
  const retire: MachineView[] = [];
  for (const candidate of remaining.filter((m) => state(m) === "outdated").sort(byRetirement)) {
    if (budget <= 0) break;
    if (candidate.ready) {
      if (ready - 1 < minAvailable) break; // unready ones came first: no other candidate costs less
      ready--;
    }
    retire.push(candidate);
    budget--;
  }

  // New machines: up to the surge limit, and no more than the desired count of new ones.
  const fresh = remaining.filter((m) => state(m) !== "outdated").length;
  const create = Math.max(0, Math.min(ceiling - live.length - going, desired - fresh));
  return { create, remove, retire };
}

/** planScaling's order: unready first, then the fewest pods to move, then the newest. */
function byScaleDown(a: MachineView, b: MachineView): number {
  return Number(a.ready) - Number(b.ready) || a.movablePods - b.movablePods || b.machine.createdAt.localeCompare(a.machine.createdAt) || a.machine.name.localeCompare(b.machine.name);
}

/** Unready first, then a drain under way (cordoned), then the oldest. */
function byRetirement(a: MachineView, b: MachineView): number {
  const cordoned = (m: MachineView): number => (m.node?.spec?.unschedulable === true ? 0 : 1);
  return Number(a.ready) - Number(b.ready) || cordoned(a) - cordoned(b) || a.machine.createdAt.localeCompare(b.machine.createdAt) || a.machine.name.localeCompare(b.machine.name);
}
