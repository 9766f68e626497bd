import type { Etcdctl } from "./etcdctl.ts";
import { formatBytes, type Compaction, type MaintenanceInput, type MaintenanceMember, type MaintenanceStep, type MemberSpace } from "./maintenance.ts";
import type { EtcdAlarm } from "./types.ts";

/** The part of Etcdctl a maintenance step uses. */
export type MaintenanceEtcdctl = Pick<Etcdctl, "status" | "defragment" | "compact" | "disarmNoSpace">;

/** What a step did, for the caller's memory (rememberMaintenance) and its log. */
export type MaintenanceResult =
  | { readonly kind: "nothing" }
  | { readonly kind: "defragmented"; readonly member: string; readonly dbSizeBefore: number; readonly dbSizeAfter: number }
  | { readonly kind: "compacted"; readonly revision: number; readonly already: boolean }
  | { readonly kind: "disarmed"; readonly alarms: readonly EtcdAlarm[] };

/**
 * Carries out one step of planMaintenance. `endpoints` are the voters'
 * client URLs, for the cluster-wide calls (compaction, disarm); a
 * defragmentation goes to the step's member alone. Throws EtcdctlError when
 * etcd refuses; the next pass observes and plans again.
 */
export async function runMaintenanceStep(etcdctl: MaintenanceEtcdctl, endpoints: readonly string[], step: MaintenanceStep): Promise<MaintenanceResult> {
  switch (step.kind) {
    case "none":
    case "wait":
      return { kind: "nothing" };
    case "defragment": {
      const before = await etcdctl.status(step.endpoint);
      await etcdctl.defragment(step.endpoint);
      const after = await etcdctl.status(step.endpoint);
      return { kind: "defragmented", member: step.member, dbSizeBefore: before.dbSize, dbSizeAfter: after.dbSize };
    }
    case "compact":
      return { kind: "compacted", revision: step.revision, already: (await etcdctl.compact(endpoints, step.revision)) === "already-compacted" };
    case "disarm":
      return { kind: "disarmed", alarms: await etcdctl.disarmNoSpace(endpoints) };
  }
}

/** What a caller keeps between passes: when each member was defragmented, and the last compaction. */
export interface MaintenanceMemory {
  /** Per member name, ms since the epoch. */
  readonly defragmentedAt: Readonly<Record<string, number>>;
  readonly lastCompaction?: Compaction | undefined;
}

/** A memory with nothing in it (a new caller, or after a restart: at worst one extra defragmentation). */
export const emptyMaintenanceMemory: MaintenanceMemory = { defragmentedAt: {} };

/** The memory after a step's result. Pure. */
export function rememberMaintenance(memory: MaintenanceMemory, result: MaintenanceResult, now: number): MaintenanceMemory {
  switch (result.kind) {
    case "defragmented":
      return { ...memory, defragmentedAt: { ...memory.defragmentedAt, [result.member]: now } };
    case "compacted":
      return { ...memory, lastCompaction: { revision: Math.max(result.revision, memory.lastCompaction?.revision ?? 0), at: now } };
    default:
      return memory;
  }
}

/** A member for planMaintenance from what the caller observed and remembers. */
export function maintenanceMember(name: string, endpoint: string, healthy: boolean, status: MemberSpace | undefined, memory: MaintenanceMemory): MaintenanceMember {
  const last = memory.defragmentedAt[name];
  return { name, endpoint, healthy, status, ...(last === undefined ? {} : { lastDefragmentedAt: last }) };
}

/**
 * A short message for status, or undefined when there is nothing to say:
 * "defragmenting m1: 120 MiB of 200 MiB free", or under NOSPACE "NOSPACE:
 * etcd is over its 2 GiB quota, writes refused until it is below; …".
 */
export function describeMaintenance(input: Pick<MaintenanceInput, "members" | "alarms">, step: MaintenanceStep): string | undefined {
  if (step.kind === "none") return undefined;
  const noSpace = input.alarms.some((a) => a.alarm === "NOSPACE") && step.reason.startsWith("NOSPACE: ");
  if (!noSpace || step.kind === "disarm") return step.reason;
  const quota = Math.max(0, ...input.members.map((m) => m.status?.dbSizeQuota ?? 0));
  const over = quota > 0 ? `etcd is over its ${formatBytes(quota)} quota` : "etcd is over its quota";
  return `NOSPACE: ${over}, writes refused until it is below; ${step.reason.slice("NOSPACE: ".length)}`;
}
