import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdctlError } from "./etcdctl.ts";
import { planMembership, type MembershipInput, type MembershipStep, type VoterCount } from "./membership.ts";
import { TestEtcdCluster } from "./test-cluster.ts";
import type { EtcdMember } from "./types.ts";

// Real etcd members on loopback, resized and healed only by executing
// planMembership's steps with Etcdctl, the way the local driver will.
describe("Etcdctl and planMembership against real etcd members", () => {
  let cluster: TestEtcdCluster;
  const usedNames: string[] = [];
  const written = new Map<string, string>();
  let writes = 0;

  beforeAll(async () => {
    cluster = await TestEtcdCluster.create();
    const reserved = await cluster.reserve();
    await cluster.start("m0", reserved, `m0=${reserved.peerURL}`, "new");
    usedNames.push("m0");
  });

  afterAll(async () => {
    await cluster.stopAll();
  });

  /** The test member (by name) that an etcd member is, matched by peer URL: a learner has no name before it starts. */
  const nameOf = (m: EtcdMember): string | undefined => [...cluster.members.values()].find((t) => m.peerURLs.includes(t.peerURL))?.name;

  async function observe(desiredVoters: VoterCount, lost: readonly string[]): Promise<{ input: MembershipInput; voterEndpoints: string[] }> {
    cluster.assertRunning();
    const members = await cluster.etcdctl.memberList(cluster.endpoints());
    const healthy: string[] = [];
    for (const m of members) {
      const name = nameOf(m);
      if (name !== undefined && (await cluster.healthy(name))) healthy.push(m.id);
    }
    const voterEndpoints = members.filter((m) => !m.isLearner && healthy.includes(m.id)).flatMap((m) => m.clientURLs);
    const statuses = await Promise.all(voterEndpoints.map((e) => cluster.etcdctl.status(e).catch(() => undefined)));
    const leaderId = statuses.find((s) => s?.leaderId !== undefined)?.leaderId;
    return { input: { members, healthy, leaderId, desiredVoters, lost, processes: [...cluster.members.keys()], usedNames }, voterEndpoints };
  }

  /** Writes a new key, and reads back every key written so far through a linearizable get. */
  async function writeAndCheck(endpoints: readonly string[]): Promise<void> {
    const key = `/seedbed/test/${String(++writes)}`;
    await cluster.put(endpoints, key, `value-${String(writes)}`);
    written.set(key, `value-${String(writes)}`);
    for (const [k, value] of written) expect(await cluster.get(endpoints, k), `${k} after ${String(writes)} writes`).toBe(value);
  }

  async function execute(step: MembershipStep, members: readonly EtcdMember[], endpoints: string[]): Promise<void> {
    switch (step.kind) {
      case "add-learner": {
        const reserved = await cluster.reserve();
        const added = await cluster.etcdctl.addLearner(endpoints, step.name, reserved.peerURL);
        usedNames.push(step.name);
        await cluster.start(step.name, reserved, added.initialCluster, "existing");
        return;
      }
      case "promote":
        if ((await cluster.etcdctl.promote(endpoints, step.id)) === "not-ready") await sleep(300);
        return;
      case "move-leader":
        await cluster.etcdctl.moveLeader(endpoints, step.toId);
        return;
      case "remove":
      case "remove-learner": {
        const leaving = members.find((m) => m.id === step.id);
        const others = endpoints.filter((e) => !(leaving?.clientURLs.includes(e) ?? false));
        expect(await cluster.etcdctl.remove(others, step.id)).toBe("removed");
        const name = leaving === undefined ? undefined : nameOf(leaving);
        const dataDir = name === undefined ? undefined : cluster.members.get(name)?.dataDir;
        if (name !== undefined) await cluster.stop(name);
        if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
        return;
      }
      case "none":
      case "wait":
        return;
    }
  }

  /** Plans and executes until the planner says "none"; returns the steps taken (waits left out). */
  async function converge(desiredVoters: VoterCount, lost: readonly string[] = []): Promise<string[]> {
    const taken: string[] = [];
    const deadline = Date.now() + 40_000;
    let last = "";
    while (Date.now() < deadline) {
      const { input, voterEndpoints } = await observe(desiredVoters, lost);
      const step = planMembership(input);
      if (step.kind === "none") return taken;
      last = JSON.stringify(step);
      if (step.kind === "wait") {
        await sleep(250);
        continue;
      }
      await writeAndCheck(voterEndpoints);
      try {
        await execute(step, input.members, voterEndpoints);
      } catch (error) {
        // etcd may refuse for a moment (a peer not yet seen as down, a leader election): plan again.
        if (!(error instanceof EtcdctlError)) throw error;
        last = `${last}: ${error.message}`;
        await sleep(500);
        continue;
      }
      const label = describe_(step, input.members);
      if (taken.at(-1) !== label) taken.push(label);
      const after = await observe(desiredVoters, lost);
      if (after.voterEndpoints.length > 0) await writeAndCheck(after.voterEndpoints);
    }
    throw new Error(`no convergence to ${String(desiredVoters)} voters within 40 s; last step ${last}\n${[...cluster.members.keys()].map((n) => `${n}:\n${cluster.log(n)}`).join("\n")}`);
  }

  /** "promote m3", "move-leader <id>": the step as the assertions name it. */
  function describe_(step: Exclude<MembershipStep, { kind: "none" | "wait" }>, members: readonly EtcdMember[]): string {
    if (step.kind === "move-leader") return `move-leader ${step.toId}`;
    const member = members.find((m) => "id" in step && m.id === step.id);
    return `${step.kind} ${step.name !== "" ? step.name : ((member && nameOf(member)) ?? "?")}`;
  }

  async function voters(): Promise<EtcdMember[]> {
    return (await cluster.etcdctl.memberList(cluster.endpoints())).filter((m) => !m.isLearner);
  }

  it("grows 1 → 3 → 5 one learner at a time", async () => {
    expect(await converge(3)).toEqual(["add-learner m1", "promote m1", "add-learner m2", "promote m2"]);
    expect((await voters()).map((m) => m.name).sort()).toEqual(["m0", "m1", "m2"]);
    expect(await converge(5)).toEqual(["add-learner m3", "promote m3", "add-learner m4", "promote m4"]);
    expect((await voters()).map((m) => m.name).sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  });

  it("shrinks 5 → 3, never removing the leader", async () => {
    const leaderBefore = (await cluster.etcdctl.status(cluster.endpoints()[0] ?? "")).leaderId;
    const steps = await converge(3);
    expect(steps).toHaveLength(2);
    expect(steps.every((s) => s.startsWith("remove "))).toBe(true);
    const left = await voters();
    expect(left).toHaveLength(3);
    expect(left.map((m) => m.id)).toContain(leaderBefore);
  });

  it("replaces a stopped member whose data directory was deleted", async () => {
    const status = await cluster.etcdctl.status(cluster.endpoints()[0] ?? "");
    const follower = (await voters()).find((m) => m.id !== status.leaderId);
    if (follower === undefined) throw new Error("no follower");
    const dataDir = cluster.members.get(follower.name)?.dataDir ?? "";
    await cluster.stop(follower.name);
    rmSync(dataDir, { recursive: true, force: true });
    const fresh = `m${String(usedNames.length)}`;
    expect(await converge(3, [follower.name])).toEqual([`remove ${follower.name}`, `add-learner ${fresh}`, `promote ${fresh}`]);
    const names = (await voters()).map((m) => m.name);
    expect(names).not.toContain(follower.name);
    expect(names).toContain(fresh);
  });

  it("replaces a leader whose data is known corrupt, moving leadership first", async () => {
    // Still running and leading: the caller found its data corrupt (say a
    // CORRUPT alarm). Deleting a running member's data directory instead
    // makes etcd exit within seconds (it fails to purge its WAL), which is the
    // stopped-member case above.
    const status = await cluster.etcdctl.status(cluster.endpoints()[0] ?? "");
    const leader = (await voters()).find((m) => m.id === status.leaderId);
    if (leader === undefined) throw new Error("no leader");
    const steps = await converge(3, [leader.name]);
    expect(steps[0]).toMatch(/^move-leader /);
    expect(steps.slice(1, 2)).toEqual([`remove ${leader.name}`]);
    expect(steps.slice(2).map((s) => s.split(" ")[0])).toEqual(["add-learner", "promote"]);
    expect((await voters()).map((m) => m.name)).not.toContain(leader.name);
  });

  it("shrinks 3 → 1, and the data written all along is still there", async () => {
    expect(await converge(1)).toHaveLength(2);
    const [last] = await voters();
    expect(last).toBeDefined();
    expect(await cluster.etcdctl.alarms(cluster.endpoints())).toEqual([]);
    await cluster.etcdctl.defragment(last?.clientURLs[0] ?? "");
    for (const [key, value] of written) expect(await cluster.get(cluster.endpoints(), key)).toBe(value);
    expect(written.size).toBeGreaterThan(20);
  });
});
