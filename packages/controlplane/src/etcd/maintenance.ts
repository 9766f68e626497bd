import type { EtcdAlarm, EtcdStatus } from "./types.ts";

/*
 * What to do about etcd's space, one step per pass: defragment a member,
 * compact the history, disarm NOSPACE, wait, or nothing. Pure, like
 * planMembership: the caller observes (endpoint status of each member,
 * alarm list), plans, runs the step (maintenance-run.ts) and observes again.
 *
 * Sources: etcd's maintenance guide (etcd-io/website
 * content/en/docs/v3.6/op-guide/maintenance.md, "Defragmentation" and
 * "Space quota"), etcd's quota (server/storage/quota.go), and
 * etcd-backup-restore's defragmentation (pkg/etcdutil/etcdutil.go).
 */

/** What maintenance reads of one member's status; an EtcdStatus fits as it is. */
export type MemberSpace = Pick<EtcdStatus, "memberId" | "isLeader" | "isLearner" | "revision" | "dbSize" | "dbSizeInUse" | "dbSizeQuota">;

/** One member as the caller observed it this pass. */
export interface MaintenanceMember {
  readonly name: string;
  /** Its client URL: a defragmentation goes to this member alone. */
  readonly endpoint: string;
  /** Serving: /readyz for a voter, a status answer for a learner. */
  readonly healthy: boolean;
  /** Its endpoint status; undefined when it did not answer. */
  readonly status: MemberSpace | undefined;
  /** When it was last defragmented (ms since the epoch); undefined if never (or not remembered). */
  readonly lastDefragmentedAt?: number | undefined;
}

/** When to defragment without an alarm, and how far below the quota NOSPACE must be before it is disarmed. */
export interface MaintenancePolicy {
  /** Defragment a member once this share of its backend file is free (dbSize − dbSizeInUse over dbSize). */
  readonly defragWhenFreeRatio: number;
  /** … and at least this many bytes are free: a defragmentation blocks the member, worth it only for real space. */
  readonly minFreeBytes: number;
  /** Leave a member this long after its last defragmentation before another (without an alarm). */
  readonly minIntervalMs: number;
  /**
   * The share of the quota a member's dbSize should stay under. Above it a
   * member is defragmented whatever its free ratio (before NOSPACE strikes),
   * and NOSPACE is disarmed only once every member is below it.
   */
  readonly highWaterRatio: number;
}

/** Defaults for a tenant's etcd: half the file free and 64 MiB, at most hourly, 80% of the quota. */
export const defaultMaintenancePolicy: MaintenancePolicy = {
  defragWhenFreeRatio: 0.5,
  minFreeBytes: 64 * 1024 ** 2,
  minIntervalMs: 60 * 60_000,
  // etcd-backup-restore disarms NOSPACE at 80% of the quota (pkg/snapshot/restorer/restorer.go HandleAlarm).
  highWaterRatio: 0.8,
};

/** A compaction this caller ran. */
export interface Compaction {
  readonly revision: number;
  /** When it finished, ms since the epoch. */
  readonly at: number;
}

/** What planMaintenance looks at. */
export interface MaintenanceInput {
  /** Every member, learners included. */
  readonly members: readonly MaintenanceMember[];
  /** etcd's alarm list. */
  readonly alarms: readonly EtcdAlarm[];
  /** The last compaction this caller ran (revision, and when: ms since the epoch); undefined if none (or not remembered). */
  readonly lastCompaction?: Compaction | undefined;
  /** The current time, ms since the epoch. */
  readonly now: number;
  readonly policy?: MaintenancePolicy;
}

/** One maintenance step; `reason` is a sentence for logs and status. */
export type MaintenanceStep =
  | { readonly kind: "none" }
  | { readonly kind: "defragment"; readonly member: string; readonly endpoint: string; readonly reason: string }
  | { readonly kind: "compact"; readonly revision: number; readonly reason: string }
  | { readonly kind: "disarm"; readonly reason: string }
  | { readonly kind: "wait"; readonly reason: string };

/** Binary units as etcdctl's table prints them, e.g. "120 MiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Number.isInteger(value) || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, "")} ${units[unit] ?? "B"}`;
}

interface Observed {
  readonly member: MaintenanceMember;
  readonly status: MemberSpace;
}

/** Learners first, then followers, the leader last; by name within each. */
function leaderLast(a: Observed, b: Observed): number {
  const rank = (o: Observed): number => (o.status.isLearner ? 0 : o.status.isLeader ? 2 : 1);
  return rank(a) - rank(b) || a.member.name.localeCompare(b.member.name);
}

function free(s: MemberSpace): number {
  return Math.max(0, s.dbSize - s.dbSizeInUse);
}

function checkPolicy(p: MaintenancePolicy): void {
  const ratio = (field: "defragWhenFreeRatio" | "highWaterRatio"): void => {
    if (!(p[field] > 0 && p[field] <= 1)) throw new Error(`maintenance policy: ${field} must be in (0, 1], got ${String(p[field])}`);
  };
  ratio("defragWhenFreeRatio");
  ratio("highWaterRatio");
  for (const field of ["minFreeBytes", "minIntervalMs"] as const) {
    if (!(p[field] >= 0)) throw new Error(`maintenance policy: ${field} must be 0 or more, got ${String(p[field])}`);
  }
}

/** The next maintenance step for a cluster's etcd (see the rules in the body). */
export function planMaintenance(input: MaintenanceInput): MaintenanceStep {
  const policy = input.policy ?? defaultMaintenancePolicy;
  checkPolicy(policy);
  const nameOf = (id: string): string => input.members.find((m) => m.status?.memberId === id)?.name ?? `member ${id}`;

  // CORRUPT (or an alarm this code does not know) is never disarmed: the
  // member's data differs from the others', and `etcdctl alarm disarm`
  // would clear it together with NOSPACE. Replacing the member (membership
  // planner) is the cure; until then nothing here touches the cluster.
  const serious = input.alarms.filter((a) => a.alarm !== "NOSPACE");
  if (serious.length > 0) {
    const which = serious.map((a) => `${a.alarm} on ${nameOf(a.memberId)}`).join(", ");
    return { kind: "wait", reason: `etcd raised ${which}: Seedbed never disarms it; the member must be replaced` };
  }

  const observed: Observed[] = input.members.flatMap((member) => (member.status === undefined ? [] : [{ member, status: member.status }]));
  const notHealthy = input.members.filter((m) => !m.healthy || m.status === undefined).map((m) => m.name);
  if (input.alarms.some((a) => a.alarm === "NOSPACE")) return planNoSpace(input, policy, observed, notHealthy);
  return planRoutine(input, policy, observed, notHealthy);
}

/**
 * NOSPACE: the cluster takes only reads and deletes (maintenance guide,
 * "Space quota"). The guide's way out, step by step: compact → defragment →
 * disarm.
 */
function planNoSpace(input: MaintenanceInput, policy: MaintenancePolicy, observed: readonly Observed[], notHealthy: readonly string[]): MaintenanceStep {
  if (observed.length === 0) return { kind: "wait", reason: "NOSPACE: no member answers endpoint status" };
  const quota = Math.max(...observed.map((o) => o.status.dbSizeQuota));
  if (quota <= 0) return { kind: "wait", reason: "NOSPACE: etcd does not report its quota (dbSizeQuota, etcd ≥ 3.6)" };
  const limit = Math.floor(quota * policy.highWaterRatio);

  // 1. Compact when the data in use is too large: deleted keys stay in the
  // history until a compaction, and defragmentation only gives back pages
  // that are free. kube-apiserver compacts every 5 minutes, but it first
  // writes compact_rev_key in a transaction (k8s.io/apiserver
  // storage/etcd3/compact.go), which NOSPACE refuses; etcd's own periodic
  // compaction may be minutes away. A revision this caller compacted
  // already is not compacted again.
  const overInUse = observed.filter((o) => o.status.dbSizeInUse >= limit);
  const revision = Math.max(...observed.map((o) => o.status.revision));
  if (overInUse.length > 0 && revision > (input.lastCompaction?.revision ?? 0)) {
    return { kind: "compact", revision, reason: `NOSPACE: ${overInUse.map((o) => o.member.name).join(", ")} use ${formatBytes(Math.max(...overInUse.map((o) => o.status.dbSizeInUse)))} of the ${formatBytes(quota)} quota; compacting the history to revision ${String(revision)}` };
  }

  // 2. Defragment, one member at a time, only with every member healthy:
  // a defragmentation "blocks the system from reading and writing data"
  // on that member (maintenance guide, "Defragmentation"), so a second
  // member down at the same time could cost the quorum. /readyz stays
  // green under NOSPACE (only CORRUPT fails it, etcdhttp/health.go), so
  // this wait does not deadlock. Members over the limit must shrink; those
  // with real free space are done now too, while writes are stopped anyway.
  // dbSizeInUse is not trusted here: bbolt counts the pages a compaction
  // freed only after the next write transaction, which NOSPACE may never
  // let come (seen on etcd 3.6: in-use unchanged on two of three members
  // after a physical compaction), so a member over the limit is
  // defragmented once after each compaction whatever its in-use says; a
  // defragmentation rewrites only live data, so its result is the truth.
  const compactedAt = input.lastCompaction?.at ?? 0;
  const triedSinceCompaction = (o: Observed): boolean => o.member.lastDefragmentedAt !== undefined && o.member.lastDefragmentedAt >= compactedAt;
  const candidates = observed.filter((o) => (o.status.dbSize >= limit && !triedSinceCompaction(o)) || free(o.status) >= Math.max(1, policy.minFreeBytes)).sort(leaderLast);
  const first = candidates[0];
  if (first !== undefined) {
    if (notHealthy.length > 0) return { kind: "wait", reason: `NOSPACE: defragmenting ${first.member.name} waits until every member is healthy (${notHealthy.join(", ")} is not)` };
    return { kind: "defragment", member: first.member.name, endpoint: first.member.endpoint, reason: `NOSPACE: ${defragReason(first)}` };
  }

  // 3. Disarm only with every member's backend below the limit: etcd
  // checks the quota against the file size (be.Size() + cost <
  // quota, server/storage/quota.go), and every member checks its own, so
  // one member just under the quota raises NOSPACE again on the next write.
  if (observed.length < input.members.length) return { kind: "wait", reason: `NOSPACE: waiting for the size of ${notHealthy.join(", ")} before disarming` };
  const overLimit = observed.filter((o) => o.status.dbSize >= limit);
  if (overLimit.length > 0) {
    return { kind: "wait", reason: `NOSPACE: ${overLimit.map((o) => o.member.name).join(", ")} still ${formatBytes(Math.max(...overLimit.map((o) => o.status.dbSize)))} after defragmentation, above ${formatBytes(limit)} (${String(Math.round(policy.highWaterRatio * 100))}% of the ${formatBytes(quota)} quota): delete data or raise the quota` };
  }
  return { kind: "disarm", reason: `NOSPACE: every member is below ${formatBytes(limit)} (${String(Math.round(policy.highWaterRatio * 100))}% of the ${formatBytes(quota)} quota); disarming` };
}

/**
 * No alarm: defragment a member whose file is mostly free space, or that
 * nears the quota, so that NOSPACE does not come. No compaction here:
 * kube-apiserver compacts every 5 minutes, and etcd runs its periodic
 * auto-compaction (render/etcd.ts).
 */
function planRoutine(input: MaintenanceInput, policy: MaintenancePolicy, observed: readonly Observed[], notHealthy: readonly string[]): MaintenanceStep {
  const due = (o: Observed): boolean => {
    const last = o.member.lastDefragmentedAt;
    if (last !== undefined && input.now - last < policy.minIntervalMs) return false;
    const bytes = free(o.status);
    if (bytes < policy.minFreeBytes || bytes === 0) return false;
    const nearQuota = o.status.dbSizeQuota > 0 && o.status.dbSize >= o.status.dbSizeQuota * policy.highWaterRatio;
    return bytes / o.status.dbSize >= policy.defragWhenFreeRatio || nearQuota;
  };
  // Followers first, the leader last (etcd-backup-restore
  // GetEtcdEndPointsSorted; etcd-druid's proposal 01: "to minimise potential
  // leadership changes"): a member blocked by defragmentation may miss
  // heartbeats, and losing the leader costs an election.
  const candidates = observed.filter(due).sort(leaderLast);
  const first = candidates[0];
  if (first === undefined) return { kind: "none" };
  // One member at a time, and only when all serve (maintenance guide:
  // defragmentation is "issued on a per-member basis so that cluster-wide
  // latency spikes may be avoided"; a member already down plus one
  // blocked can cost the quorum).
  if (notHealthy.length > 0) return { kind: "wait", reason: `defragmenting ${first.member.name} waits until every member is healthy (${notHealthy.join(", ")} is not)` };
  return { kind: "defragment", member: first.member.name, endpoint: first.member.endpoint, reason: defragReason(first) };
}

/** "defragmenting m1: 120 MiB of 200 MiB free". */
function defragReason(o: Observed): string {
  return `defragmenting ${o.member.name}: ${formatBytes(free(o.status))} of ${formatBytes(o.status.dbSize)} free`;
}
