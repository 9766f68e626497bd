import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ControlPlanePorts } from "../render/control-plane.ts";
import { canBind } from "./ports.ts";

/** The ports of one etcd member of a cluster of several. */
export interface MemberPorts {
  readonly client: number;
  readonly peer: number;
  readonly metrics: number;
}

/** What ports.json holds: the control plane's ports, and each etcd member's once etcd has several. */
type RecordedPorts = ControlPlanePorts & { readonly members?: Readonly<Record<string, MemberPorts>> };

/** Every port of a record, members' included. */
function allPorts(ports: RecordedPorts | undefined): number[] {
  if (ports === undefined) return [];
  const { members, ...rest } = ports;
  return [...Object.values(rest).filter((p): p is number => typeof p === "number"), ...Object.values(members ?? {}).flatMap((m) => [m.client, m.peer, m.metrics])];
}

/** Where a cluster's ports are kept: with its files, so they come back with it. */
function portsFile(clusterDir: string): string {
  return join(clusterDir, "ports.json");
}

/**
 * Hands out loopback ports to clusters and remembers them in each cluster's
 * directory. Ports in use by any cluster this driver knows, or bound by
 * anything else right now, are never handed out.
 */
export class ClusterPortAllocator {
  readonly #clustersDir: string;
  /** Other directories whose entries record ports the same way (the shared etcds of seeds). */
  readonly #alsoScan: readonly string[];
  readonly #range: readonly [number, number];
  #reserved: Set<number> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  // Below the test harness's 20000–32000 and the kernel's ephemeral ports (32768+), which
  // outgoing connections may hold at the moment a cluster restarts.
  constructor(clustersDir: string, range: readonly [number, number] = [10_000, 19_999], alsoScan: readonly string[] = []) {
    this.#clustersDir = clustersDir;
    this.#alsoScan = alsoScan;
    this.#range = range;
  }

  /** The ports of a cluster, allocated and recorded on first use. Calls are serialized, so two clusters never race for a port. */
  ports(clusterDir: string): Promise<ControlPlanePorts> {
    const next = this.#queue.then(() => this.#portsNow(clusterDir));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Forgets a deleted cluster's ports. */
  release(ports: RecordedPorts | undefined): void {
    for (const port of allPorts(ports)) this.#reserved?.delete(port);
  }

  /** The ports recorded for a cluster, if any. */
  recorded(clusterDir: string): RecordedPorts | undefined {
    const file = portsFile(clusterDir);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RecordedPorts) : undefined;
  }

  /**
   * The ports of etcd member `name`, allocated and recorded on first use
   * ("default", the first member, keeps the cluster's etcd client and peer
   * ports and gets a metrics port).
   */
  memberPorts(clusterDir: string, name: string): Promise<MemberPorts> {
    const next = this.#queue.then(async () => {
      const known = this.recorded(clusterDir);
      if (known === undefined) throw new Error(`${clusterDir} has no ports recorded yet`);
      const existing = known.members?.[name];
      if (existing !== undefined) return existing;
      const ports: MemberPorts = name === "default"
        ? { client: known.etcdClient, peer: known.etcdPeer, metrics: (await this.#pick(1))[0] ?? 0 }
        : await this.#pick(3).then(([client = 0, peer = 0, metrics = 0]) => ({ client, peer, metrics }));
      this.#record(clusterDir, { ...known, members: { ...known.members, [name]: ports } });
      return ports;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Forgets a removed member's ports (the first member's client and peer ports stay the cluster's). */
  releaseMember(clusterDir: string, name: string): Promise<void> {
    const next = this.#queue.then(() => {
      const known = this.recorded(clusterDir);
      const ports = known?.members?.[name];
      if (known === undefined || ports === undefined) return;
      const members = Object.fromEntries(Object.entries(known.members ?? {}).filter(([member]) => member !== name));
      this.#record(clusterDir, { ...known, members });
      for (const port of name === "default" ? [ports.metrics] : [ports.client, ports.peer, ports.metrics]) this.#reserved?.delete(port);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #portsNow(clusterDir: string): Promise<ControlPlanePorts> {
    const known = this.recorded(clusterDir);
    if (known?.kwok !== undefined) return known;
    if (known) {
      // Recorded before clusters had a kwok port: add one, keep the rest.
      const [kwok = 0] = await this.#pick(1);
      return this.#record(clusterDir, { ...known, kwok });
    }
    const [apiServer = 0, etcdClient = 0, etcdPeer = 0, controllerManager = 0, scheduler = 0, kwok = 0] = await this.#pick(6);
    return this.#record(clusterDir, { apiServer, etcdClient, etcdPeer, controllerManager, scheduler, kwok });
  }

  async #pick(count: number): Promise<number[]> {
    const reserved = this.#loadReserved();
    const picked: number[] = [];
    const [low, high] = this.#range;
    for (let attempt = 0; picked.length < count; attempt++) {
      if (attempt > 5000) throw new Error(`no free loopback port between ${low} and ${high}`);
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (reserved.has(port) || picked.includes(port) || !(await canBind(port))) continue;
      picked.push(port);
    }
    for (const port of picked) reserved.add(port);
    return picked;
  }

  #record<T extends RecordedPorts>(clusterDir: string, ports: T): T {
    const tmp = `${portsFile(clusterDir)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(ports, null, 2)}\n`);
    renameSync(tmp, portsFile(clusterDir));
    return ports;
  }

  /** Every port recorded by any cluster directory, read once. */
  #loadReserved(): Set<number> {
    if (this.#reserved) return this.#reserved;
    const reserved = new Set<number>();
    for (const root of [this.#clustersDir, ...this.#alsoScan]) {
      if (!existsSync(root)) continue;
      for (const entry of readdirSync(root)) {
        for (const port of allPorts(this.recorded(join(root, entry)))) reserved.add(port);
      }
    }
    this.#reserved = reserved;
    return reserved;
  }
}
