/*
 * The file a tenant export is written to: JSON lines, read and written one
 * line at a time, so neither side holds a tenant in memory.
 *
 *   {"format":"seedbed.io/etcd-prefix-export/v1","id":…,"prefix":"/a/","revision":R,"keys":N,"takenAt":…}
 *   {"k":"<base64 key>","v":"<base64 value>"}            one line per key, in key order
 *   {"k":…,"v":…,"l":true}                                a key that had a lease (an Event)
 *   {"end":true,"keys":N,"bytes":B,"sha256":"<hex>"}
 *
 * Keys keep their full prefix. sha256 covers every line before the trailer
 * (each with its "\n"); a file without its trailer is a cut-off copy.
 */

/** The format name in the header; a reader refuses any other. */
export const exportFormat = "seedbed.io/etcd-prefix-export/v1";

/** The first line: what was exported and when. */
export interface ExportHeader {
  /** The tenant the keys belong to. */
  readonly id: string;
  /** The prefix every key starts with ("/<id>/", or "/registry/" from a dedicated etcd). */
  readonly prefix: string;
  /** The etcd revision every key was read at: the export is the prefix as it was then. */
  readonly revision: number;
  /** How many keys follow. */
  readonly keys: number;
  /** When the export started (ISO 8601). */
  readonly takenAt: string;
}

/** One key and its value. */
export interface ExportRecord {
  readonly key: Buffer;
  readonly value: Buffer;
  /** The key was attached to a lease (its lease's remaining time is not kept). */
  readonly hasLease: boolean;
}

/** The last line: totals and the checksum of everything before it. */
export interface ExportTrailer {
  readonly keys: number;
  /** Sum of key and value sizes. */
  readonly bytes: number;
  /** Hex SHA-256 of the header and record lines. */
  readonly sha256: string;
}

/** A parsed line of an export file. */
export type ExportLine = ({ readonly kind: "header" } & ExportHeader) | ({ readonly kind: "record" } & ExportRecord) | ({ readonly kind: "trailer" } & ExportTrailer);

/** The header line (with its "\n"). */
export function headerLine(header: ExportHeader): string {
  return `${JSON.stringify({ format: exportFormat, id: header.id, prefix: header.prefix, revision: header.revision, keys: header.keys, takenAt: header.takenAt })}\n`;
}

/** A record line (with its "\n"). */
export function recordLine(record: ExportRecord): string {
  return `${JSON.stringify({ k: record.key.toString("base64"), v: record.value.toString("base64"), ...(record.hasLease ? { l: true } : {}) })}\n`;
}

/** The trailer line (with its "\n"). */
export function trailerLine(trailer: ExportTrailer): string {
  return `${JSON.stringify({ end: true, keys: trailer.keys, bytes: trailer.bytes, sha256: trailer.sha256 })}\n`;
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

function field<T>(value: unknown, check: (v: unknown) => v is T, what: string, where: string): T {
  if (!check(value)) throw new Error(`${where}: ${what} is missing or malformed; the file is not a tenant export or is damaged`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isBase64 = (v: unknown): v is string => typeof v === "string" && base64.test(v);

/** Parses one line of an export file; throws naming the line and what is wrong with it. */
export function parseExportLine(line: string, lineNumber: number): ExportLine {
  const where = `export line ${lineNumber}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`${where} is not JSON; the file is not a tenant export or is damaged`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${where} is not a JSON object; the file is not a tenant export or is damaged`);
  const o = parsed as Readonly<Record<string, unknown>>;
  if ("format" in o) {
    if (o.format !== exportFormat) throw new Error(`${where}: format ${JSON.stringify(o.format)} is not ${exportFormat}; this Seedbed cannot read it`);
    return {
      kind: "header",
      id: field(o.id, isString, "id", where),
      prefix: field(o.prefix, isString, "prefix", where),
      revision: field(o.revision, isCount, "revision", where),
      keys: field(o.keys, isCount, "keys", where),
      takenAt: field(o.takenAt, isString, "takenAt", where),
    };
  }
  if (o.end === true) {
    return { kind: "trailer", keys: field(o.keys, isCount, "keys", where), bytes: field(o.bytes, isCount, "bytes", where), sha256: field(o.sha256, isString, "sha256", where) };
  }
  return { kind: "record", key: Buffer.from(field(o.k, isBase64, "k (the key)", where), "base64"), value: Buffer.from(field(o.v, isBase64, "v (the value)", where), "base64"), hasLease: o.l === true };
}

/** Limits of one etcd transaction. */
export interface BatchLimits {
  /** Requests per transaction: etcd's --max-txn-ops defaults to 128. */
  readonly maxOps: number;
  /** Key and value bytes per transaction: below etcd's --max-request-bytes (1.5 MiB by default). */
  readonly maxBytes: number;
}

/**
 * Groups records into transactions of at most maxOps records and maxBytes
 * of keys and values; a record larger than maxBytes goes alone (etcd then
 * judges it against its own request limit).
 */
export async function* inBatches<T extends { readonly key: Buffer; readonly value: Buffer }>(records: AsyncIterable<T>, limits: BatchLimits): AsyncGenerator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for await (const record of records) {
    const size = record.key.length + record.value.length;
    if (batch.length > 0 && (batch.length >= limits.maxOps || bytes + size > limits.maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
