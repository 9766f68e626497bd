import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ComponentHealth, EtcdMemberObservation } from "../driver.ts";
import { Etcdctl } from "../etcd/etcdctl.ts";
import { planMembership, quorum, type MembershipStep, type VoterCount } from "../etcd/membership.ts";
import type { EtcdMember, EtcdStatus } from "../etcd/types.ts";
import { planMaintenance } from "../etcd/maintenance.ts";
import { describeMaintenance, emptyMaintenanceMemory, maintenanceMember, rememberMaintenance, runMaintenanceStep, type MaintenanceMemory } from "../etcd/maintenance-run.ts";
import { pkiFiles } from "../pki-layout.ts";
import type { ClusterPortAllocator } from "./driver-ports.ts";
import { etcdProcessName, type LocalEtcdMember } from "./topology.ts";

/**
 * etcd-members.json: the members this machine runs for a cluster whose etcd
 * has (or had, or is to get) several. The member list etcd keeps is the
 * truth about membership; this record says which processes to run and how
 * each one first started.
 */
interface MembersRecord {
  readonly members: readonly {
    readonly name: string;
    readonly initialClusterState: "new" | "existing";
    readonly initialCluster: string;
    /** Added, not started yet: it may start with an empty data directory (once). */
    readonly fresh: boolean;
  }[];
  /** Names of the voters at the last look: the API servers' --etcd-servers. */
  readonly voters: readonly string[];
  /** Every name ever given to a member: etcd refuses a removed member's identity, so none is reused. */
  readonly used: readonly string[];
}

/** A cluster's members as rendered for this pass. */
export interface LocalMembers {
  readonly run: readonly LocalEtcdMember[];
  /** Client URLs of the voters. */
  readonly voterURLs: readonly string[];
  /** Process names of members whose data is gone: never started again (an empty member would start a cluster of its own). */
  readonly lost: readonly string[];
  /** Per process, the path it starts only on: a member's data, once it has some. */
  readonly requiredPaths: ReadonlyMap<string, string>;
  readonly desired: VoterCount;
}

/** What one pass of membership observed and did. */
export interface MembershipPass {
  readonly members: readonly EtcdMemberObservation[];
  readonly message?: string;
  /** Set when a majority of the voters lost their data: no quorum will ever form again on its own. */
  readonly quorumLost?: string;
}

/** A learner that has not been promoted after this long is given up on (removed, and another added). */
const learnerPatienceMs = 180_000;

function recordFile(clusterDir: string): string {
  return join(clusterDir, "etcd-members.json");
}

function dataDirOf(clusterDir: string, name: string): string {
  return name === "default" ? join(clusterDir, "etcd") : join(clusterDir, `etcd-${name}`);
}

/**
 * Changes a local cluster's etcd membership one step per pass, as
 * planMembership decides: learners added and promoted to grow, members
 * moved out of the member list before they stop to shrink, a member whose
 * data is gone removed and replaced.
 */
export class LocalEtcdMembership {
  readonly #ports: ClusterPortAllocator;
  /** Per learner id, when it was first seen unpromoted. */
  readonly #learnersSince = new Map<string, number>();
  /** Per cluster directory, when each member was last defragmented and etcd last compacted. */
  readonly #maintenance = new Map<string, MaintenanceMemory>();

  constructor(ports: ClusterPortAllocator) {
    this.#ports = ports;
  }

  /** The members to run; undefined while the cluster has its one first member and wants no more (rendered as always). */
  async members(clusterDir: string, desired: number): Promise<LocalMembers | undefined> {
    let record = read(clusterDir);
    if (record === undefined) {
      if (desired <= 1) return undefined;
      const peer = this.#ports.recorded(clusterDir)?.etcdPeer;
      // A cluster created with several members starts from its first one too: fresh until etcd has written its data.
      const fresh = !existsSync(join(dataDirOf(clusterDir, "default"), "member"));
      record = { members: [{ name: "default", initialClusterState: "new", initialCluster: `default=https://127.0.0.1:${String(peer)}`, fresh }], voters: ["default"], used: ["default"] };
      write(clusterDir, record);
    }
    const run: LocalEtcdMember[] = [];
    const lost: string[] = [];
    const requiredPaths = new Map<string, string>();
    let changed = false;
    const members = [];
    for (const m of record.members) {
      const ports = await this.#ports.memberPorts(clusterDir, m.name);
      const dataDir = dataDirOf(clusterDir, m.name);
      const hasData = existsSync(join(dataDir, "member"));
      const fresh = m.fresh && !hasData;
      if (fresh !== m.fresh) changed = true;
      members.push({ ...m, fresh });
      if (!fresh) requiredPaths.set(etcdProcessName(m.name), join(dataDir, "member"));
      if (!fresh && !hasData) lost.push(etcdProcessName(m.name));
      run.push({ name: m.name, clientPort: ports.client, peerPort: ports.peer, metricsPort: ports.metrics, dataDir, initialClusterState: m.initialClusterState, initialCluster: m.initialCluster });
    }
    if (changed) write(clusterDir, { ...record, members });
    const voters = run.filter((m) => record.voters.includes(m.name) && !lost.includes(etcdProcessName(m.name)));
    return { run, voterURLs: (voters.length > 0 ? voters : run).map((m) => `https://127.0.0.1:${m.clientPort}`), lost, requiredPaths, desired: toVoterCount(desired) };
  }

  /** One membership step: observe etcd's member list, plan, carry the step out. `stop` stops a member's process. */
  async step(clusterDir: string, members: LocalMembers, health: readonly ComponentHealth[], stop: (process: string) => Promise<void>): Promise<MembershipPass> {
    const record = read(clusterDir);
    if (record === undefined) return { members: [] };
    const pki = pkiFiles(join(clusterDir, "pki"));
    const etcdctl = new Etcdctl({ caFile: pki.etcdCABundle, certFile: pki.apiServerEtcdClientCert, keyFile: pki.apiServerEtcdClientKey, timeoutMs: 5000 });
    const lost = new Set(members.lost);
    const lostVoters = record.voters.filter((name) => lost.has(etcdProcessName(name)));
    if (lostVoters.length > 0 && record.voters.length - lostVoters.length < quorum(record.voters.length)) {
      const quorumLost = `${lostVoters.length} of ${record.voters.length} etcd members lost their data (${lostVoters.join(", ")}): the ${record.voters.length - lostVoters.length} left cannot form a quorum`;
      return { members: record.members.map((m) => ({ name: m.name, role: "Unknown", healthy: false, message: lost.has(etcdProcessName(m.name)) ? "its data is lost" : "no quorum" })), message: quorumLost, quorumLost };
    }
    const endpoints = members.run.filter((m) => !lost.has(etcdProcessName(m.name))).map((m) => `https://127.0.0.1:${m.clientPort}`);
    let list: EtcdMember[];
    try {
      list = await etcdctl.memberList(endpoints);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { members: record.members.map((m) => ({ name: m.name, role: "Unknown", healthy: false, message: why })), message: `etcd's member list cannot be read: ${why}` };
    }
    const statuses = new Map<string, EtcdStatus>();
    await Promise.all(list.filter((m) => m.clientURLs.length > 0).map(async (m) => {
      const status = await etcdctl.status(m.clientURLs[0] ?? "").catch(() => undefined);
      if (status !== undefined) statuses.set(m.id, status);
    }));
    const leaderId = [...statuses.values()].find((s) => s.leaderId !== undefined)?.leaderId;
    const ready = new Set(health.filter((h) => h.ready).map((h) => h.name));
    const healthy = list.filter((m) => (m.isLearner ? statuses.has(m.id) : ready.has(etcdProcessName(m.name)))).map((m) => m.id);
    await this.#forgetRemoved(clusterDir, record, list, stop);
    const current = read(clusterDir) ?? record;
    const voters = list.filter((m) => !m.isLearner && m.name !== "").map((m) => m.name).sort();
    const votersChanged = voters.length > 0 && JSON.stringify(voters) !== JSON.stringify([...current.voters].sort());
    if (votersChanged) write(clusterDir, { ...current, voters });
    const planned = planMembership({
      members: list,
      healthy,
      leaderId,
      desiredVoters: members.desired,
      lost: current.members.filter((m) => lost.has(etcdProcessName(m.name))).map((m) => m.name),
      processes: current.members.map((m) => m.name).filter((name) => !lost.has(etcdProcessName(name))),
      staleLearners: this.#staleLearners(list, current),
      usedNames: current.used,
    });
    // New voters reach the API servers' --etcd-servers on the next pass: a change is under way until then.
    // Maintenance only in a pass with no membership change: a member blocked by a defragmentation must not meet one.
    const membershipMessage = (await this.#carryOut(clusterDir, planned, { etcdctl, endpoints, stop })) ?? (votersChanged ? `the API servers move to etcd's voters ${voters.join(", ")}` : undefined);
    const message = membershipMessage ?? (planned.kind === "none" ? await this.#maintain(clusterDir, etcdctl, endpoints, list, statuses, healthy) : undefined);
    const observed = list.map((m): EtcdMemberObservation => {
      const status = statuses.get(m.id);
      const role = status === undefined ? "Unknown" : m.isLearner ? "Learner" : m.id === leaderId ? "Leader" : "Follower";
      return { name: m.name === "" ? `(joining ${m.id})` : m.name, id: m.id, role, healthy: healthy.includes(m.id), ...(status === undefined ? {} : { dbSizeBytes: status.dbSize }), ...(status === undefined ? { message: "does not answer" } : {}) };
    });
    return { members: observed.sort((a, b) => Number(a.role === "Learner") - Number(b.role === "Learner")), ...(message === undefined ? {} : { message }) };
  }

  /**
   * One maintenance step (maintenance.ts): a member defragmented when much
   * of its file is free (followers first, the leader last), and a NOSPACE
   * alarm worked off (compact, defragment, disarm once below the quota).
   * Returns what it did or why it waits, for status.
   */
  async #maintain(clusterDir: string, etcdctl: Etcdctl, endpoints: readonly string[], list: readonly EtcdMember[], statuses: ReadonlyMap<string, EtcdStatus>, healthy: readonly string[]): Promise<string | undefined> {
    const memory = this.#maintenance.get(clusterDir) ?? emptyMaintenanceMemory;
    const members = list.filter((m) => m.clientURLs.length > 0).map((m) => maintenanceMember(m.name, m.clientURLs[0] ?? "", healthy.includes(m.id), statuses.get(m.id), memory));
    const alarms = await etcdctl.alarms(endpoints).catch(() => []);
    const now = Date.now();
    const step = planMaintenance({ members, alarms, now, lastCompaction: memory.lastCompaction });
    if (step.kind === "none") return undefined;
    const message = describeMaintenance({ members, alarms }, step);
    const result = await runMaintenanceStep(etcdctl, endpoints, step);
    this.#maintenance.set(clusterDir, rememberMaintenance(memory, result, now));
    return message;
  }

  /** After a restore: the snapshot's data is the first member's, alone; the others' data is of the old cluster and goes. */
  async resetAfterRestore(clusterDir: string): Promise<void> {
    const record = read(clusterDir);
    if (record === undefined) return;
    for (const m of record.members.filter((m) => m.name !== "default")) {
      rmSync(dataDirOf(clusterDir, m.name), { recursive: true, force: true });
      await this.#ports.releaseMember(clusterDir, m.name);
    }
    const peer = this.#ports.recorded(clusterDir)?.etcdPeer;
    write(clusterDir, { members: [{ name: "default", initialClusterState: "new", initialCluster: `default=https://127.0.0.1:${String(peer)}`, fresh: false }], voters: ["default"], used: record.used.includes("default") ? record.used : [...record.used, "default"] });
  }

  /** Forgets the cluster's own etcd members (their data is gone: the cluster moved to a shared etcd, or starts a fresh one): record and ports. */
  async forget(clusterDir: string): Promise<void> {
    const record = read(clusterDir);
    for (const m of record?.members ?? []) await this.#ports.releaseMember(clusterDir, m.name);
    rmSync(recordFile(clusterDir), { force: true });
    this.#maintenance.delete(clusterDir);
  }

  /** The client URL of a voter, for backups (the first member's port while the record has none). */
  clientEndpoint(clusterDir: string): string | undefined {
    const record = read(clusterDir);
    const ports = this.#ports.recorded(clusterDir);
    if (ports === undefined) return undefined;
    const voter = record?.voters.map((name) => ports.members?.[name]).find((p) => p !== undefined);
    return `https://127.0.0.1:${voter?.client ?? ports.etcdClient}`;
  }

  async #carryOut(clusterDir: string, step: MembershipStep, ctx: { etcdctl: Etcdctl; endpoints: readonly string[]; stop: (process: string) => Promise<void> }): Promise<string | undefined> {
    switch (step.kind) {
      case "none":
        return undefined;
      case "wait":
        return `waiting: ${step.reason}`;
      case "add-learner": {
        const ports = await this.#ports.memberPorts(clusterDir, step.name);
        const added = await ctx.etcdctl.addLearner(ctx.endpoints, step.name, `https://127.0.0.1:${ports.peer}`);
        const record = read(clusterDir);
        if (record !== undefined) write(clusterDir, { ...record, members: [...record.members, { name: step.name, initialClusterState: "existing", initialCluster: added.initialCluster, fresh: true }], used: [...record.used, step.name] });
        return `added learner ${step.name}: ${step.reason}`;
      }
      case "promote": {
        const outcome = await ctx.etcdctl.promote(ctx.endpoints, step.id);
        if (outcome === "promoted") this.#learnersSince.delete(step.id);
        return outcome === "promoted" ? `promoted ${step.name} to a voting member` : `learner ${step.name} is catching up with the leader; promoted once it has`;
      }
      case "move-leader":
        await ctx.etcdctl.moveLeader(ctx.endpoints, step.toId);
        return `moved leadership to ${step.toId}: ${step.reason}`;
      case "remove":
      case "remove-learner": {
        await ctx.etcdctl.remove(ctx.endpoints, step.id);
        this.#learnersSince.delete(step.id);
        if (step.name !== "") await this.#dropMember(clusterDir, step.name, ctx.stop);
        return `removed ${step.name === "" ? step.id : step.name}: ${step.reason}`;
      }
    }
  }

  /** A member etcd no longer lists (removed, then the operator stopped before its process and data went): its process and data go now. */
  async #forgetRemoved(clusterDir: string, record: MembersRecord, list: readonly EtcdMember[], stop: (process: string) => Promise<void>): Promise<void> {
    const listed = new Set(list.map((m) => m.name));
    const peers = new Set(list.flatMap((m) => m.peerURLs));
    const ports = this.#ports.recorded(clusterDir);
    for (const m of record.members) {
      const peer = ports?.members?.[m.name]?.peer;
      if (listed.has(m.name) || (peer !== undefined && peers.has(`https://127.0.0.1:${peer}`))) continue;
      await this.#dropMember(clusterDir, m.name, stop);
    }
  }

  async #dropMember(clusterDir: string, name: string, stop: (process: string) => Promise<void>): Promise<void> {
    await stop(etcdProcessName(name));
    rmSync(dataDirOf(clusterDir, name), { recursive: true, force: true });
    const record = read(clusterDir);
    if (record !== undefined) write(clusterDir, { ...record, members: record.members.filter((m) => m.name !== name), voters: record.voters.filter((v) => v !== name) });
    await this.#ports.releaseMember(clusterDir, name);
  }

  /** Learners to give up on: one no record member stands for (an add whose operator died before recording it), or one unpromoted for too long. */
  #staleLearners(list: readonly EtcdMember[], record: MembersRecord): string[] {
    const now = Date.now();
    const names = new Set(record.members.map((m) => m.name));
    const stale: string[] = [];
    for (const m of list.filter((l) => l.isLearner)) {
      const since = this.#learnersSince.get(m.id) ?? now;
      this.#learnersSince.set(m.id, since);
      const known = m.name === "" ? record.members.some((r) => r.fresh) : names.has(m.name);
      if (!known || now - since > learnerPatienceMs) stale.push(m.id);
    }
    return stale;
  }
}

function toVoterCount(n: number): VoterCount {
  return n >= 5 ? 5 : n >= 3 ? 3 : 1;
}

function read(clusterDir: string): MembersRecord | undefined {
  const file = recordFile(clusterDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as MembersRecord) : undefined;
}

function write(clusterDir: string, record: MembersRecord): void {
  const file = recordFile(clusterDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
