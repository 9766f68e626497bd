// What an operator of etcd runs by hand, the baseline Seedbed's backup and
// restore are measured against: `etcdctl snapshot save` with the member's
// client TLS files, and `etcdutl snapshot restore FILE --data-dir D`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { binaryPath } from "@seedbed/binaries";
import type { EtcdClient } from "@seedbed/backup";
import { timed } from "./clock.ts";
import type { Timing } from "./figures.ts";

const run = promisify(execFile);
/** etcdutl logs a line per step to stderr; room for a chatty one. */
const maxBuffer = 16 * 1024 * 1024;

/** etcdctl's flags to reach the member: its endpoint and the client's TLS files. */
function connection(client: EtcdClient): string[] {
  return [`--endpoints=${client.endpoint}`, `--cacert=${client.caFile}`, `--cert=${client.certFile}`, `--key=${client.keyFile}`];
}

/** `etcdctl snapshot save FILE`, timed. */
export async function byHandBackup(client: EtcdClient, file: string): Promise<Timing> {
  const { ms } = await timed(() => run(binaryPath("etcdctl"), [...connection(client), "snapshot", "save", file], { maxBuffer }));
  return { totalMs: ms };
}

/** `etcdutl snapshot restore FILE --data-dir D`, timed. */
export async function byHandRestore(file: string, dataDir: string): Promise<Timing> {
  const { ms } = await timed(() => run(binaryPath("etcdutl"), ["snapshot", "restore", file, "--data-dir", dataDir], { maxBuffer }));
  return { totalMs: ms };
}

/** The member's database size in bytes as etcd reports it (etcdctl endpoint status: dbSize). */
export async function etcdDbBytes(client: EtcdClient): Promise<number> {
  const { stdout } = await run(binaryPath("etcdctl"), [...connection(client), "endpoint", "status", "-w", "json"], { maxBuffer });
  const [first] = JSON.parse(stdout) as { Status?: { dbSize?: number } }[];
  const size = first?.Status?.dbSize;
  if (size === undefined) throw new Error(`etcd at ${client.endpoint} reported no dbSize: ${stdout.slice(0, 200)}`);
  return size;
}
