import type { EtcdMember } from "./types.ts";

/**
 * The next change to an etcd cluster's membership, one at a time: a pure
 * decision from what the caller observed, which it executes and then plans
 * again from a fresh observation (level-triggered, like ADR 0005's upgrade
 * steps).
 *
 * Sources for the rules below: etcd's runtime-reconfiguration guide
 * (website content/en/docs/v3.6/op-guide/runtime-configuration.md, "RC" below),
 * the learner design (docs/v3.6/learning/design-learner.md) and etcd 3.6's
 * own checks in server/etcdserver/server.go (mayAddMember, mayRemoveMember,
 * mayPromoteMember), which --strict-reconfig-check (on by default) enforces
 * as a second line of defence.
 */

/** The voter counts Seedbed offers: odd, so that a cluster tolerates (n−1)/2 failures. */
export type VoterCount = 1 | 3 | 5;

/** What the caller observed, and what it wants. */
export interface MembershipInput {
  /** `memberList`: every member, learners and not-yet-started ones included. */
  readonly members: readonly EtcdMember[];
  /**
   * IDs (hex) of the members that serve: a voter whose /readyz answers 200
   * (a linearizable read, so it has quorum), a learner whose status answers
   * (/readyz always fails on a learner).
   */
  readonly healthy: readonly string[];
  /** The leader's ID from `status`; undefined when no member knows one. */
  readonly leaderId: string | undefined;
  readonly desiredVoters: VoterCount;
  /** Names of members whose data is lost or corrupt: they are removed, and a new member replaces them. */
  readonly lost?: readonly string[];
  /** Names of the members the caller runs a process for. */
  readonly processes: readonly string[];
  /** IDs of learners the caller gave up on: never started, or not promotable for too long. */
  readonly staleLearners?: readonly string[];
  /** Names used before that may no longer be listed (e.g. data directories kept); never handed out again. */
  readonly usedNames?: readonly string[];
}

/** One step; the caller executes it, waits for its effect, and plans again. */
export type MembershipStep =
  | { readonly kind: "none" }
  | { readonly kind: "wait"; readonly reason: string }
  /** `remove` the learner, stop its process, delete its data directory. */
  | { readonly kind: "remove-learner"; readonly id: string; readonly name: string; readonly reason: string }
  /** `addLearner(name, peerURL)`, then start the process with the returned initialCluster, state "existing" and an empty data dir. */
  | { readonly kind: "add-learner"; readonly name: string; readonly reason: string }
  /** `promote`; "not-ready" means: plan again later. */
  | { readonly kind: "promote"; readonly id: string; readonly name: string }
  /** `moveLeader(toId)`; the member leaving comes next. */
  | { readonly kind: "move-leader"; readonly fromId: string; readonly toId: string; readonly reason: string }
  /** `remove` the voter, stop its process, delete its data directory (its name is never used again). */
  | { readonly kind: "remove"; readonly id: string; readonly name: string; readonly reason: string };

/** The smallest majority of n voters. */
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** What the rules look at, computed once. */
interface View {
  readonly input: MembershipInput;
  readonly voters: readonly EtcdMember[];
  readonly learners: readonly EtcdMember[];
  readonly healthy: ReadonlySet<string>;
  readonly lost: ReadonlySet<string>;
  /** The voter count to reach now: desiredVoters, or one more while a lone lost voter is replaced (see lostVoter). */
  readonly target: number;
}

const byName = (a: EtcdMember, b: EtcdMember): number => a.name.localeCompare(b.name, "en", { numeric: true }) || a.id.localeCompare(b.id);
const label = (m: EtcdMember): string => (m.name === "" ? `(unstarted ${m.id})` : m.name);

/**
 * The one next membership step. Throws only on invalid input (naming the
 * field); everything the cluster cannot do yet is a "wait" with the reason.
 */
export function planMembership(input: MembershipInput): MembershipStep {
  if (![1, 3, 5].includes(input.desiredVoters)) throw new Error(`desiredVoters must be 1, 3 or 5 (an odd count tolerates (n-1)/2 failures), got ${String(input.desiredVoters)}`);
  if (input.members.length === 0) return { kind: "wait", reason: "no members observed" };
  const view = observe(input);
  return noLeader(view) ?? staleLearner(view) ?? lostVoter(view) ?? unhealthyVoter(view) ?? learner(view) ?? resize(view);
}

function observe(input: MembershipInput): View {
  const voters = input.members.filter((m) => !m.isLearner).sort(byName);
  const healthy = new Set(input.healthy);
  const lost = new Set(input.lost ?? []);
  // A lone voter whose data is lost but which still serves from memory
  // cannot be removed (no one would be left): grow by one first, so its data
  // reaches a new member, then remove it (RC: "replace" with quorum kept).
  const loneLostServing = voters.length === 1 && voters.every((v) => lost.has(v.name) && healthy.has(v.id));
  return {
    input,
    voters,
    learners: input.members.filter((m) => m.isLearner).sort(byName),
    healthy,
    lost,
    target: Math.max(input.desiredVoters, loneLostServing ? 2 : 0),
  };
}

/**
 * Rule 1: every change is a raft entry the leader must commit with a
 * majority of the current voters (RC: "reconfiguration requires a working
 * majority"); without a known leader there is nothing to do but wait (or,
 * when the loss is permanent, disaster recovery from a snapshot).
 */
function noLeader(view: View): MembershipStep | undefined {
  const leader = view.input.leaderId;
  if (leader === undefined) return { kind: "wait", reason: "no leader: the cluster has no quorum" };
  if (!view.voters.some((v) => v.id === leader)) return { kind: "wait", reason: `leader ${leader} is not a voter in the member list; observe again` };
  return undefined;
}

/**
 * Rule 2: remove a learner that will never be promoted: the caller gave up
 * on it, its data is lost, it started but has no process any more, or it is
 * a second learner. Removing a learner never touches quorum
 * (server.go mayRemoveMember skips the check for learners), and etcd allows
 * one learner at a time by default (--max-learners=1, RC "too many learner
 * members"), so a stale one blocks every later scale-up until it is gone.
 */
function staleLearner(view: View): MembershipStep | undefined {
  const stale = new Set(view.input.staleLearners ?? []);
  const processes = new Set(view.input.processes);
  for (const l of view.learners) {
    const reason = stale.has(l.id)
      ? "the caller gave up on it (never started or never caught up)"
      : view.lost.has(l.name)
        ? "its data is lost"
        : l.name !== "" && !processes.has(l.name)
          ? "it has no process"
          : undefined;
    if (reason !== undefined) return { kind: "remove-learner", id: l.id, name: l.name, reason: `learner ${label(l)}: ${reason}` };
  }
  const extra = [...view.learners].sort((a, b) => Number(view.healthy.has(a.id)) - Number(view.healthy.has(b.id)))[0];
  if (view.learners.length > 1 && extra !== undefined) return { kind: "remove-learner", id: extra.id, name: extra.name, reason: "more than one learner: etcd promotes one at a time" };
  return undefined;
}

/**
 * Rule 3 (replace): a voter whose data is lost is removed first and a new
 * member with a new name added afterwards (RC: "to replace a member, remove
 * it, then add the new one"; a removed member's identity is refused forever,
 * RC "this member has been permanently removed"). Removing it must keep
 * quorum twice: the change is committed by a majority of the current voters,
 * and the healthy voters left must form a majority of the new size
 * (server.go mayRemoveMember checks the same). The leader hands over first.
 */
function lostVoter(view: View): MembershipStep | undefined {
  const lostVoters = view.voters.filter((v) => view.lost.has(v.name));
  const v = lostVoters[0];
  if (v === undefined) return undefined;
  if (view.voters.length === 1) {
    // See observe(): a lone lost voter still serving is replaced by growing first.
    if (view.healthy.has(v.id)) return undefined;
    return { kind: "wait", reason: `the only voter ${v.name} lost its data: restore the cluster from a snapshot (disaster recovery)` };
  }
  const refusal = removalBreaksQuorum(view, v);
  if (refusal !== undefined) return { kind: "wait", reason: `cannot replace ${v.name}: ${refusal}; restore from a snapshot if the loss is permanent` };
  return handOverOrRemove(view, v, `its data is lost (replace: remove, then add a new member)`);
}

/**
 * Rule 4: an unhealthy voter blocks every other change (RC: add or remove
 * only while the cluster is healthy; a change with a member down can lose
 * quorum). Shrinking is the exception: the unhealthy voter is the first to
 * go, if quorum holds without it (druid: "unhealthy members first").
 */
function unhealthyVoter(view: View): MembershipStep | undefined {
  const sick = view.voters.filter((v) => !view.healthy.has(v.id));
  const v = sick[sick.length - 1];
  if (v === undefined) return undefined;
  if (view.voters.length > view.target && v.id !== view.input.leaderId && removalBreaksQuorum(view, v) === undefined) {
    return { kind: "remove", id: v.id, name: v.name, reason: `scale down to ${view.target}: ${label(v)} is not healthy, so it goes first` };
  }
  const why = v.name !== "" && !view.input.processes.includes(v.name) ? " and has no process (start it, or report its data lost)" : "";
  return { kind: "wait", reason: `voter ${sick.map(label).join(", ")} is not healthy${why}` };
}

/**
 * Rule 5: a learner (never more than one) is promoted once it serves; etcd
 * itself refuses until its log is within 90% of the leader's (server.go
 * isLearnerReady), and promote says "not-ready" until then. A learner that
 * is no longer wanted (the target shrank meanwhile) is removed instead.
 */
function learner(view: View): MembershipStep | undefined {
  const l = view.learners[0];
  if (l === undefined) return undefined;
  if (view.voters.length >= view.target) return { kind: "remove-learner", id: l.id, name: l.name, reason: `not needed: ${view.voters.length} voters, ${view.target} wanted` };
  if (l.name === "" || !view.healthy.has(l.id)) return { kind: "wait", reason: `learner ${label(l)} is starting or catching up` };
  return { kind: "promote", id: l.id, name: l.name };
}

/**
 * Rule 6: grow one member at a time, each as a learner first (RC "add a new
 * member as learner": a learner does not count towards quorum, so a slow or
 * failed join cannot stall writes as a plain voter added to a one-member
 * cluster does). 1→3 therefore goes 1 → 1+learner → 2 → 2+learner → 3.
 * Shrink one member at a time too (RC: 5→3 is two removals), followers
 * before the leader, newest first; every voter is healthy by now.
 */
function resize(view: View): MembershipStep {
  const n = view.voters.length;
  if (n === view.target) return { kind: "none" };
  if (n < view.target) return { kind: "add-learner", name: freshName(view.input), reason: `scale up to ${view.target}: ${n} voters` };
  const leaving = view.voters.filter((v) => v.id !== view.input.leaderId).at(-1) ?? view.voters.at(-1);
  if (leaving === undefined) return { kind: "none" };
  return handOverOrRemove(view, leaving, `scale down to ${view.target}: ${n} voters`);
}

/**
 * Never remove the leader without handing over first: etcd would step it
 * down only after committing its own removal, an election the cluster can
 * avoid (RC; server.go MoveLeader, which the caller's result can check,
 * unlike the best-effort transfer on shutdown).
 */
function handOverOrRemove(view: View, v: EtcdMember, reason: string): MembershipStep {
  if (v.id !== view.input.leaderId) return { kind: "remove", id: v.id, name: v.name, reason };
  // Leadership only goes to a healthy voter (learners are refused: ErrBadLeaderTransferee).
  const to = view.voters.find((o) => o.id !== v.id && view.healthy.has(o.id) && !view.lost.has(o.name));
  if (to === undefined) return { kind: "wait", reason: `${v.name} leads and no healthy voter can take over` };
  return { kind: "move-leader", fromId: v.id, toId: to.id, reason: `${v.name} leads and is leaving: ${reason}` };
}

/** Why removing v would lose quorum, or undefined when it is safe. */
function removalBreaksQuorum(view: View, v: EtcdMember): string | undefined {
  const n = view.voters.length;
  const healthyVoters = view.voters.filter((o) => view.healthy.has(o.id)).length;
  const healthyLeft = healthyVoters - (view.healthy.has(v.id) ? 1 : 0);
  if (n - 1 < 1) return "it is the only voter";
  if (healthyVoters < quorum(n)) return `only ${healthyVoters} of ${n} voters are healthy, below the ${quorum(n)} that must commit the change`;
  if (healthyLeft < quorum(n - 1)) return `only ${healthyLeft} healthy voters would be left of ${n - 1}, below quorum ${quorum(n - 1)}`;
  return undefined;
}

/**
 * A member name never used in this cluster: m<N> with N above every m<N>
 * seen (members, processes, lost and used names). etcd refuses a removed
 * member's identity, and a new name also means a new data directory.
 */
export function freshName(input: Pick<MembershipInput, "members" | "processes" | "lost" | "usedNames">): string {
  const names = [...input.members.map((m) => m.name), ...input.processes, ...(input.lost ?? []), ...(input.usedNames ?? [])];
  const highest = Math.max(-1, ...names.map((n) => /^m(\d+)$/.exec(n)?.[1]).filter((d) => d !== undefined).map(Number));
  return `m${highest + 1}`;
}
