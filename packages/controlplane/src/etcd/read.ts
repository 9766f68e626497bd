import type { EtcdAlarm, EtcdMember, EtcdStatus } from "./types.ts";

/*
 * Typed views of etcdctl's JSON (after parseEtcdJSON turned IDs into hex).
 * Go's encoding/json of etcd's gogoproto structs leaves out every zero value
 * (omitempty): isLearner is missing on voters, errors when there are none,
 * leader when there is none, name and clientURLs on a member not yet started.
 */

type Record_ = Readonly<Record<string, unknown>>;

function object(value: unknown, what: string): Record_ {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`unexpected etcdctl output: ${what} is not an object`);
  return value as Record_;
}

function text(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function count(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function id(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new Error(`unexpected etcdctl output: ${what} has no ID`);
  return value;
}

/** One member of `member list` / `member add` output. */
export function readMember(value: unknown): EtcdMember {
  const m = object(value, "member");
  return { id: id(m.ID, "member"), name: text(m.name), peerURLs: strings(m.peerURLs), clientURLs: strings(m.clientURLs), isLearner: m.isLearner === true };
}

/** The `members` of `member list` / `member add` output. */
export function readMembers(value: unknown): EtcdMember[] {
  const members = object(value, "member list").members;
  return Array.isArray(members) ? members.map(readMember) : [];
}

/** One entry of `endpoint status -w json`. */
export function readStatus(value: unknown): EtcdStatus {
  const entry = object(value, "endpoint status");
  const s = object(entry.Status, "endpoint status .Status");
  const header = object(s.header, "endpoint status .Status.header");
  const memberId = id(header.member_id, "endpoint status header");
  const leaderId = typeof s.leader === "string" ? s.leader : undefined;
  return {
    endpoint: text(entry.Endpoint),
    memberId,
    leaderId,
    isLeader: leaderId === memberId,
    isLearner: s.isLearner === true,
    version: text(s.version),
    raftTerm: count(s.raftTerm),
    raftIndex: count(s.raftIndex),
    raftAppliedIndex: count(s.raftAppliedIndex),
    revision: count(header.revision),
    dbSize: count(s.dbSize),
    dbSizeInUse: count(s.dbSizeInUse),
    dbSizeQuota: count(s.dbSizeQuota),
    errors: strings(s.errors),
  };
}

// AlarmType is a protobuf enum printed as its number (rpc.pb.go: 1 NOSPACE, 2 CORRUPT).
const alarmNames: Readonly<Record<number, EtcdAlarm["alarm"]>> = { 1: "NOSPACE", 2: "CORRUPT" };

/** `alarm list -w json`. */
export function readAlarms(value: unknown): EtcdAlarm[] {
  const alarms = object(value, "alarm list").alarms;
  if (!Array.isArray(alarms)) return [];
  return alarms.map((a) => {
    const alarm = object(a, "alarm");
    return { memberId: id(alarm.memberID, "alarm"), alarm: alarmNames[count(alarm.alarm)] ?? "unknown" };
  });
}
