import { execFile } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { binaryPath } from "@seedbed/binaries";
import { findProcessesByMarker, ManagedProcess, processMarkerVariable, reservePorts } from "@seedbed/controlplane";
import { etcdStatus, restoreSnapshot } from "../snapshot/etcd-restore.ts";
import { stderrOf } from "../snapshot/etcd-snapshot.ts";

const run = promisify(execFile);

/** What a drill checks the restored data against. */
export interface DrillExpectations {
  /** The revision the snapshot was taken at (EtcdBackup status.revision). */
  readonly revision: number;
  /** Keys that must be there and hold a value (a Kubernetes cluster's /registry/namespaces/kube-system). */
  readonly requiredKeys?: readonly string[];
  /** How many keys, spread over the key space, are read back (default 20). */
  readonly sample?: number;
}

/** What a drill found. */
export interface DrillReport {
  readonly revision: number;
  /** Live keys in the restored etcd. */
  readonly keys: number;
  /** Keys read back, each with a value. */
  readonly sampled: number;
}

/** A snapshot that failed its drill; the message says which check. */
export class DrillFailedError extends Error {}

/** Where drills run and what their scratch processes are tagged with. */
export interface DrillPlace {
  /** A directory of the drill's own (created, and removed after). */
  readonly dir: string;
  /** Process marker of the scratch etcd; a later drill with the same marker prefix removes one a crash left behind. */
  readonly marker: string;
}

/**
 * Restores a snapshot into a scratch etcd of its own (plain HTTP on
 * loopback, no fsync), checks that it starts at the snapshot's revision,
 * counts its keys, reads back the required keys and a sample spread over
 * the key space, then stops it and removes everything. Nothing of the
 * cluster the snapshot came from is touched.
 */
export async function drillSnapshot(file: string, expect: DrillExpectations, place: DrillPlace): Promise<DrillReport> {
  rmSync(place.dir, { recursive: true, force: true });
  mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  const ports = await reservePorts(2);
  const [clientPort, peerPort] = ports.ports as [number, number];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peerURL = `http://127.0.0.1:${peerPort}`;
  let etcd: ManagedProcess | undefined;
  try {
    const dataDir = join(place.dir, "data");
    await restoreSnapshot(file, dataDir, { member: { name: "drill", peerURL } }).catch((error: unknown) => {
      throw new DrillFailedError(error instanceof Error ? error.message : String(error), { cause: error });
    });
    etcd = await ManagedProcess.start(
      {
        name: "etcd-drill",
        command: binaryPath("etcd"),
        args: ["--name=drill", `--data-dir=${dataDir}`, `--listen-client-urls=${endpoint}`, `--advertise-client-urls=${endpoint}`, `--listen-peer-urls=${peerURL}`, `--initial-advertise-peer-urls=${peerURL}`, `--initial-cluster=drill=${peerURL}`, "--unsafe-no-fsync", "--log-level=error"],
        env: { [processMarkerVariable]: place.marker },
      },
      { logFile: join(place.dir, "etcd.log"), cwd: place.dir },
    );
    const revision = await waitForRevision(endpoint, etcd);
    if (revision !== expect.revision) throw new DrillFailedError(`the restored etcd is at revision ${revision}, the backup recorded ${expect.revision}`);
    const keys = await listKeys(endpoint);
    if (keys.length === 0) throw new DrillFailedError("the restored etcd holds no keys");
    const sampled = await readBack(endpoint, keys, expect.requiredKeys ?? [], expect.sample ?? 20);
    return { revision, keys: keys.length, sampled };
  } finally {
    await etcd?.stop(2000);
    ports.release();
    rmSync(place.dir, { recursive: true, force: true });
  }
}

/** Stops scratch etcds a crashed drill left (by marker prefix) and removes their directories. */
export async function clearAbandonedDrills(markerPrefix: string, dirs: readonly string[]): Promise<void> {
  for (const pid of findProcessesByMarker(markerPrefix, { prefix: true })) {
    await ManagedProcess.adopt({ name: "etcd-drill", command: "", args: [] }, "/dev/null", pid).stop(2000);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

async function waitForRevision(endpoint: string, etcd: ManagedProcess): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return (await etcdStatus({ endpoint }, 2000)).revision;
    } catch (error) {
      if (etcd.exitStatus !== undefined) throw new DrillFailedError(`the scratch etcd exited (${JSON.stringify(etcd.exitStatus)}) on the restored data; see its log`);
      if (Date.now() > deadline) throw new DrillFailedError(`the scratch etcd did not answer within 60 s: ${error instanceof Error ? error.message : String(error)}`);
      await sleep(200);
    }
  }
}

async function etcdctl(endpoint: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(binaryPath("etcdctl"), [`--endpoints=${endpoint}`, "--command-timeout=60s", ...args], { timeout: 70_000, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    throw new DrillFailedError(`etcdctl ${args[0] ?? ""} on the restored etcd failed: ${stderrOf(error)}`, { cause: error });
  }
}

/** Every live key of the restored etcd. */
async function listKeys(endpoint: string): Promise<string[]> {
  const listed = JSON.parse(await etcdctl(endpoint, ["get", "", "--prefix", "--keys-only", "-w", "json"])) as { kvs?: { key: string }[] };
  return (listed.kvs ?? []).map((kv) => Buffer.from(kv.key, "base64").toString("utf8"));
}

/** Reads the required keys and `sample` keys spread over the key space; each must hold a value. */
async function readBack(endpoint: string, keys: readonly string[], required: readonly string[], sample: number): Promise<number> {
  const present = new Set(keys);
  for (const key of required) if (!present.has(key)) throw new DrillFailedError(`the restored etcd lacks ${key}`);
  const step = Math.max(1, Math.floor(keys.length / Math.max(1, sample)));
  const picked = [...new Set([...required, ...keys.filter((_, i) => i % step === 0).slice(0, sample)])];
  for (const key of picked) {
    const got = JSON.parse(await etcdctl(endpoint, ["get", key, "-w", "json"])) as { kvs?: { value?: string }[] };
    const value = got.kvs?.[0]?.value;
    if (value === undefined || value === "") throw new DrillFailedError(`${key} reads back empty from the restored etcd`);
  }
  return picked.length;
}
