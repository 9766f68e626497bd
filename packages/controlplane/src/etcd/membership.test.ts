import { describe, expect, it } from "vitest";
import { freshName, planMembership, quorum, type MembershipInput, type MembershipStep, type VoterCount } from "./membership.ts";
import type { EtcdMember } from "./types.ts";

// IDs derived from names, so tables stay readable: m0 → "a0", m3 → "a3".
const idOf = (name: string): string => `a${name.slice(1)}`;
const voter = (name: string): EtcdMember => ({ id: idOf(name), name, peerURLs: [`https://127.0.0.1:2${name.slice(1)}380`], clientURLs: [`https://127.0.0.1:2${name.slice(1)}379`], isLearner: false });
const learner = (name: string): EtcdMember => ({ ...voter(name), isLearner: true });
const unstarted = (id: string): EtcdMember => ({ id, name: "", peerURLs: ["https://127.0.0.1:29380"], clientURLs: [], isLearner: true });

/** A cluster where every listed member runs and is healthy unless told otherwise. */
function input(members: readonly EtcdMember[], desiredVoters: VoterCount, extra: Partial<MembershipInput> & { unhealthy?: readonly string[] } = {}): MembershipInput {
  const unhealthy = new Set(extra.unhealthy ?? []);
  return {
    members,
    healthy: members.filter((m) => m.name !== "" && !unhealthy.has(m.name)).map((m) => m.id),
    leaderId: idOf("m0"),
    desiredVoters,
    processes: members.map((m) => m.name).filter((n) => n !== ""),
    ...extra,
  };
}

const v = (...names: string[]): EtcdMember[] => names.map(voter);

describe("planMembership", () => {
  const table: { name: string; in: MembershipInput; want: Partial<MembershipStep> & { kind: MembershipStep["kind"] } }[] = [
    { name: "does nothing when one voter is wanted and one runs", in: input(v("m0"), 1), want: { kind: "none" } },
    { name: "does nothing when three healthy voters are wanted and run", in: input(v("m0", "m1", "m2"), 3), want: { kind: "none" } },
    // grow 1 → 3 → 5, one learner at a time
    { name: "grows 1 → 3 by adding a learner first, never a voter", in: input(v("m0"), 3), want: { kind: "add-learner", name: "m1" } },
    { name: "waits while the new learner has not started", in: input([...v("m0"), unstarted("ff")], 3), want: { kind: "wait" } },
    { name: "waits while the learner runs but does not answer yet", in: input([...v("m0"), learner("m1")], 3, { unhealthy: ["m1"] }), want: { kind: "wait" } },
    { name: "promotes the learner once it serves", in: input([...v("m0"), learner("m1")], 3), want: { kind: "promote", id: "a1", name: "m1" } },
    { name: "adds the third member only after the second votes (1 → 2 → 3)", in: input(v("m0", "m1"), 3), want: { kind: "add-learner", name: "m2" } },
    { name: "grows 3 → 5 one learner at a time", in: input(v("m0", "m1", "m2"), 5), want: { kind: "add-learner", name: "m3" } },
    { name: "promotes the fourth member", in: input([...v("m0", "m1", "m2"), learner("m3")], 5), want: { kind: "promote", id: "a3" } },
    { name: "adds the fifth member", in: input(v("m0", "m1", "m2", "m3"), 5), want: { kind: "add-learner", name: "m4" } },
    // shrink 5 → 3 → 1
    { name: "shrinks 5 → 3 by removing the newest follower", in: input(v("m0", "m1", "m2", "m3", "m4"), 3), want: { kind: "remove", id: "a4" } },
    { name: "shrinks 4 → 3 next", in: input(v("m0", "m1", "m2", "m3"), 3), want: { kind: "remove", id: "a3" } },
    { name: "never picks the leader when shrinking", in: input(v("m0", "m1", "m2"), 1, { leaderId: "a2" }), want: { kind: "remove", id: "a1" } },
    { name: "shrinks 2 → 1 by removing the follower", in: input(v("m0", "m1"), 1, { leaderId: "a1" }), want: { kind: "remove", id: "a0" } },
    { name: "removes an unhealthy voter first when shrinking", in: input(v("m0", "m1", "m2", "m3"), 3, { unhealthy: ["m1"] }), want: { kind: "remove", id: "a1" } },
    { name: "removes an unhealthy voter of three when shrinking to one (two healthy keep quorum)", in: input(v("m0", "m1", "m2"), 1, { unhealthy: ["m1"] }), want: { kind: "remove", id: "a1" } },
    { name: "does not shrink 2 → 1 while one of the two is down (the change cannot commit)", in: input(v("m0", "m1"), 1, { unhealthy: ["m1"] }), want: { kind: "wait" } },
    { name: "removes a learner no longer wanted", in: input([...v("m0", "m1", "m2"), learner("m3")], 3), want: { kind: "remove-learner", id: "a3" } },
    // replace a lost member of three
    { name: "removes a lost, stopped member of three first", in: input(v("m0", "m1", "m2"), 3, { lost: ["m2"], unhealthy: ["m2"], processes: ["m0", "m1"] }), want: { kind: "remove", id: "a2" } },
    { name: "then adds a learner under a new name", in: input(v("m0", "m1"), 3, { lost: ["m2"] }), want: { kind: "add-learner", name: "m3" } },
    { name: "moves leadership off a lost member that still leads", in: input(v("m0", "m1", "m2"), 3, { lost: ["m0"] }), want: { kind: "move-leader", fromId: "a0", toId: "a1" } },
    { name: "does not replace when the other voters lack quorum without it", in: input(v("m0", "m1", "m2"), 3, { lost: ["m2"], unhealthy: ["m1", "m2"] }), want: { kind: "wait" } },
    { name: "waits for disaster recovery when the only voter is lost and down", in: input(v("m0"), 1, { lost: ["m0"], unhealthy: ["m0"], leaderId: "a0" }), want: { kind: "wait" } },
    { name: "grows first when the only voter is lost but still serves", in: input(v("m0"), 1, { lost: ["m0"] }), want: { kind: "add-learner", name: "m1" } },
    { name: "promotes that replacement although one voter is wanted", in: input([...v("m0"), learner("m1")], 1, { lost: ["m0"] }), want: { kind: "promote", id: "a1" } },
    { name: "then moves leadership to the replacement", in: input(v("m0", "m1"), 1, { lost: ["m0"] }), want: { kind: "move-leader", toId: "a1" } },
    { name: "then removes the lost voter", in: input(v("m0", "m1"), 1, { lost: ["m0"], leaderId: "a1" }), want: { kind: "remove", id: "a0" } },
    // stale learners
    { name: "removes a learner the caller gave up on", in: input([...v("m0"), unstarted("ff")], 3, { staleLearners: ["ff"] }), want: { kind: "remove-learner", id: "ff" } },
    { name: "removes a started learner that has no process", in: input([...v("m0"), learner("m1")], 3, { processes: ["m0"] }), want: { kind: "remove-learner", id: "a1" } },
    { name: "removes a learner whose data is lost", in: input([...v("m0"), learner("m1")], 3, { lost: ["m1"] }), want: { kind: "remove-learner", id: "a1" } },
    { name: "removes the unhealthy one of two learners", in: input([...v("m0"), learner("m1"), learner("m2")], 3, { unhealthy: ["m1"] }), want: { kind: "remove-learner", id: "a1" } },
    // leader and health
    { name: "waits without a leader", in: input(v("m0", "m1", "m2"), 5, { leaderId: undefined }), want: { kind: "wait" } },
    { name: "waits when the leader is not a listed voter", in: input(v("m0", "m1", "m2"), 5, { leaderId: "99" }), want: { kind: "wait" } },
    { name: "waits instead of growing while a voter is unhealthy", in: input(v("m0", "m1", "m2"), 5, { unhealthy: ["m2"] }), want: { kind: "wait" } },
    { name: "waits instead of promoting while a voter is unhealthy", in: input([...v("m0", "m1", "m2"), learner("m3")], 5, { unhealthy: ["m1"] }), want: { kind: "wait" } },
    { name: "waits when two of five voters are down", in: input(v("m0", "m1", "m2", "m3", "m4"), 5, { unhealthy: ["m3", "m4"] }), want: { kind: "wait" } },
    { name: "waits when nothing was observed", in: input([], 3), want: { kind: "wait" } },
  ];

  it.each(table)("$name", ({ in: given, want }) => {
    expect(planMembership(given)).toMatchObject(want);
  });

  it("says which voter has no process when it waits", () => {
    const step = planMembership(input(v("m0", "m1", "m2"), 3, { unhealthy: ["m2"], processes: ["m0", "m1"] }));
    expect(step).toMatchObject({ kind: "wait" });
    expect(step.kind === "wait" ? step.reason : "").toMatch(/m2 is not healthy and has no process/);
  });

  it("refuses a voter count that is not 1, 3 or 5, naming the field", () => {
    expect(() => planMembership(input(v("m0"), 2 as VoterCount))).toThrow(/desiredVoters must be 1, 3 or 5/);
  });
});

describe("planMembership never plans a step that loses quorum", () => {
  // Every cluster of 1–5 voters, every set of unhealthy voters, every
  // healthy leader, every wanted size, with and without a lost member.
  const cases: MembershipInput[] = [];
  for (let n = 1; n <= 5; n++) {
    const names = Array.from({ length: n }, (_, i) => `m${String(i)}`);
    for (let mask = 0; mask < 1 << n; mask++) {
      const unhealthy = names.filter((_, i) => (mask & (1 << i)) !== 0);
      const leaders = names.filter((x) => !unhealthy.includes(x));
      const variants = leaders.flatMap((leader) => ([1, 3, 5] as const).flatMap((desired) => [[], [names[n - 1] ?? "m0"]].map((lost) => ({ leader, desired, lost }))));
      for (const { leader, desired, lost } of variants) cases.push(input(v(...names), desired, { unhealthy, leaderId: idOf(leader), lost }));
    }
  }

  it(`holds for all ${String(cases.length)} observed states`, () => {
    for (const c of cases) {
      const step = planMembership(c);
      const n = c.members.length;
      const healthy = new Set(c.healthy);
      const healthyVoters = c.members.filter((m) => healthy.has(m.id)).length;
      const context = JSON.stringify({ n, healthy: c.healthy, leader: c.leaderId, desired: c.desiredVoters, lost: c.lost, step });
      if (step.kind === "remove") {
        expect(step.id, context).not.toBe(c.leaderId);
        expect(healthyVoters, context).toBeGreaterThanOrEqual(quorum(n));
        expect(healthyVoters - (healthy.has(step.id) ? 1 : 0), context).toBeGreaterThanOrEqual(quorum(n - 1));
      }
      if (step.kind === "add-learner" || step.kind === "promote") expect(healthyVoters, context).toBe(n);
      if (step.kind === "move-leader") expect(healthy.has(step.toId), context).toBe(true);
    }
  });
});

/**
 * A model of etcd's member list that applies steps the way the caller does
 * (a new learner starts and serves at once), so that a whole resize can be
 * followed step by step.
 */
function drive(start: readonly EtcdMember[], desired: VoterCount, options: { lost?: string[]; leader?: string } = {}): string[] {
  let members = [...start];
  let leaderId = options.leader ?? idOf("m0");
  let lost = options.lost ?? [];
  const used = members.map((m) => m.name);
  const steps: string[] = [];
  for (let i = 0; i < 20; i++) {
    const step = planMembership({ members, healthy: members.map((m) => m.id), leaderId, desiredVoters: desired, lost, processes: members.map((m) => m.name), usedNames: used });
    if (step.kind === "none") return steps;
    if (step.kind === "wait") throw new Error(`unexpected wait: ${step.reason}`);
    const target = "name" in step ? step.name : step.toId;
    steps.push(`${step.kind} ${target}`);
    if (step.kind === "add-learner") {
      members.push(learner(step.name));
      used.push(step.name);
    } else if (step.kind === "promote") members = members.map((m) => (m.id === step.id ? { ...m, isLearner: false } : m));
    else if (step.kind === "move-leader") leaderId = step.toId;
    else {
      members = members.filter((m) => m.id !== step.id);
      lost = lost.filter((l) => l !== step.name);
    }
  }
  throw new Error(`no end after 20 steps: ${steps.join(", ")}`);
}

describe("planMembership, followed to the end", () => {
  it("grows 1 → 3 → 5 through one learner at a time", () => {
    expect(drive(v("m0"), 3)).toEqual(["add-learner m1", "promote m1", "add-learner m2", "promote m2"]);
    expect(drive(v("m0", "m1", "m2"), 5)).toEqual(["add-learner m3", "promote m3", "add-learner m4", "promote m4"]);
  });

  it("shrinks 5 → 3 → 1 around the leader", () => {
    expect(drive(v("m0", "m1", "m2", "m3", "m4"), 3, { leader: "a4" })).toEqual(["remove m3", "remove m2"]);
    expect(drive(v("m0", "m1", "m4"), 1, { leader: "a4" })).toEqual(["remove m1", "remove m0"]);
  });

  it("replaces a lost leader of three under a new name", () => {
    expect(drive(v("m0", "m1", "m2"), 3, { lost: ["m0"] })).toEqual(["move-leader a1", "remove m0", "add-learner m3", "promote m3"]);
  });
});

describe("freshName", () => {
  it.each([
    { names: [], want: "m0" },
    { names: ["m0"], want: "m1" },
    { names: ["m0", "m7", "m2"], want: "m8" },
    { names: ["default", "etcd-1"], want: "m0" },
  ])("gives $want after $names", ({ names, want }) => {
    expect(freshName({ members: [], processes: names })).toBe(want);
  });

  it("never reuses a name that is only remembered", () => {
    expect(freshName({ members: v("m0"), processes: ["m0"], lost: ["m3"], usedNames: ["m5"] })).toBe("m6");
  });
});
