import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { inBatches, headerLine, parseExportLine, recordLine, trailerLine, type ExportHeader, type ExportRecord, type ExportTrailer } from "./export-format.ts";
import { checkKeyPrefix, checkTenantId, rewriteKey, tenantKeyPrefix } from "./keys.ts";
import { countPrefix, deletePrefix, grantLease, putAll, readPrefix, type PutRecord } from "./kv.ts";
import type { SharedEtcdAccess } from "./run.ts";

/*
 * Backup and restore of one tenant of a shared etcd, and the move of a
 * cluster between a dedicated etcd ("/registry/…") and a shared one
 * ("/<id>/…"): the same export, imported with its prefix rewritten.
 */

/** Options of exportTenant. */
export interface ExportOptions {
  /** The prefix to export (default "/<id>/"); "/registry/" for a dedicated cluster's own etcd. */
  readonly prefix?: string;
  /** Keys per etcdctl call (default 500). */
  readonly pageSize?: number;
  /** The time written as takenAt (default now). */
  readonly now?: Date;
}

/** What exportTenant wrote. */
export interface TenantExport extends ExportHeader, ExportTrailer {
  readonly file: string;
}

/**
 * Writes every key under the tenant's prefix, as it was at one revision, to
 * `file` (see export-format.ts). The revision is read first and every page
 * is read at it, so writes during the export do not tear it. The file
 * appears only when complete (written beside it, then renamed). Each page
 * must be read before the shared etcd compacts that revision away
 * (--auto-compaction-retention), else etcd fails the read with "required
 * revision has been compacted" and the export can be retried.
 */
export async function exportTenant(admin: SharedEtcdAccess, id: string, file: string, options: ExportOptions = {}): Promise<TenantExport> {
  checkTenantId(id);
  const prefix = checkKeyPrefix(options.prefix ?? tenantKeyPrefix(id), "prefix");
  const { count, revision } = await countPrefix(admin, prefix);
  const header: ExportHeader = { id, prefix, revision, keys: count, takenAt: (options.now ?? new Date()).toISOString() };
  const partial = `${file}.partial-${process.pid}`;
  const hash = createHash("sha256");
  const out = await open(partial, "w", 0o600);
  try {
    const write = async (text: string): Promise<void> => {
      hash.update(text);
      await out.write(text);
    };
    await write(headerLine(header));
    let keys = 0;
    let bytes = 0;
    for await (const page of readPrefix(admin, prefix, { revision, pageSize: options.pageSize })) {
      await write(page.map((kv) => recordLine(kv)).join(""));
      keys += page.length;
      for (const kv of page) bytes += kv.key.length + kv.value.length;
    }
    if (keys !== count) throw new Error(`exportTenant: read ${keys} keys under ${prefix} at revision ${revision}, but etcd counted ${count} there`);
    const trailer: ExportTrailer = { keys, bytes, sha256: hash.digest("hex") };
    await out.write(trailerLine(trailer));
    await out.sync();
    await out.close();
    await rename(partial, file);
    return { ...header, ...trailer, file };
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

/** Options of importTenant. */
export interface ImportOptions {
  /** Accept a file exported for another tenant id (a copy of one cluster into another). */
  readonly rename?: boolean;
  /** The prefix the file's keys start with that is replaced (default: the file's own prefix). */
  readonly fromPrefix?: string;
  /** The prefix the keys are written under, and the one emptied first (default "/<id>/"; "/registry/" back into a dedicated etcd). */
  readonly toPrefix?: string;
  /** Requests per transaction (default 128, etcd's default --max-txn-ops). */
  readonly maxTxnOps?: number;
  /** Key and value bytes per transaction (default 1 MiB, below etcd's default --max-request-bytes of 1.5 MiB). */
  readonly maxTxnBytes?: number;
  /** Keys that had a lease get one fresh lease of this many seconds (default 3600, kube-apiserver's --event-ttl), so Events still expire. */
  readonly leaseTTLSeconds?: number;
}

/** What importTenant did. */
export interface TenantImport {
  /** The file's header: which tenant, prefix and revision the keys come from. */
  readonly source: ExportHeader;
  /** The prefix written to. */
  readonly prefix: string;
  /** Keys under `prefix` deleted before writing. */
  readonly deletedKeys: number;
  readonly writtenKeys: number;
  readonly transactions: number;
}

/**
 * Replaces everything under the tenant's prefix with the keys of an export:
 * checks the whole file first (format, tenant id, checksum, count, every key
 * under fromPrefix), then deletes the prefix and writes the keys in
 * transactions of bounded size. Stop the tenant's API servers first and
 * start them afterwards: keys get new, higher revisions, and every watch
 * must list again. Not atomic as a whole: if it fails half-way, run it again.
 */
export async function importTenant(admin: SharedEtcdAccess, id: string, file: string, options: ImportOptions = {}): Promise<TenantImport> {
  checkTenantId(id);
  const toPrefix = checkKeyPrefix(options.toPrefix ?? tenantKeyPrefix(id), "toPrefix");
  const limits = { maxOps: options.maxTxnOps ?? 128, maxBytes: options.maxTxnBytes ?? 1024 * 1024 };
  if (!Number.isInteger(limits.maxOps) || limits.maxOps < 1) throw new Error(`importTenant: maxTxnOps ${limits.maxOps} must be a whole number, at least 1 (etcd allows --max-txn-ops, 128 by default)`);
  if (!Number.isInteger(limits.maxBytes) || limits.maxBytes < 1) throw new Error(`importTenant: maxTxnBytes ${limits.maxBytes} must be a whole number of bytes, at least 1 (keep it below etcd's --max-request-bytes)`);
  const source = await verifyExport(file);
  if (source.id !== id && options.rename !== true) {
    throw new Error(`importTenant: ${file} holds tenant ${JSON.stringify(source.id)}, not ${JSON.stringify(id)}; pass rename: true to import it as ${JSON.stringify(id)}`);
  }
  const fromPrefix = checkKeyPrefix(options.fromPrefix ?? source.prefix, "fromPrefix");
  // Every key is checked against fromPrefix before anything is deleted.
  for await (const record of records(file)) rewriteKey(record.key, fromPrefix, toPrefix);

  const deletedKeys = await deletePrefix(admin, toPrefix);
  let lease: string | undefined;
  let writtenKeys = 0;
  let transactions = 0;
  for await (const batch of inBatches(records(file), limits)) {
    if (lease === undefined && batch.some((r) => r.hasLease)) lease = await grantLease(admin, options.leaseTTLSeconds ?? 3600);
    const puts = batch.map((r): PutRecord => ({ key: rewriteKey(r.key, fromPrefix, toPrefix), value: r.value, ...(r.hasLease && lease !== undefined ? { lease } : {}) }));
    await putAll(admin, puts);
    writtenKeys += puts.length;
    transactions += 1;
  }
  return { source, prefix: toPrefix, deletedKeys, writtenKeys, transactions };
}

/** Reads the whole file once: header first, trailer last, checksum and count right. Returns the header. */
export async function verifyExport(file: string): Promise<ExportHeader> {
  const hash = createHash("sha256");
  let header: ExportHeader | undefined;
  let trailer: ExportTrailer | undefined;
  let keys = 0;
  let n = 0;
  for await (const line of lines(file)) {
    n += 1;
    if (trailer !== undefined) throw new Error(`${file}: line ${n} follows the trailer; the file is damaged`);
    const parsed = parseExportLine(line, n);
    if (parsed.kind === "trailer") {
      trailer = parsed;
      continue;
    }
    if ((parsed.kind === "header") !== (n === 1)) throw new Error(`${file}: line ${n} ${n === 1 ? "is not the export header" : "is a second header"}; the file is not one tenant export`);
    if (parsed.kind === "header") header = parsed;
    else keys += 1;
    hash.update(`${line}\n`);
  }
  if (header === undefined) throw new Error(`${file} is empty; it is not a tenant export`);
  if (trailer === undefined) throw new Error(`${file} has no trailer line: the export was cut off; take it again`);
  if (trailer.sha256 !== hash.digest("hex")) throw new Error(`${file}: the checksum does not match its content; the file is damaged`);
  if (trailer.keys !== keys || header.keys !== keys) throw new Error(`${file}: holds ${keys} keys but its header says ${header.keys} and its trailer ${trailer.keys}; the file is damaged`);
  return header;
}

/**
 * The file's lines, split by hand: readline's async iterator has been seen
 * to drop lines when its consumer awaits between them (nodejs/node#28565),
 * and an import awaits etcd after every batch.
 */
async function* lines(file: string): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8" })) {
    const parts = `${rest}${chunk as string}`.split("\n");
    rest = parts.pop() ?? "";
    yield* parts;
  }
  if (rest !== "") yield rest;
}

/** The records of a file verifyExport accepted, one at a time. */
async function* records(file: string): AsyncGenerator<ExportRecord> {
  let n = 0;
  for await (const line of lines(file)) {
    n += 1;
    const parsed = parseExportLine(line, n);
    if (parsed.kind === "record") yield parsed;
  }
}
