import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import type { EtcdMemberObservation } from "../driver.ts";
import { Etcdctl } from "../etcd/etcdctl.ts";
import { bootstrapAuth, ensureTenant, removeTenant, runEtcdctl, tenantApiServerFlags, tenantUsage, type SharedEtcdAccess, type TenantUsage } from "../etcd/shared/index.ts";
import { renderEtcd } from "../render/etcd.ts";
import type { ClusterPortAllocator, MemberPorts } from "./driver-ports.ts";
import { ClusterProcesses } from "./cluster-processes.ts";
import { probe } from "./readiness.ts";
import { ensureSharedDatastorePKI, ensureTenantCertificate, type SharedDatastorePKI } from "./shared-datastore-pki.ts";
import type { RestartBackoff, SupervisorEvent } from "./supervisor.ts";

/** What a seed offers as its shared etcd. */
export interface SharedDatastoreSpec {
  /** The seed's name: one shared etcd per seed. */
  readonly name: string;
  /** Members it is built with: 1, 3 or 5 (fixed once built). */
  readonly members: number;
  /** etcd's backend quota for all tenants together, bytes. */
  readonly quotaBytes: number;
}

/** A shared etcd as the driver saw it. */
export interface SharedDatastoreObservation {
  /** Client URLs of its members. */
  readonly endpoints: readonly string[];
  readonly members: readonly EtcdMemberObservation[];
  /** A quorum serves and authentication is on: tenants may use it. */
  readonly ready: boolean;
  /** The member count it was built with (a changed spec is not carried out). */
  readonly builtMembers: number;
  /** Tenants that have a user in it. */
  readonly tenants: number;
  /** Largest backend file of its members, bytes (every tenant's data and history). */
  readonly dbSizeBytes?: number;
  readonly message?: string;
}

/** A tenant's way into the shared etcd, for its API servers. */
export interface SharedTenantAccess {
  readonly endpoints: readonly string[];
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** kube-apiserver flags: etcd-servers, the certificate files, and the tenant's prefix. */
  readonly apiServerFlags: Readonly<Record<string, string>>;
}

/** What LocalSharedDatastores needs of the driver. */
export interface LocalSharedDatastoresOptions {
  /** <root>/shared-etcd: one directory per seed. */
  readonly dir: string;
  readonly ports: ClusterPortAllocator;
  readonly unsafeNoFsync?: boolean;
  readonly backoff?: RestartBackoff;
  readonly onEvent?: (name: string, event: SupervisorEvent) => void;
  /** Names the serving certificates carry besides loopback (the node address machines reach). */
  readonly altNames?: readonly string[];
}

/** built.json: the member count a shared etcd was bootstrapped with (static membership). */
interface BuiltRecord {
  readonly members: number;
}

const memberNames = ["default", "member-1", "member-2", "member-3", "member-4"];

/**
 * The shared etcds of local seeds: members as supervised processes with a
 * CA of their own and etcd's authentication on (root by client
 * certificate), tenants confined to their prefix by etcd's RBAC. Members
 * are bootstrapped together (static membership); their count is fixed once
 * built.
 */
export class LocalSharedDatastores {
  readonly #o: LocalSharedDatastoresOptions;
  /** The members' processes, one launcher per seed (markers seedbed:<dir>/<seed>/…). */
  readonly #processes: ClusterProcesses;
  readonly #authOn = new Set<string>();
  readonly #usage = new Map<string, { at: number; usage: TenantUsage }>();
  /** The last look at each seed's shared etcd: its tenants start once it is ready. */
  readonly #seen = new Map<string, SharedDatastoreObservation>();
  /** Per tenant (<seed>/<id>), its access once its user, role and certificate were made by this process: made once, not on every pass. */
  readonly #tenants = new Map<string, SharedTenantAccess>();

  constructor(options: LocalSharedDatastoresOptions) {
    this.#o = options;
    this.#processes = new ClusterProcesses({ clustersDir: options.dir, ...(options.backoff === undefined ? {} : { backoff: options.backoff }), onEvent: (name, event) => options.onEvent?.(`shared-etcd/${name}`, event) });
  }

  /** The directory of seed `name`'s shared etcd. */
  dir(name: string): string {
    if (!/^[a-z0-9][-a-z0-9.]*$/.test(name)) throw new Error(`shared datastore name "${name}" is not a safe directory name`);
    return join(this.#o.dir, name);
  }

  /** The shared etcds this machine has (their directories). */
  list(): string[] {
    return existsSync(this.#o.dir) ? readdirSync(this.#o.dir) : [];
  }

  /** What the last apply of a seed's shared etcd saw (undefined before one in this process). */
  seen(name: string): SharedDatastoreObservation | undefined {
    return this.#seen.get(name);
  }

  /** Starts (or keeps running) a seed's shared etcd and reports it; it is ready once a quorum serves and auth is on. */
  async apply(spec: SharedDatastoreSpec): Promise<SharedDatastoreObservation> {
    const seen = await this.#apply(spec);
    this.#seen.set(spec.name, seen);
    return seen;
  }

  async #apply(spec: SharedDatastoreSpec): Promise<SharedDatastoreObservation> {
    const dir = this.dir(spec.name);
    mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
    const built = readBuilt(dir) ?? writeBuilt(dir, { members: spec.members });
    const pki = await ensureSharedDatastorePKI(dir, ["127.0.0.1", "localhost", ...(this.#o.altNames ?? [])]);
    const ports = await this.#memberPorts(dir, built.members);
    const launcher = this.#processes.launcher(spec.name, dir);
    const initialCluster = ports.map(({ name, ports: p }) => `${name}=https://127.0.0.1:${p.peer}`).join(",");
    for (const { name, ports: p } of ports) {
      const member = renderEtcd({
        binary: binaryPath("etcd"),
        dataDir: join(dir, name),
        clientPort: p.client,
        peerPort: p.peer,
        pki: { caFile: pki.caFile, serverCertFile: pki.serverCertFile, serverKeyFile: pki.serverKeyFile, peerCertFile: pki.peerCertFile, peerKeyFile: pki.peerKeyFile },
        unsafeNoFsync: this.#o.unsafeNoFsync,
        quotaBackendBytes: spec.quotaBytes,
        membership: { name, listenHost: "127.0.0.1", advertiseHost: "127.0.0.1", initialCluster, metricsURL: `http://127.0.0.1:${p.metrics}` },
      });
      await launcher.launch({ ...member, name: `etcd-${name}` }, join(dir, "logs", `etcd-${name}.log`));
    }
    const endpoints = ports.map(({ ports: p }) => `https://127.0.0.1:${p.client}`);
    const health = await Promise.all(ports.map(async ({ ports: p }) => (await probe(`http://127.0.0.1:${p.metrics}/readyz`, {}, 2000)) === 200));
    const healthy = health.filter(Boolean).length;
    const quorum = Math.floor(built.members / 2) + 1;
    const changed = spec.members === built.members ? undefined : `built with ${built.members} member${built.members === 1 ? "" : "s"}; a shared etcd's member count is fixed once built, so ${spec.members} is not carried out`;
    if (healthy < quorum) {
      return { endpoints, builtMembers: built.members, ready: false, tenants: 0, members: ports.map(({ name }, i) => ({ name, role: "Unknown", healthy: health[i] === true })), message: [`${healthy} of ${built.members} members serve; a quorum needs ${quorum}`, changed].filter(Boolean).join("; ") };
    }
    const root = this.rootAccess(spec.name, endpoints, pki);
    if (!this.#authOn.has(spec.name)) {
      await bootstrapAuth(root);
      this.#authOn.add(spec.name);
    }
    const members = await this.#observeMembers(ports, health, pki, endpoints);
    const users = JSON.parse(await runEtcdctl(root, ["user", "list", "-w", "json"])) as { users?: string[] };
    const tenants = (users.users ?? []).filter((u) => u !== "root").length;
    const sizes = members.map((m) => m.dbSizeBytes ?? 0);
    return { endpoints, builtMembers: built.members, ready: true, tenants, members, ...(sizes.length === 0 ? {} : { dbSizeBytes: Math.max(...sizes) }), ...(changed === undefined ? {} : { message: changed }) };
  }

  /** Seedbed's own access (CN=root) to a seed's shared etcd. */
  rootAccess(name: string, endpoints?: readonly string[], pki?: SharedDatastorePKI): SharedEtcdAccess {
    const dir = this.dir(name);
    const files = pki ?? pkiFilesOf(dir);
    const urls = endpoints ?? this.#recordedEndpoints(dir);
    return { endpoints: urls, caFile: files.caFile, certFile: files.rootCertFile, keyFile: files.rootKeyFile, timeoutMs: 15_000 };
  }

  /**
   * Makes tenant `id` (its etcd user and role, confined to "/<id>/") and its
   * client certificate in `tenantDir`; returns what its API servers need.
   */
  async tenant(name: string, id: string, tenantDir: string): Promise<SharedTenantAccess> {
    const made = this.#tenants.get(`${name}/${id}`);
    if (made !== undefined) return made;
    const dir = this.dir(name);
    if (!existsSync(join(dir, "built.json"))) throw new Error(`seed ${name} offers no shared datastore on this machine yet (spec.sharedDatastore of the Seed starts one)`);
    const root = this.rootAccess(name);
    await ensureTenant(root, id);
    const files = await ensureTenantCertificate(dir, tenantDir, id);
    const endpoints = root.endpoints;
    const access: SharedTenantAccess = {
      endpoints,
      ...files,
      apiServerFlags: { "etcd-servers": endpoints.join(","), "etcd-cafile": files.caFile, "etcd-certfile": files.certFile, "etcd-keyfile": files.keyFile, ...tenantApiServerFlags(id) },
    };
    this.#tenants.set(`${name}/${id}`, access);
    return access;
  }

  /** Removes tenant `id` (user first, then its keys, then its role); nothing to do when the datastore is gone. */
  async removeTenant(name: string, id: string): Promise<void> {
    this.#usage.delete(`${name}/${id}`);
    this.#tenants.delete(`${name}/${id}`);
    if (!existsSync(join(this.dir(name), "built.json"))) return;
    await removeTenant(this.rootAccess(name), id);
  }

  /** A tenant's keys and bytes, read at most every `maxAgeMs` (it reads the whole prefix). */
  async usage(name: string, id: string, maxAgeMs = 10_000): Promise<TenantUsage> {
    const key = `${name}/${id}`;
    const cached = this.#usage.get(key);
    if (cached !== undefined && Date.now() - cached.at < maxAgeMs) return cached.usage;
    const usage = await tenantUsage(this.rootAccess(name), id);
    this.#usage.set(key, { at: Date.now(), usage });
    return usage;
  }

  /** Stops a seed's shared etcd and removes it with every tenant's data. */
  async remove(name: string): Promise<void> {
    const dir = this.dir(name);
    // Its data goes next: no orderly shutdown to wait for.
    await this.#processes.killCluster(name, dir, 2000);
    this.#o.ports.release(this.#o.ports.recorded(dir));
    this.#authOn.delete(name);
    this.#seen.delete(name);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Stops every member (the platform shuts down); their data stays. */
  async stopAll(): Promise<void> {
    await this.#processes.stopAll();
  }

  /** Leaves every member running for a later run of the platform to adopt. */
  detachAll(): void {
    this.#processes.detachAll();
  }

  async #memberPorts(dir: string, count: number): Promise<{ name: string; ports: MemberPorts }[]> {
    // The allocator records a control plane's ports first; a shared etcd uses only its members'.
    await this.#o.ports.ports(dir);
    const out: { name: string; ports: MemberPorts }[] = [];
    for (const name of memberNames.slice(0, count)) out.push({ name, ports: await this.#o.ports.memberPorts(dir, name) });
    return out;
  }

  #recordedEndpoints(dir: string): string[] {
    const members = this.#o.ports.recorded(dir)?.members ?? {};
    return memberNames.filter((n) => members[n] !== undefined).map((n) => `https://127.0.0.1:${members[n]?.client ?? 0}`);
  }

  async #observeMembers(ports: readonly { name: string; ports: MemberPorts }[], health: readonly boolean[], pki: SharedDatastorePKI, endpoints: readonly string[]): Promise<EtcdMemberObservation[]> {
    const etcdctl = new Etcdctl({ caFile: pki.caFile, certFile: pki.rootCertFile, keyFile: pki.rootKeyFile, timeoutMs: 5000 });
    return Promise.all(ports.map(async ({ name }, i) => {
      const status = health[i] === true ? await etcdctl.status(endpoints[i] ?? "").catch(() => undefined) : undefined;
      if (status === undefined) return { name, role: "Unknown" as const, healthy: false, message: `${name} does not answer` };
      return { name, id: status.memberId, role: status.isLeader ? ("Leader" as const) : status.isLearner ? ("Learner" as const) : ("Follower" as const), healthy: true, dbSizeBytes: status.dbSize };
    }));
  }

}

function pkiFilesOf(dir: string): SharedDatastorePKI {
  const pki = join(dir, "pki");
  return { caFile: join(pki, "ca.crt"), serverCertFile: join(pki, "server.crt"), serverKeyFile: join(pki, "server.key"), peerCertFile: join(pki, "peer.crt"), peerKeyFile: join(pki, "peer.key"), rootCertFile: join(pki, "root.crt"), rootKeyFile: join(pki, "root.key") };
}

function readBuilt(dir: string): BuiltRecord | undefined {
  const file = join(dir, "built.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BuiltRecord) : undefined;
}

function writeBuilt(dir: string, record: BuiltRecord): BuiltRecord {
  writeFileSync(join(dir, "built.json"), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return record;
}
