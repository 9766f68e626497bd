import type { NodePool } from "@seedbed/api";
import type { MachineView } from "./machines.ts";
import { kubeletVersionOf, versionState } from "./rollout.ts";

type Status = NonNullable<NodePool["status"]>;

/** What one pass saw and did, for the pool's status. */
export interface PoolObservation {
  readonly desired: number;
  readonly machines: readonly MachineView[];
  /** Why the pool cannot act yet (no cluster, cluster not running, bad credentials). */
  readonly waiting?: { readonly reason: string; readonly message: string };
  readonly deleting?: boolean;
  /** Why fewer machines exist than wanted: the project's node quota. */
  readonly quotaMessage?: string;
  /** A machine that failed this pass (and is being replaced), in the provider's words: why the pool is not ready. */
  readonly lastFailure?: string | undefined;
  /** The kubelet version the machines run to (status.version): machines whose Node reports another are outdated, and the pool is Upgrading. */
  readonly target?: string | undefined;
}

/** The phase and the Ready condition of a pool. */
export function poolPhase(o: PoolObservation): { phase: Status["phase"]; ready: { status: "True" | "False"; reason: string; message: string } } {
  // Deleting and stuck (an unreachable tenant): the phase says deleting, the condition why it does not progress.
  if (o.deleting === true) return { phase: "Deleting", ready: { status: "False", reason: o.waiting?.reason ?? "Deleting", message: o.waiting?.message ?? "draining and removing its machines" } };
  if (o.waiting) return { phase: "Pending", ready: { status: "False", reason: o.waiting.reason, message: o.waiting.message } };
  const live = o.machines.filter((m) => m.machine.phase !== "Deleting");
  const ready = live.filter((m) => m.ready).length;
  const target = o.target;
  const outdated = target === undefined ? 0 : live.filter((m) => versionState(m, target) === "outdated").length;
  if (outdated > 0) return { phase: "Upgrading", ready: rollingOut(o, outdated, live.length, ready) };
  if (live.length === o.desired && ready === o.desired) return { phase: "Running", ready: { status: "True", reason: "MachinesReady", message: `${ready} of ${o.desired} machines ready` } };
  if (o.quotaMessage !== undefined) return { phase: "Degraded", ready: { status: "False", reason: "QuotaExceeded", message: o.quotaMessage } };
  if (o.lastFailure !== undefined) return { phase: "Degraded", ready: { status: "False", reason: "MachineFailed", message: `${o.lastFailure}; ${ready} of ${o.desired} machines ready` } };
  if (live.length !== o.desired) return { phase: "Scaling", ready: { status: "False", reason: "Scaling", message: `${live.length} machines, ${o.desired} wanted; ${ready} ready` } };
  return { phase: "Degraded", ready: { status: "False", reason: "MachinesNotReady", message: `${ready} of ${o.desired} machines ready` } };
}

/**
 * The Ready condition while outdated machines are replaced: True when as
 * many machines as wanted are Ready (a rollout within its limits is no
 * outage); what holds the rollout up (quota, a failed machine) is the reason.
 */
function rollingOut(o: PoolObservation, outdated: number, live: number, ready: number): { status: "True" | "False"; reason: string; message: string } {
  const progress = `${String(outdated)} of ${String(live)} machines still run another kubelet than ${o.target ?? "the pool's version"}; ${String(ready)} of ${String(o.desired)} ready`;
  if (o.quotaMessage !== undefined) return { status: "False", reason: "QuotaExceeded", message: `${progress}; new machines wait for quota: ${o.quotaMessage}` };
  if (o.lastFailure !== undefined) return { status: "False", reason: "MachineFailed", message: `${o.lastFailure}; ${progress}` };
  return { status: ready >= o.desired ? "True" : "False", reason: "RollingOut", message: progress };
}

/** The status fields of machines: counts, each machine with the kubelet version its Node reports, and how many run `target`. */
export function machineStatus(machines: readonly MachineView[], target?: string): Pick<Status, "replicas" | "readyReplicas" | "updatedReplicas" | "machines"> {
  const live = machines.filter((m) => m.machine.phase !== "Deleting");
  return {
    replicas: live.length,
    readyReplicas: live.filter((m) => m.ready).length,
    ...(target === undefined ? {} : { updatedReplicas: live.filter((m) => versionState(m, target) === "updated").length }),
    machines: [...machines].sort((a, b) => a.machine.name.localeCompare(b.machine.name)).slice(0, 1000).map((m) => {
      const version = kubeletVersionOf(m);
      return { name: m.machine.name, providerID: m.machine.providerID, ready: m.ready, ...(version === undefined ? {} : { version }), createdTime: m.machine.createdAt };
    }),
  };
}
