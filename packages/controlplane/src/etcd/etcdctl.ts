import { execFile } from "node:child_process";
import { binaryPath } from "@seedbed/binaries";
import { initialClusterFor } from "./initial-cluster.ts";
import { hexID, parseEtcdJSON } from "./json.ts";
import { readAlarms, readMember, readMembers, readStatus } from "./read.ts";
import type { AddedLearner, EtcdAlarm, EtcdMember, EtcdStatus } from "./types.ts";

/** How to reach etcd: mutual TLS files, and optionally which etcdctl and how long a call may take. */
export interface EtcdctlOptions {
  /** CA that signed the members' serving certificates. */
  readonly caFile: string;
  /** Client certificate and key etcd accepts (client-cert-auth). */
  readonly certFile: string;
  readonly keyFile: string;
  /** The etcdctl to run; the pinned one (binaryPath("etcdctl")) by default. */
  readonly binary?: string;
  /** etcdctl's --command-timeout for one call, ms (default 15 s); the process is killed 5 s after it. */
  readonly timeoutMs?: number;
}

/** etcdctl failed; the message is its own error line (never a key: etcdctl prints none). */
export class EtcdctlError extends Error {
  /** The etcdctl subcommand, e.g. "member remove". */
  readonly command: string;
  /** etcdctl's stderr, trimmed. */
  readonly stderr: string;
  readonly exitCode: number | undefined;

  constructor(command: string, stderr: string, exitCode: number | undefined) {
    super(`etcdctl ${command} failed: ${errorLine(stderr)}`);
    this.name = "EtcdctlError";
    this.command = command;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

// etcd's error strings (api/v3rpc/rpctypes/error.go); etcdctl prints them as "Error: <text>".
const learnerNotReady = "can only promote a learner member which is in sync with leader";
const notEnoughStarted = "re-configuration failed due to not enough started members";
const memberNotLearner = /can only promote a learner member(?! which)/;
const memberNotFound = "member not found";
// A repeated add: the same peer URL, or (within the same second) the same derived member ID.
const alreadyAdded = ["Peer URLs already exists", "member ID already exist"];
// A compaction to a revision at or below the one already compacted (mvcc/kvstore.go ErrCompacted).
const alreadyCompacted = "required revision has been compacted";

/**
 * etcd's cluster and maintenance API through the pinned etcdctl, one process
 * per call. Membership changes are rare, so a process per call costs less
 * than keeping a gRPC client (and its dependency) for them; etcdctl is also
 * what the seed driver can run next to its members.
 */
export class Etcdctl {
  readonly #options: EtcdctlOptions;
  readonly #binary: string;
  readonly #timeoutMs: number;

  constructor(options: EtcdctlOptions) {
    for (const field of ["caFile", "certFile", "keyFile"] as const) {
      if (options[field] === "") throw new Error(`Etcdctl: ${field} is empty; give the path of the PEM file`);
    }
    this.#options = options;
    this.#binary = options.binary ?? binaryPath("etcdctl");
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Every member, learners and not-yet-started ones included. */
  async memberList(endpoints: readonly string[]): Promise<EtcdMember[]> {
    const { stdout } = await this.#run("member list", endpoints, ["member", "list", "-w", "json"]);
    return readMembers(parseEtcdJSON(stdout));
  }

  /** One member's own view: its ID, the leader it knows, its raft indexes and backend size. */
  async status(endpoint: string): Promise<EtcdStatus> {
    // etcdctl prints the endpoints it reached even when others failed, so stdout is read first.
    const { stdout, error } = await this.#runAllowingFailure("endpoint status", [endpoint], ["endpoint", "status", "-w", "json"]);
    const entries = stdout.trim() === "" ? [] : parseEtcdJSON(stdout);
    const first = Array.isArray(entries) ? (entries[0] as unknown) : undefined;
    if (first === undefined) throw error ?? new EtcdctlError("endpoint status", `no status printed for ${endpoint}`, undefined);
    return readStatus(first);
  }

  /**
   * Adds a non-voting member (`member add --learner`) and returns the
   * `--initial-cluster` it must start with. A learner already registered at
   * this peer URL (an earlier add whose process never started) is returned as
   * it is, so a retried step does not fail.
   */
  async addLearner(endpoints: readonly string[], name: string, peerURL: string): Promise<AddedLearner> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`addLearner: name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`);
    if (!/^https?:\/\/\S+$/.test(peerURL)) throw new Error(`addLearner: peerURL ${JSON.stringify(peerURL)} must be an http(s) URL such as https://127.0.0.1:2380`);
    try {
      const { stdout } = await this.#run("member add", endpoints, ["member", "add", name, `--peer-urls=${peerURL}`, "--learner", "-w", "json"]);
      const added = parseEtcdJSON(stdout) as { member?: unknown; members?: unknown };
      const member = readMember(added.member);
      const members = readMembers(added);
      return { member, members, initialCluster: initialClusterFor(members, { id: member.id, name }) };
    } catch (error) {
      if (!(error instanceof EtcdctlError && alreadyAdded.some((e) => error.stderr.includes(e)))) throw error;
      const members = await this.memberList(endpoints);
      const member = members.find((m) => m.peerURLs.includes(peerURL));
      if (member?.isLearner !== true || (member.name !== "" && member.name !== name)) throw error;
      return { member, members, initialCluster: initialClusterFor(members, { id: member.id, name }) };
    }
  }

  /**
   * Makes a learner a voter. "not-ready" while it has not caught up with the
   * leader (etcd refuses below 90% of the leader's log) or while too few
   * voters are started: retry later. A member that already votes counts as
   * promoted, so a retried step does not fail.
   */
  async promote(endpoints: readonly string[], id: string): Promise<"promoted" | "not-ready"> {
    try {
      await this.#run("member promote", endpoints, ["member", "promote", hexID(id)]);
      return "promoted";
    } catch (error) {
      if (!(error instanceof EtcdctlError)) throw error;
      if (error.stderr.includes(learnerNotReady) || error.stderr.includes(notEnoughStarted)) return "not-ready";
      if (memberNotLearner.test(error.stderr)) return "promoted";
      throw error;
    }
  }

  /** Removes a member; one already gone counts as done ("already-gone"). */
  async remove(endpoints: readonly string[], id: string): Promise<"removed" | "already-gone"> {
    try {
      await this.#run("member remove", endpoints, ["member", "remove", hexID(id)]);
      return "removed";
    } catch (error) {
      if (error instanceof EtcdctlError && error.stderr.includes(memberNotFound)) return "already-gone";
      throw error;
    }
  }

  /**
   * Hands leadership to a voter. etcdctl asks each endpoint for its status and
   * stops at the first that does not answer, so we find the leader ourselves
   * (skipping endpoints that fail) and give etcdctl only the leader's.
   */
  async moveLeader(endpoints: readonly string[], toId: string): Promise<void> {
    const target = hexID(toId, "toId");
    const statuses = await Promise.all(endpoints.map((endpoint) => this.status(endpoint).catch(() => undefined)));
    const leader = statuses.find((s) => s?.isLeader === true);
    if (leader?.memberId === target) return;
    if (leader === undefined) throw new Error(`moveLeader: none of ${endpoints.join(", ")} is the leader (or none answered); pass the leader's client URL`);
    await this.#run("move-leader", [leader.endpoint], ["move-leader", target]);
  }

  /** The alarms raised anywhere in the cluster. */
  async alarms(endpoints: readonly string[]): Promise<EtcdAlarm[]> {
    const { stdout } = await this.#run("alarm list", endpoints, ["alarm", "list", "-w", "json"]);
    return readAlarms(parseEtcdJSON(stdout));
  }

  /**
   * Defragments one member, which blocks its reads and writes meanwhile: call
   * it member by member, followers first (etcd maintenance guide).
   */
  async defragment(endpoint: string, timeoutMs = 120_000): Promise<void> {
    await this.#run("defrag", [endpoint], ["defrag"], timeoutMs);
  }

  /**
   * Compacts the key-value history up to `revision` (cluster-wide, through
   * raft) and waits until the old revisions are physically gone
   * (`--physical`), so that the next status shows the space freed. A
   * revision already compacted counts as done ("already-compacted").
   */
  async compact(endpoints: readonly string[], revision: number): Promise<"compacted" | "already-compacted"> {
    if (!Number.isSafeInteger(revision) || revision < 1) throw new Error(`compact: revision must be a positive integer (a store revision from endpoint status), got ${String(revision)}`);
    try {
      await this.#run("compaction", endpoints, ["compaction", String(revision), "--physical"], Math.max(this.#timeoutMs, 60_000));
      return "compacted";
    } catch (error) {
      if (error instanceof EtcdctlError && error.stderr.includes(alreadyCompacted)) return "already-compacted";
      throw error;
    }
  }

  /**
   * Disarms the NOSPACE alarms and returns them. `etcdctl alarm disarm`
   * clears every alarm (clientv3 AlarmDisarm with no member lists the alarms
   * and deactivates each, client/v3/maintenance.go), so this refuses while
   * any other alarm (CORRUPT) is raised: that one must stay until the member
   * is replaced. A small window remains: an alarm raised between the list
   * and the disarm is cleared too (only a gRPC client could disarm one
   * alarm by member).
   */
  async disarmNoSpace(endpoints: readonly string[]): Promise<EtcdAlarm[]> {
    const alarms = await this.alarms(endpoints);
    const others = alarms.filter((a) => a.alarm !== "NOSPACE");
    if (others.length > 0) throw new Error(`disarmNoSpace: refusing to disarm while ${others.map((a) => `${a.alarm} (member ${a.memberId})`).join(", ")} is raised; etcdctl would clear it too`);
    if (alarms.length === 0) return [];
    await this.#run("alarm disarm", endpoints, ["alarm", "disarm"]);
    return alarms;
  }

  async #run(command: string, endpoints: readonly string[], args: readonly string[], timeoutMs = this.#timeoutMs): Promise<{ stdout: string }> {
    const { stdout, error } = await this.#runAllowingFailure(command, endpoints, args, timeoutMs);
    if (error) throw error;
    return { stdout };
  }

  #runAllowingFailure(command: string, endpoints: readonly string[], args: readonly string[], timeoutMs = this.#timeoutMs): Promise<{ stdout: string; error: EtcdctlError | undefined }> {
    if (endpoints.length === 0) return Promise.reject(new Error(`etcdctl ${command}: no endpoints given; pass at least one member's client URL`));
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const global = [
      `--endpoints=${endpoints.join(",")}`,
      `--cacert=${this.#options.caFile}`,
      `--cert=${this.#options.certFile}`,
      `--key=${this.#options.keyFile}`,
      `--command-timeout=${seconds}s`,
      `--dial-timeout=${Math.min(seconds, 5)}s`,
    ];
    return new Promise((resolve) => {
      // A clean environment: ETCDCTL_* variables of the caller must not change the call.
      execFile(this.#binary, [...args, ...global], { timeout: timeoutMs + 5000, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }, (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, error: undefined });
          return;
        }
        const killed = error.killed ? `killed after ${timeoutMs + 5000} ms\n` : "";
        const spawnFailure = typeof error.code === "string" ? `cannot run ${this.#binary}: ${error.code}\n` : "";
        resolve({ stdout, error: new EtcdctlError(command, `${spawnFailure}${killed}${stderr}`.trim(), typeof error.code === "number" ? error.code : undefined) });
      });
    });
  }
}

/** etcdctl's own "Error: …" line, else its last line that is not a JSON log record. */
function errorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("{"));
  const line = lines.findLast((l) => l.startsWith("Error:"))?.slice("Error:".length).trim() ?? lines.at(-1) ?? "no error message";
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
