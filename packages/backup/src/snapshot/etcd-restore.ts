import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { binaryPath } from "@seedbed/binaries";
import { etcdctlTLSArgs, stderrOf, type EtcdClient } from "./etcd-snapshot.ts";

const run = promisify(execFile);

/** The one member a snapshot is restored as: its name and peer URL, as the etcd that will run on the data. */
export interface RestoredMember {
  readonly name: string;
  /** https://host:port (or http:// for a scratch etcd). */
  readonly peerURL: string;
}

/** How a snapshot becomes a data directory. */
export interface RestoreOptions {
  readonly member: RestoredMember;
  /**
   * Raise the revision by this much and mark everything up to it compacted:
   * a client that watched the etcd before, at a revision newer than the
   * snapshot's, is told its revision is compacted (and relists) instead of
   * seeing time go backwards. Left out for a scratch restore.
   */
  readonly bumpRevision?: number;
}

/** A snapshot that cannot be restored (damaged, or from a newer etcd); nothing was changed. */
export class SnapshotRefusedError extends Error {}

/**
 * Restores a snapshot file into a new data directory (which must not exist)
 * with etcdutl, which checks the integrity hash etcdctl appended when the
 * snapshot was taken.
 */
export async function restoreSnapshot(file: string, dataDir: string, options: RestoreOptions): Promise<void> {
  const { name, peerURL } = options.member;
  const bump = options.bumpRevision === undefined || options.bumpRevision <= 0 ? [] : [`--bump-revision=${options.bumpRevision}`, "--mark-compacted"];
  const args = ["snapshot", "restore", file, `--data-dir=${dataDir}`, `--name=${name}`, `--initial-cluster=${name}=${peerURL}`, `--initial-advertise-peer-urls=${peerURL}`, ...bump];
  try {
    await run(binaryPath("etcdutl"), args, { timeout: 1_800_000 });
  } catch (error) {
    throw new SnapshotRefusedError(`etcdutl could not restore the snapshot: ${stderrOf(error)}`, { cause: error });
  }
}

/** What an etcd member says of itself. */
export interface EtcdStatus {
  /** The member's current revision. */
  readonly revision: number;
  /** The etcd server's version, e.g. 3.6.16. */
  readonly version: string;
}

/** The member's revision and version (etcdctl endpoint status). */
export async function etcdStatus(client: EtcdClient | { readonly endpoint: string }, timeoutMs = 10_000): Promise<EtcdStatus> {
  const args = [`--endpoints=${client.endpoint}`, ...etcdctlTLSArgs(client), `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`, "endpoint", "status", "-w", "json"];
  let stdout: string;
  try {
    ({ stdout } = await run(binaryPath("etcdctl"), args, { timeout: timeoutMs + 2000 }));
  } catch (error) {
    throw new Error(`etcd at ${client.endpoint} did not answer: ${stderrOf(error)}`, { cause: error });
  }
  const [first] = JSON.parse(stdout) as { Status: { header: { revision: number }; version: string } }[];
  if (first === undefined) throw new Error(`etcd at ${client.endpoint} reported no status`);
  return { revision: first.Status.header.revision, version: first.Status.version };
}

/**
 * Whether an etcd of `serverVersion` can run on data a snapshot of
 * `storageVersion` holds: not when the snapshot comes from a newer minor
 * (its data may use what this etcd does not know). Returns why not.
 */
export function snapshotVersionError(storageVersion: string | undefined, serverVersion: string): string | undefined {
  if (storageVersion === undefined || storageVersion === "") return undefined;
  const minor = (v: string): [number, number] => {
    const [major = 0, min = 0] = v.split(".").map(Number);
    return [major, min];
  };
  const [sMajor, sMinor] = minor(storageVersion);
  const [eMajor, eMinor] = minor(serverVersion);
  if (sMajor > eMajor || (sMajor === eMajor && sMinor > eMinor)) return `the snapshot was written by etcd ${storageVersion}, newer than this platform's etcd ${serverVersion}: restore it with a platform that runs etcd ${sMajor}.${sMinor} or newer`;
  return undefined;
}
