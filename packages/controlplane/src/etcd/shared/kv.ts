import { parseEtcdJSON } from "../json.ts";
import { goQuote, keyArgument, prefixRangeEnd } from "./keys.ts";
import { runEtcdctl, type SharedEtcdAccess } from "./run.ts";

/*
 * Key-value calls on a prefix through etcdctl `-w json`, where keys and
 * values are base64 (bytes survive) and every zero field is left out
 * (omitempty: no "kvs" when empty, no "count" when 0, no "lease" when none).
 */

/** One key as read from etcd. */
export interface KeyValue {
  readonly key: Buffer;
  readonly value: Buffer;
  /** The key is attached to a lease (kube-apiserver's Events are). */
  readonly hasLease: boolean;
  /** The revision of the key's last change. */
  readonly modRevision: number;
}

/** One key to write. */
export interface PutRecord {
  readonly key: Buffer;
  readonly value: Buffer;
  /** Attach to this lease (hex ID); none when absent. */
  readonly lease?: string;
}

type JSONObject = Readonly<Record<string, unknown>>;

function object(value: unknown, what: string): JSONObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`unexpected etcdctl output: ${what} is not an object`);
  return value as JSONObject;
}

function num(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function bytes(value: unknown): Buffer {
  return typeof value === "string" ? Buffer.from(value, "base64") : Buffer.alloc(0);
}

/**
 * How many keys start with `prefix`, and the store's revision when counted.
 * etcd counts them without sending any (RangeRequest.count_only); etcdctl
 * prints that only with `-w fields` ("--count-only is only for
 * --write-out=fields"), lines such as `"Count" : 12`.
 */
export async function countPrefix(access: SharedEtcdAccess, prefix: string, revision?: number): Promise<{ count: number; revision: number }> {
  const rev = revision === undefined ? [] : [`--rev=${revision}`];
  const out = await runEtcdctl(access, ["get", prefix, prefixRangeEnd(prefix), "--count-only", ...rev, "-w", "fields"]);
  return { count: fieldOf(out, "Count"), revision: fieldOf(out, "Revision") };
}

/** A numeric field of etcdctl's `-w fields` output. */
export function fieldOf(out: string, name: string): number {
  const match = new RegExp(`^"${name}" : (\\d+)$`, "m").exec(out);
  if (match?.[1] === undefined) throw new Error(`unexpected etcdctl output: no "${name}" field`);
  return Number(match[1]);
}

/** Options of a paged read. */
export interface PageOptions {
  /** Read the store as it was at this revision (one consistent view across pages). */
  readonly revision: number;
  /** Keys per etcdctl call (default 500). */
  readonly pageSize?: number;
}

/**
 * Every key under `prefix` at one revision, a page at a time in key order.
 * A page starts at the last key of the one before (a key with a NUL byte
 * appended cannot be an argument), and that key is skipped. Fails with
 * etcd's "required revision has been compacted" when the shared etcd's
 * auto-compaction overtakes a long read.
 */
export async function* readPrefix(access: SharedEtcdAccess, prefix: string, options: PageOptions): AsyncGenerator<KeyValue[]> {
  const pageSize = options.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize ${pageSize} must be a whole number of keys, at least 1`);
  const end = prefixRangeEnd(prefix);
  let start = prefix;
  let after: Buffer | undefined;
  for (;;) {
    const skip = after;
    const limit = skip === undefined ? pageSize : pageSize + 1;
    const response = object(parseEtcdJSON(await runEtcdctl(access, ["get", start, end, `--rev=${options.revision}`, `--limit=${limit}`, "-w", "json"])), "get");
    const all = Array.isArray(response.kvs) ? response.kvs.map((kv) => readKeyValue(kv)) : [];
    const page = skip !== undefined && all[0]?.key.equals(skip) === true ? all.slice(1) : all;
    if (page.length > 0) yield page;
    const last = all.at(-1);
    if (response.more !== true || last === undefined) return;
    after = last.key;
    start = keyArgument(last.key);
  }
}

function readKeyValue(value: unknown): KeyValue {
  const kv = object(value, "kv");
  return { key: bytes(kv.key), value: bytes(kv.value), hasLease: num(kv.lease) !== 0, modRevision: num(kv.mod_revision) };
}

/** Deletes every key under `prefix`; returns how many were deleted. */
export async function deletePrefix(access: SharedEtcdAccess, prefix: string): Promise<number> {
  const response = object(parseEtcdJSON(await runEtcdctl(access, ["del", prefix, prefixRangeEnd(prefix), "-w", "json"])), "del");
  return num(response.deleted);
}

/**
 * Writes the records in one transaction (all or none). etcd bounds a
 * transaction by --max-txn-ops (default 128) and --max-request-bytes
 * (default 1.5 MiB): the caller batches below both.
 */
export async function putAll(access: SharedEtcdAccess, records: readonly PutRecord[]): Promise<void> {
  if (records.length === 0) return;
  // txn's stdin: no compares, a blank line, the requests, a blank line, no failure requests, a blank line.
  // "--" ends the flags, so a key or value that starts with "-" is not read as one.
  const lines = records.map((r) => `put ${r.lease === undefined ? "" : `--lease=${r.lease} `}-- ${goQuote(r.key)} ${goQuote(r.value)}\n`);
  const out = await runEtcdctl(access, ["txn", "-w", "json"], { input: `\n${lines.join("")}\n\n`, redact: true });
  const response = object(parseEtcdJSON(out), "txn");
  if (response.succeeded !== true) throw new Error("etcdctl txn did not succeed although it had no conditions");
}

/** Grants a lease of `ttlSeconds`; returns its ID in hex (as `put --lease` takes it). */
export async function grantLease(access: SharedEtcdAccess, ttlSeconds: number): Promise<string> {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`leaseTTLSeconds ${ttlSeconds} must be a whole number of seconds, at least 1`);
  const response = object(parseEtcdJSON(await runEtcdctl(access, ["lease", "grant", String(ttlSeconds), "-w", "json"])), "lease grant");
  if (typeof response.ID !== "string") throw new Error("unexpected etcdctl output: lease grant printed no ID");
  return response.ID;
}
