/** One member as etcd's MemberList reports it. */
export interface EtcdMember {
  /** The uint64 member ID in lower-case hex, as `etcdctl member list -w table` shows it. */
  readonly id: string;
  /** Empty until the member has started and published its name. */
  readonly name: string;
  readonly peerURLs: readonly string[];
  /** Empty until the member has started. */
  readonly clientURLs: readonly string[];
  /** A non-voting member that is still catching up (added with `member add --learner`). */
  readonly isLearner: boolean;
}

/** What one member says about itself and the cluster (`etcdctl endpoint status`). */
export interface EtcdStatus {
  readonly endpoint: string;
  /** This member's ID (hex). */
  readonly memberId: string;
  /** The leader this member knows of (hex); undefined while it knows none. */
  readonly leaderId: string | undefined;
  readonly isLeader: boolean;
  readonly isLearner: boolean;
  readonly version: string;
  readonly raftTerm: number;
  /** The last raft index this member has in its log. */
  readonly raftIndex: number;
  /** The last raft index this member has applied: caught up once it reaches the leader's raftIndex. */
  readonly raftAppliedIndex: number;
  /** The key-value store's revision this member has applied (header.revision): what a compaction to "now" takes. */
  readonly revision: number;
  /** Size of the backend file, bytes. */
  readonly dbSize: number;
  /** Bytes of the backend file in use; dbSize − dbSizeInUse is what defragmentation gives back. */
  readonly dbSizeInUse: number;
  /** The backend quota in bytes (0 when etcd did not report it). */
  readonly dbSizeQuota: number;
  /** Raised alarms and other errors this member reports, e.g. "memberID:… alarm:NOSPACE". */
  readonly errors: readonly string[];
}

/** An alarm raised on a member: NOSPACE (over the backend quota) or CORRUPT (hash mismatch). */
export interface EtcdAlarm {
  /** The member that raised it (hex). */
  readonly memberId: string;
  readonly alarm: "NOSPACE" | "CORRUPT" | "unknown";
}

/** A learner just added, and how its process must start. */
export interface AddedLearner {
  readonly member: EtcdMember;
  /** Every member after the add, the new one included (its name still empty). */
  readonly members: readonly EtcdMember[];
  /** The `--initial-cluster` the new member starts with, with `--initial-cluster-state=existing` and an empty data dir. */
  readonly initialCluster: string;
}
