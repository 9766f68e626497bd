import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { createCertificateAuthority, issueCertificate } from "@seedbed/pki";
import { reservePorts, type PortReservation } from "../local/ports.ts";
import { ManagedProcess } from "../local/process.ts";
import { logTail, probe, type ProbeTLS } from "../local/readiness.ts";
import { renderEtcd } from "../render/etcd.ts";
import { Etcdctl, type EtcdctlOptions } from "./etcdctl.ts";

/*
 * Test support only (imported by etcdctl.int.test.ts): real etcd members on
 * loopback with their own CA, started and stopped by name, the way the local
 * driver runs them.
 */

/** A member process the test runs. */
export interface TestMember {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly dataDir: string;
  readonly process: ManagedProcess;
  readonly ports: PortReservation;
}

/** Real etcd members on loopback sharing one CA; stop() ends every process it started. */
export class TestEtcdCluster {
  readonly dir: string;
  readonly tls: EtcdctlOptions;
  readonly etcdctl: Etcdctl;
  readonly members = new Map<string, TestMember>();
  #probeTLS: ProbeTLS = {};
  readonly #pki: { caFile: string; serverCertFile: string; serverKeyFile: string; peerCertFile: string; peerKeyFile: string };
  readonly #started: ManagedProcess[] = [];
  readonly #reservations: PortReservation[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    const pki = (f: string): string => join(dir, "pki", f);
    this.#pki = { caFile: pki("ca.crt"), serverCertFile: pki("server.crt"), serverKeyFile: pki("server.key"), peerCertFile: pki("peer.crt"), peerKeyFile: pki("peer.key") };
    this.tls = { caFile: pki("ca.crt"), certFile: pki("client.crt"), keyFile: pki("client.key") };
    this.etcdctl = new Etcdctl({ ...this.tls, timeoutMs: 10_000 });
  }

  /** A directory with a fresh etcd CA and server, peer and client certificates for 127.0.0.1. */
  static async create(): Promise<TestEtcdCluster> {
    const cluster = new TestEtcdCluster(mkdtempSync(join(tmpdir(), "seedbed-etcd-members-")));
    const ca = await createCertificateAuthority({ commonName: "test-etcd-ca" });
    const altNames = ["127.0.0.1", "localhost"];
    const [server, peer, client] = await Promise.all([
      issueCertificate(ca, { commonName: "etcd-server", usage: "server-and-client", altNames }),
      issueCertificate(ca, { commonName: "etcd-peer", usage: "server-and-client", altNames }),
      issueCertificate(ca, { commonName: "root", usage: "client" }),
    ]);
    mkdirSync(join(cluster.dir, "pki"), { mode: 0o700 });
    const write = (file: string, pem: string): void => writeFileSync(file, pem, { mode: 0o600 });
    write(cluster.#pki.caFile, ca.certificatePem);
    write(cluster.#pki.serverCertFile, server.certificatePem);
    write(cluster.#pki.serverKeyFile, server.privateKeyPem);
    write(cluster.#pki.peerCertFile, peer.certificatePem);
    write(cluster.#pki.peerKeyFile, peer.privateKeyPem);
    write(cluster.tls.certFile, client.certificatePem);
    write(cluster.tls.keyFile, client.privateKeyPem);
    cluster.#probeTLS = { ca: ca.certificatePem, cert: client.certificatePem, key: client.privateKeyPem };
    return cluster;
  }

  /** Ports and URLs for a member about to be added, before its process starts. */
  async reserve(): Promise<{ clientURL: string; peerURL: string; ports: PortReservation }> {
    const ports = await reservePorts(2);
    this.#reservations.push(ports);
    const [client = 0, peer = 0] = ports.ports;
    return { clientURL: `https://127.0.0.1:${client}`, peerURL: `https://127.0.0.1:${peer}`, ports };
  }

  /** Starts a member's process: `state` "new" founds a cluster, "existing" joins one (after addLearner); `quotaBackendBytes` as etcd's flag. */
  async start(name: string, reserved: { clientURL: string; peerURL: string; ports: PortReservation }, initialCluster: string, state: "new" | "existing", options: { quotaBackendBytes?: number } = {}): Promise<TestMember> {
    const [clientPort = 0, peerPort = 0] = reserved.ports.ports;
    const dataDir = join(this.dir, name, "data");
    mkdirSync(join(this.dir, name), { recursive: true });
    const spec = renderEtcd({
      binary: binaryPath("etcd"),
      dataDir,
      clientPort,
      peerPort,
      pki: this.#pki,
      unsafeNoFsync: true,
      ...(options.quotaBackendBytes === undefined ? {} : { quotaBackendBytes: options.quotaBackendBytes }),
      membership: { name, listenHost: "127.0.0.1", advertiseHost: "127.0.0.1", initialCluster, initialClusterState: state },
    });
    const process = await ManagedProcess.start({ ...spec, name: `etcd-${name}` }, { logFile: join(this.dir, name, "etcd.log") });
    this.#started.push(process);
    const member: TestMember = { name, clientURL: reserved.clientURL, peerURL: reserved.peerURL, dataDir, process, ports: reserved.ports };
    this.members.set(name, member);
    return member;
  }

  /** True when the member serves: /readyz for a voter (needs quorum), a status answer for a learner (/readyz fails on learners). */
  async healthy(name: string): Promise<boolean> {
    const member = this.members.get(name);
    if (member === undefined || member.process.exitStatus !== undefined) return false;
    try {
      const status = await new Etcdctl({ ...this.tls, timeoutMs: 2000 }).status(member.clientURL);
      return status.isLearner || (await probe(`${member.clientURL}/readyz`, this.#probeTLS)) === 200;
    } catch {
      return false;
    }
  }

  /** Throws with the log of any member whose process exited without stop(). */
  assertRunning(): void {
    const dead = [...this.members.values()].filter((m) => m.process.exitStatus !== undefined);
    if (dead.length > 0) throw new Error(`etcd ${dead.map((m) => m.name).join(", ")} exited unexpectedly:\n${dead.map((m) => `${m.name} ${JSON.stringify(m.process.exitStatus)}:\n${logTail(m.process.logFile)}`).join("\n")}`);
  }

  /** Client URLs of the members whose process runs. */
  endpoints(): string[] {
    return [...this.members.values()].filter((m) => m.process.exitStatus === undefined).map((m) => m.clientURL);
  }

  /** Stops a member (SIGTERM: a leader hands over leadership first) and forgets it. */
  async stop(name: string): Promise<void> {
    const member = this.members.get(name);
    if (member === undefined) return;
    await member.process.stop(5000);
    member.ports.release();
    this.members.delete(name);
  }

  /** The member's log tail, for failure messages. */
  log(name: string): string {
    const member = this.members.get(name);
    return member === undefined ? "" : logTail(member.process.logFile);
  }

  /** Writes a key through etcdctl put. */
  async put(endpoints: readonly string[], key: string, value: string): Promise<void> {
    await this.#etcdctl(endpoints, ["put", key, value]);
  }

  /** Reads a key with a linearizable get (needs quorum); undefined when absent. */
  async get(endpoints: readonly string[], key: string): Promise<string | undefined> {
    const out = await this.#etcdctl(endpoints, ["get", key, "--print-value-only"]);
    return out === "" ? undefined : out.replace(/\n$/, "");
  }

  /** Kills every process this cluster started and removes its directory. */
  async stopAll(): Promise<void> {
    await Promise.all(this.#started.map((p) => p.stop(3000)));
    for (const r of this.#reservations) r.release();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #etcdctl(endpoints: readonly string[], args: readonly string[]): Promise<string> {
    const global = [`--endpoints=${endpoints.join(",")}`, `--cacert=${this.tls.caFile}`, `--cert=${this.tls.certFile}`, `--key=${this.tls.keyFile}`, "--command-timeout=10s"];
    return new Promise((resolve, reject) => {
      execFile(binaryPath("etcdctl"), [...args, ...global], { timeout: 15_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`etcdctl ${args[0] ?? ""}: ${stderr.trim()}`));
        else resolve(stdout);
      });
    });
  }
}
