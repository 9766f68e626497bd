import { describe, expect, it } from "vitest";
import { initialClusterFor } from "./initial-cluster.ts";
import { hexID, parseEtcdJSON } from "./json.ts";
import { readAlarms, readMembers, readStatus } from "./read.ts";

// Shapes as etcdctl 3.6 prints them with -w json: IDs are uint64 numbers, zero values left out.
const memberList = `{"header":{"cluster_id":17237436991929493444,"member_id":9372538179322589801,"raft_term":3},"members":[{"ID":9372538179322589801,"name":"m0","peerURLs":["https://127.0.0.1:2380"],"clientURLs":["https://127.0.0.1:2379"]},{"ID":1,"peerURLs":["https://127.0.0.1:2480"],"isLearner":true}]}`;

describe("parseEtcdJSON and the readers", () => {
  it("keeps uint64 member IDs exact, as lower-case hex", () => {
    const members = readMembers(parseEtcdJSON(memberList));
    // 9372538179322589801 is above 2^53: JSON.parse alone would round it to …800.
    expect(members.map((m) => m.id)).toEqual([(9372538179322589801n).toString(16), "1"]);
    expect(members[0]).toMatchObject({ name: "m0", isLearner: false, clientURLs: ["https://127.0.0.1:2379"] });
    expect(members[1]).toMatchObject({ name: "", isLearner: true, clientURLs: [] });
  });

  it("reads endpoint status, leader and sizes", () => {
    const status = readStatus((parseEtcdJSON(`[{"Endpoint":"https://127.0.0.1:2379","Status":{"header":{"cluster_id":17237436991929493444,"member_id":9372538179322589801,"revision":5,"raft_term":2},"version":"3.6.16","dbSize":36864,"leader":9372538179322589801,"raftIndex":9,"raftTerm":2,"raftAppliedIndex":9,"errors":["memberID:1 alarm:NOSPACE"],"dbSizeInUse":24576,"dbSizeQuota":8589934592}}]`) as unknown[])[0]);
    expect(status).toMatchObject({ memberId: "8211f1d0f64f3269", leaderId: "8211f1d0f64f3269", isLeader: true, isLearner: false, raftIndex: 9, raftAppliedIndex: 9, revision: 5, dbSize: 36864, dbSizeInUse: 24576, errors: ["memberID:1 alarm:NOSPACE"] });
  });

  it("reads a follower without a known leader", () => {
    const status = readStatus((parseEtcdJSON(`[{"Endpoint":"e","Status":{"header":{"member_id":2},"isLearner":true}}]`) as unknown[])[0]);
    expect(status).toMatchObject({ memberId: "2", leaderId: undefined, isLeader: false, isLearner: true, errors: [] });
  });

  it("names alarms from their enum numbers", () => {
    expect(readAlarms(parseEtcdJSON(`{"header":{},"alarms":[{"memberID":9372538179322589801,"alarm":1},{"memberID":2,"alarm":2},{"memberID":3,"alarm":7}]}`))).toEqual([
      { memberId: "8211f1d0f64f3269", alarm: "NOSPACE" },
      { memberId: "2", alarm: "CORRUPT" },
      { memberId: "3", alarm: "unknown" },
    ]);
    expect(readAlarms(parseEtcdJSON(`{"header":{}}`))).toEqual([]);
  });

  it("refuses an ID that is not lower-case hex, naming the field", () => {
    expect(() => hexID("12345678901234567890", "toId")).toThrow(/toId must be an etcd member ID in lower-case hex/);
    expect(() => hexID("ABC")).toThrow(/id must be/);
    expect(hexID("8211dfc45b1d69")).toBe("8211dfc45b1d69");
  });
});

describe("initialClusterFor", () => {
  const members = readMembers(parseEtcdJSON(memberList));

  it("lists every member, the joining one under its new name, in a stable order", () => {
    expect(initialClusterFor(members, { id: "1", name: "m1" })).toBe("m0=https://127.0.0.1:2380,m1=https://127.0.0.1:2480");
    expect(initialClusterFor([...members].reverse(), { id: "1", name: "m1" })).toBe("m0=https://127.0.0.1:2380,m1=https://127.0.0.1:2480");
  });

  it("refuses a member that was not added", () => {
    expect(() => initialClusterFor(members, { id: "99", name: "m9" })).toThrow(/not in the member list/);
  });
});
