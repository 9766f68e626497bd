import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
import { binaryPath } from "@seedbed/binaries";

const run = promisify(execFile);

/** How to reach one etcd member as a client (mutual TLS). */
export interface EtcdClient {
  /** https://host:port */
  readonly endpoint: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** What a snapshot holds, as etcdutl reads it from the file. */
export interface SnapshotFacts {
  /** etcd's hash of the snapshot's keys and values. */
  readonly hash: number;
  readonly revision: number;
  readonly totalKeys: number;
  /** Of the file: etcd's database plus the integrity hash etcdctl appends. */
  readonly sizeBytes: number;
  /** Of the whole file, as stored: what a restore checks before it trusts a download. */
  readonly sha256: string;
  /** The storage version of the etcd that wrote it (e.g. 3.6.0), when recorded. */
  readonly storageVersion?: string;
}

/**
 * Writes a snapshot of the member's data to `file` through etcd's
 * maintenance API (etcdctl snapshot save, which also checks the snapshot's
 * integrity hash as it arrives), then reads back what it holds.
 */
export async function saveSnapshot(client: EtcdClient, file: string, timeoutMs = 600_000): Promise<SnapshotFacts> {
  const args = [`--endpoints=${client.endpoint}`, ...etcdctlTLSArgs(client), `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`, "snapshot", "save", file];
  try {
    await run(binaryPath("etcdctl"), args, { timeout: timeoutMs, env: { ETCDCTL_API: "3" } });
  } catch (error) {
    throw new Error(`etcd snapshot of ${client.endpoint} failed: ${stderrOf(error)}`);
  }
  return inspectSnapshot(file);
}

/** What a snapshot file holds; fails, saying why, for a file that is no etcd snapshot or is damaged. */
export async function inspectSnapshot(file: string): Promise<SnapshotFacts> {
  const status = await readSnapshotStatus(file);
  return { ...status, sizeBytes: (await stat(file)).size, sha256: await sha256OfFile(file) };
}

/** What etcdutl reads from a snapshot file: hash, revision, keys and the etcd version that wrote it. */
export async function readSnapshotStatus(file: string): Promise<Omit<SnapshotFacts, "sizeBytes" | "sha256">> {
  let stdout: string;
  try {
    ({ stdout } = await run(binaryPath("etcdutl"), ["snapshot", "status", file, "-w", "json"], { timeout: 120_000 }));
  } catch (error) {
    throw new Error(`${file} is not a readable etcd snapshot: ${stderrOf(error)}`);
  }
  const status = JSON.parse(stdout) as { hash: number; revision: number; totalKey: number; version?: string };
  const facts = { hash: status.hash, revision: status.revision, totalKeys: status.totalKey };
  return status.version === undefined || status.version === "" ? facts : { ...facts, storageVersion: status.version };
}

/** The SHA-256 of a file, hex. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** etcdctl's flags for a client's TLS files; none for a plain-HTTP etcd (a scratch one). */
export function etcdctlTLSArgs(client: Partial<EtcdClient>): string[] {
  return client.caFile === undefined ? [] : [`--cacert=${client.caFile}`, `--cert=${client.certFile ?? ""}`, `--key=${client.keyFile ?? ""}`];
}

/** The last lines of a failed command's stderr, or its error message. */
export function stderrOf(error: unknown): string {
  const { stderr } = error as { stderr?: string };
  const text = (stderr ?? "").trim();
  return text === "" ? (error instanceof Error ? error.message : String(error)) : text.split("\n").slice(-3).join("; ");
}
