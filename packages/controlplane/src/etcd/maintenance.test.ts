import { describe, expect, it } from "vitest";
import { describeMaintenance, emptyMaintenanceMemory, maintenanceMember, rememberMaintenance } from "./maintenance-run.ts";
import { defaultMaintenancePolicy, formatBytes, planMaintenance, type MaintenanceInput, type MaintenanceMember, type MaintenanceStep, type MemberSpace } from "./maintenance.ts";
import type { EtcdAlarm } from "./types.ts";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const now = 10_000_000_000;
const hour = 3_600_000;

/** A member on m<n>, m0 the leader unless told otherwise; sizes in MiB, quota 2 GiB. */
function member(name: string, size: number, inUse: number, extra: { leader?: boolean; learner?: boolean; healthy?: boolean; silent?: boolean; defragged?: number; quota?: number; revision?: number } = {}): MaintenanceMember {
  const status: MemberSpace = {
    memberId: `a${name.slice(1)}`,
    isLeader: extra.leader ?? name === "m0",
    isLearner: extra.learner ?? false,
    revision: extra.revision ?? 5000,
    dbSize: size * MiB,
    dbSizeInUse: inUse * MiB,
    dbSizeQuota: extra.quota ?? 2 * GiB,
  };
  return {
    name,
    endpoint: `https://127.0.0.1:2${name.slice(1)}379`,
    healthy: extra.healthy ?? true,
    status: extra.silent === true ? undefined : status,
    ...(extra.defragged === undefined ? {} : { lastDefragmentedAt: extra.defragged }),
  };
}

const compacted = { revision: 5000, at: now - 60_000 };
const nospace: EtcdAlarm = { memberId: "a1", alarm: "NOSPACE" };
const corrupt: EtcdAlarm = { memberId: "a2", alarm: "CORRUPT" };

function input(members: readonly MaintenanceMember[], extra: Partial<MaintenanceInput> = {}): MaintenanceInput {
  return { members, alarms: [], now, ...extra };
}

type Want = { kind: MaintenanceStep["kind"]; member?: string; revision?: number; reason?: RegExp };

describe("planMaintenance", () => {
  const table: { name: string; in: MaintenanceInput; want: Want }[] = [
    // routine: no alarm
    { name: "does nothing while the files are mostly in use", in: input([member("m0", 300, 250), member("m1", 300, 250), member("m2", 300, 250)]), want: { kind: "none" } },
    { name: "defragments a follower once half its file is free", in: input([member("m0", 400, 150), member("m1", 400, 150), member("m2", 400, 150)]), want: { kind: "defragment", member: "m1", reason: /^defragmenting m1: 250 MiB of 400 MiB free$/ } },
    { name: "takes the next follower, not the leader, once one is done", in: input([member("m0", 400, 150), member("m1", 151, 150, { defragged: now - 1000 }), member("m2", 400, 150)]), want: { kind: "defragment", member: "m2" } },
    { name: "takes the leader last", in: input([member("m0", 400, 150), member("m1", 151, 150, { defragged: now - 2000 }), member("m2", 151, 150, { defragged: now - 1000 })]), want: { kind: "defragment", member: "m0" } },
    { name: "takes a learner before the followers", in: input([member("m0", 400, 150), member("m1", 400, 150), member("m3", 400, 150, { learner: true })]), want: { kind: "defragment", member: "m3" } },
    { name: "takes the leader when it is the only member", in: input([member("m0", 400, 100)]), want: { kind: "defragment", member: "m0" } },
    { name: "leaves small free space alone even at a high ratio", in: input([member("m0", 60, 10), member("m1", 60, 10)]), want: { kind: "none" } },
    { name: "leaves a member defragmented within the interval", in: input([member("m0", 300, 300), member("m1", 400, 100, { defragged: now - hour / 2 })]), want: { kind: "none" } },
    { name: "takes it again once the interval is over", in: input([member("m0", 300, 300), member("m1", 400, 100, { defragged: now - 2 * hour })]), want: { kind: "defragment", member: "m1" } },
    { name: "defragments near the quota below the free ratio", in: input([member("m0", 1700, 1300), member("m1", 1000, 1000)]), want: { kind: "defragment", member: "m0" } },
    { name: "waits while a member is not healthy", in: input([member("m0", 400, 100), member("m1", 400, 100), member("m2", 400, 100, { healthy: false })]), want: { kind: "wait", reason: /defragmenting m1 waits until every member is healthy \(m2 is not\)/ } },
    { name: "waits while a member does not answer status", in: input([member("m0", 400, 100), member("m1", 400, 100), member("m2", 0, 0, { silent: true })]), want: { kind: "wait", reason: /m2 is not/ } },
    { name: "does nothing, even with a member down, when nothing is due", in: input([member("m0", 300, 300), member("m1", 300, 300, { healthy: false })]), want: { kind: "none" } },
    { name: "follows a policy for small test clusters", in: input([member("m0", 12, 2), member("m1", 12, 2)], { policy: { ...defaultMaintenancePolicy, minFreeBytes: MiB } }), want: { kind: "defragment", member: "m1" } },
    // NOSPACE: compact → defragment (followers first) → disarm
    { name: "compacts first under NOSPACE when the data in use fills the quota", in: input([member("m0", 2048, 2040), member("m1", 2048, 2040), member("m2", 2048, 2040)], { alarms: [nospace] }), want: { kind: "compact", revision: 5000, reason: /compacting the history to revision 5000/ } },
    { name: "compacts to the highest revision any member reports", in: input([member("m0", 2048, 2040, { revision: 7001 }), member("m1", 2048, 2040, { revision: 7000 })], { alarms: [nospace] }), want: { kind: "compact", revision: 7001 } },
    { name: "compacts even with a member down (compaction goes through raft)", in: input([member("m0", 2048, 2040), member("m1", 2048, 2040), member("m2", 0, 0, { silent: true })], { alarms: [nospace] }), want: { kind: "compact" } },
    { name: "defragments after compaction even while in-use looks unchanged (bbolt counts freed pages at the next write)", in: input([member("m0", 2048, 2040), member("m1", 2048, 2040)], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "defragment", member: "m1" } },
    { name: "reports data too large once compaction and defragmentation did not help", in: input([member("m0", 2040, 2040, { defragged: now - 1000 }), member("m1", 2040, 2040, { defragged: now - 2000 })], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "wait", reason: /m0, m1 still 2 GiB after defragmentation, above 1\.6 GiB \(80% of the 2 GiB quota\): delete data or raise the quota/ } },
    { name: "defragments again after a newer compaction", in: input([member("m0", 2040, 2040, { defragged: now - 120_000 }), member("m1", 2040, 2040, { defragged: now - 120_000 })], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "defragment", member: "m1" } },
    { name: "compacts again when deletes moved the revision on", in: input([member("m0", 2048, 2040, { revision: 5100 }), member("m1", 2048, 2040, { revision: 5100 })], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "compact", revision: 5100 } },
    { name: "defragments a follower once compaction freed the space", in: input([member("m0", 2048, 500), member("m1", 2048, 500), member("m2", 2048, 500)], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "defragment", member: "m1", reason: /^NOSPACE: defragmenting m1: 1\.5 GiB of 2 GiB free$/ } },
    { name: "defragments the leader after the followers", in: input([member("m0", 2048, 500), member("m1", 501, 500, { defragged: now }), member("m2", 501, 500, { defragged: now })], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "defragment", member: "m0" } },
    { name: "ignores the routine interval under NOSPACE for a member with space to give", in: input([member("m0", 501, 500), member("m1", 2048, 500, { defragged: now - 1000, leader: false })], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "defragment", member: "m1" } },
    { name: "waits for every member's health before defragmenting under NOSPACE", in: input([member("m0", 2048, 500), member("m1", 2048, 500), member("m2", 2048, 500, { healthy: false })], { alarms: [nospace] }), want: { kind: "wait", reason: /^NOSPACE: defragmenting m1 waits until every member is healthy/ } },
    { name: "disarms once every member is below 80% of the quota", in: input([member("m0", 501, 500), member("m1", 501, 500), member("m2", 501, 500)], { alarms: [nospace], lastCompaction: compacted }), want: { kind: "disarm", reason: /every member is below 1\.6 GiB \(80% of the 2 GiB quota\); disarming/ } },
    { name: "does not disarm while a member's size is unknown", in: input([member("m0", 501, 500), member("m1", 501, 500), member("m2", 0, 0, { silent: true })], { alarms: [nospace] }), want: { kind: "wait", reason: /waiting for the size of m2 before disarming/ } },
    { name: "does not disarm a member just under the quota (it would fire again)", in: input([member("m0", 501, 500), member("m1", 1700, 1638, { defragged: now - 1000 })], { alarms: [nospace], lastCompaction: compacted, policy: { ...defaultMaintenancePolicy, minFreeBytes: 100 * MiB } }), want: { kind: "wait", reason: /m1 still 1\.7 GiB after defragmentation/ } },
    // CORRUPT is never disarmed
    { name: "never disarms CORRUPT, and does no maintenance meanwhile", in: input([member("m0", 400, 100), member("m1", 400, 100), member("m2", 400, 100)], { alarms: [corrupt] }), want: { kind: "wait", reason: /CORRUPT on m2: Seedbed never disarms it; the member must be replaced/ } },
    { name: "does not disarm NOSPACE while CORRUPT is raised (disarm clears both)", in: input([member("m0", 501, 500), member("m1", 501, 500), member("m2", 501, 500)], { alarms: [nospace, corrupt], lastCompaction: compacted }), want: { kind: "wait", reason: /CORRUPT on m2/ } },
    { name: "names an alarm of an unknown member by its ID", in: input([member("m0", 300, 300)], { alarms: [{ memberId: "ff", alarm: "unknown" }] }), want: { kind: "wait", reason: /unknown on member ff/ } },
  ];

  for (const c of table) {
    it(c.name, () => {
      const step = planMaintenance(c.in);
      const { reason, ...rest } = c.want;
      expect(step).toMatchObject(rest);
      if (reason !== undefined) expect("reason" in step ? step.reason : "").toMatch(reason);
      if (step.kind === "defragment") expect(step.endpoint).toBe(c.in.members.find((m) => m.name === step.member)?.endpoint);
    });
  }

  it("refuses a policy out of range, naming the field", () => {
    expect(() => planMaintenance(input([], { policy: { ...defaultMaintenancePolicy, highWaterRatio: 1.5 } }))).toThrow(/highWaterRatio must be in \(0, 1\]/);
    expect(() => planMaintenance(input([], { policy: { ...defaultMaintenancePolicy, minFreeBytes: -1 } }))).toThrow(/minFreeBytes must be 0 or more/);
  });
});

describe("the maintenance memory and messages", () => {
  it("remembers defragmentations per member and the highest compaction", () => {
    let memory = rememberMaintenance(emptyMaintenanceMemory, { kind: "defragmented", member: "m1", dbSizeBefore: 10, dbSizeAfter: 5 }, 42);
    memory = rememberMaintenance(memory, { kind: "compacted", revision: 90, already: false }, 43);
    memory = rememberMaintenance(memory, { kind: "compacted", revision: 80, already: true }, 44);
    memory = rememberMaintenance(memory, { kind: "nothing" }, 45);
    expect(memory).toEqual({ defragmentedAt: { m1: 42 }, lastCompaction: { revision: 90, at: 44 } });
    expect(maintenanceMember("m1", "e", true, undefined, memory)).toEqual({ name: "m1", endpoint: "e", healthy: true, status: undefined, lastDefragmentedAt: 42 });
    expect(maintenanceMember("m2", "e", true, undefined, memory)).not.toHaveProperty("lastDefragmentedAt");
  });

  it("says what runs, and under NOSPACE that writes are refused", () => {
    const calm = input([member("m0", 400, 150), member("m1", 200, 80)]);
    expect(describeMaintenance(calm, planMaintenance(calm))).toBe("defragmenting m1: 120 MiB of 200 MiB free");
    const full = input([member("m0", 2048, 500), member("m1", 2048, 500)], { alarms: [nospace], lastCompaction: compacted });
    expect(describeMaintenance(full, planMaintenance(full))).toBe("NOSPACE: etcd is over its 2 GiB quota, writes refused until it is below; defragmenting m1: 1.5 GiB of 2 GiB free");
    expect(describeMaintenance(calm, { kind: "none" })).toBeUndefined();
  });

  it("formats sizes the way etcdctl's table does", () => {
    expect([0, 512, 1536, 120 * MiB, 1.5 * GiB, 8 * GiB].map(formatBytes)).toEqual(["0 B", "512 B", "1.5 KiB", "120 MiB", "1.5 GiB", "8 GiB"]);
  });
});
