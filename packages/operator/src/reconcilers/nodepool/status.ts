import type { NodePool } from "@seedbed/api";
import type { MachineView } from "./machines.ts";

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
}

/** The phase and the Ready condition of a pool. */
export function poolPhase(o: PoolObservation): { phase: Status["phase"]; ready: { status: "True" | "False"; reason: string; message: string } } {
  // Deleting and stuck (an unreachable tenant): the phase says deleting, the condition why it does not progress.
  if (o.deleting === true) return { phase: "Deleting", ready: { status: "False", reason: o.waiting?.reason ?? "Deleting", message: o.waiting?.message ?? "draining and removing its machines" } };
  if (o.waiting) return { phase: "Pending", ready: { status: "False", reason: o.waiting.reason, message: o.waiting.message } };
  const live = o.machines.filter((m) => m.machine.phase !== "Deleting");
  const ready = live.filter((m) => m.ready).length;
  if (live.length === o.desired && ready === o.desired) return { phase: "Running", ready: { status: "True", reason: "MachinesReady", message: `${ready} of ${o.desired} machines ready` } };
  if (o.quotaMessage !== undefined) return { phase: "Degraded", ready: { status: "False", reason: "QuotaExceeded", message: o.quotaMessage } };
  if (o.lastFailure !== undefined) return { phase: "Degraded", ready: { status: "False", reason: "MachineFailed", message: `${o.lastFailure}; ${ready} of ${o.desired} machines ready` } };
  if (live.length !== o.desired) return { phase: "Scaling", ready: { status: "False", reason: "Scaling", message: `${live.length} machines, ${o.desired} wanted; ${ready} ready` } };
  return { phase: "Degraded", ready: { status: "False", reason: "MachinesNotReady", message: `${ready} of ${o.desired} machines ready` } };
}

/** The status fields of machines. */
export function machineStatus(machines: readonly MachineView[]): Pick<Status, "replicas" | "readyReplicas" | "machines"> {
  const live = machines.filter((m) => m.machine.phase !== "Deleting");
  return {
    replicas: live.length,
    readyReplicas: live.filter((m) => m.ready).length,
    machines: [...machines].sort((a, b) => a.machine.name.localeCompare(b.machine.name)).slice(0, 1000).map((m) => ({ name: m.machine.name, providerID: m.machine.providerID, ready: m.ready })),
  };
}
