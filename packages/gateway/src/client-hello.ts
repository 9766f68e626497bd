/**
 * Reads the server_name (SNI) of a TLS ClientHello from the first bytes a
 * client sends, without terminating TLS.
 *
 * Written here on purpose: the npm packages that do this (`sni`, last
 * published years ago, and `sni-reader`) parse one chunk, cannot say
 * "send more" apart from "no SNI", and do not bound what they read. This
 * one is incremental (call it again with everything received so far),
 * never throws, checks every length against its enclosing structure, and
 * gives up past a fixed number of bytes so a client cannot make the proxy
 * buffer without end. Formats: RFC 8446 §5.1 (records), §4.1.2
 * (ClientHello), RFC 6066 §3 (server_name).
 */

/** What the bytes received so far say about the ClientHello's server name. */
export type ClientHelloResult =
  | { readonly status: "need-more" }
  | { readonly status: "ok"; readonly serverName: string }
  | { readonly status: "no-sni" }
  | { readonly status: "invalid"; readonly reason: string };

/**
 * The most bytes, record headers included, a ClientHello may take. A
 * ClientHello fits one 16 KiB record in practice (even with post-quantum
 * key shares it is under 2 KiB); spanning records is allowed by the RFC
 * and accepted here as long as the whole stays within this bound.
 */
export const maxClientHelloBytes = 16 * 1024;

const contentTypeHandshake = 22;
const handshakeTypeClientHello = 1;
const extensionServerName = 0;
const nameTypeHostName = 0;
const recordHeaderBytes = 5;
const maxRecordPayload = 1 << 14;
/** A DNS name is at most 253 characters (one more for a trailing dot). */
const maxHostNameBytes = 254;

const needMore: ClientHelloResult = { status: "need-more" };

function invalid(reason: string): ClientHelloResult {
  return { status: "invalid", reason };
}

/**
 * The server name of the ClientHello at the start of `data` (all bytes
 * received so far on a connection). Bytes after the ClientHello are
 * ignored. The name is returned as sent; callers normalise it.
 */
export function readServerName(data: Uint8Array, maxBytes: number = maxClientHelloBytes): ClientHelloResult {
  const message = reassembleHandshake(data, maxBytes);
  if (!(message instanceof Uint8Array)) return message;
  return parseClientHello(message);
}

/**
 * Joins the fragments of the first handshake message from consecutive
 * handshake records; the message (type, length, body) once complete, or
 * the verdict that it cannot be (yet).
 */
function reassembleHandshake(data: Uint8Array, maxBytes: number): Uint8Array | ClientHelloResult {
  const fragments: Uint8Array[] = [];
  let collected = 0;
  let needed: number | undefined; // bytes of the whole handshake message, once its header is in
  let offset = 0;
  for (;;) {
    if (offset >= maxBytes) return invalid(`no complete ClientHello within ${maxBytes} bytes`);
    const recordLength = recordHeader(data, offset);
    if (typeof recordLength !== "number") return recordLength;
    const available = Math.min(recordLength, data.length - offset - recordHeaderBytes);
    fragments.push(data.subarray(offset + recordHeaderBytes, offset + recordHeaderBytes + available));
    collected += available;
    if (needed === undefined) {
      const length = handshakeLength(fragments, collected, maxBytes);
      if (typeof length !== "number" && length.status === "invalid") return length;
      if (typeof length === "number") needed = length;
    }
    if (needed !== undefined && collected >= needed) return concat(fragments, needed);
    if (available < recordLength) return needMore;
    offset += recordHeaderBytes + recordLength;
  }
}

/** The payload length of the handshake record at `offset`, checked as far as its bytes are in. */
function recordHeader(data: Uint8Array, offset: number): number | ClientHelloResult {
  const received = data.length - offset;
  if (received < 1) return needMore;
  if (data[offset] !== contentTypeHandshake) return invalid(offset === 0 ? "not a TLS handshake record" : "a non-handshake record inside the ClientHello");
  if (received >= 2 && data[offset + 1] !== 3) return invalid("not a TLS record version");
  if (received < recordHeaderBytes) return needMore;
  const recordLength = readUint16(data, offset + 3);
  if (recordLength === 0 || recordLength > maxRecordPayload) return invalid(`a handshake record of ${recordLength} bytes`);
  return recordLength;
}

/** The length of the whole ClientHello message (header included) once its 4-byte header is in. */
function handshakeLength(fragments: readonly Uint8Array[], collected: number, maxBytes: number): number | ClientHelloResult {
  if (collected < 1) return needMore;
  const header = concat(fragments, Math.min(4, collected));
  if (header[0] !== handshakeTypeClientHello) return invalid("the first handshake message is not a ClientHello");
  if (collected < 4) return needMore;
  const length = 4 + ((header[1] ?? 0) << 16) + readUint16(header, 2);
  if (length > maxBytes - recordHeaderBytes) return invalid(`a ClientHello of ${length} bytes exceeds the limit of ${maxBytes}`);
  return length;
}

/** Walks a complete ClientHello message (handshake header included) to its server_name. */
function parseClientHello(message: Uint8Array): ClientHelloResult {
  const body = new Reader(message, 4, message.length);
  body.skip(2 + 32); // legacy_version, random
  const sessionId = body.uint8();
  if (sessionId > 32) return invalid("a legacy_session_id longer than 32 bytes");
  body.skip(sessionId);
  const cipherSuites = body.uint16();
  body.skip(cipherSuites);
  const compression = body.uint8();
  body.skip(compression);
  if (body.failed()) return invalid("truncated ClientHello");
  if (cipherSuites < 2 || cipherSuites % 2 !== 0) return invalid("malformed cipher_suites");
  if (compression < 1) return invalid("empty legacy_compression_methods");
  // Extensions may be absent altogether in a pre-TLS 1.2 hello.
  if (body.remaining === 0) return { status: "no-sni" };
  const extensions = body.sub(body.uint16());
  if (body.failed() || body.remaining !== 0) return invalid("extensions do not fill the ClientHello");
  const seen = new Set<number>();
  let serverName: ClientHelloResult = { status: "no-sni" };
  while (extensions.remaining > 0) {
    const type = extensions.uint16();
    const data = extensions.sub(extensions.uint16());
    if (extensions.failed()) return invalid("truncated extension");
    if (seen.has(type)) return invalid(`extension ${type} appears twice`);
    seen.add(type);
    if (type === extensionServerName) serverName = parseServerNameExtension(data);
  }
  return serverName;
}

/** RFC 6066 §3: a list of (name_type, name); the first host_name counts. */
function parseServerNameExtension(data: Reader): ClientHelloResult {
  const list = data.sub(data.uint16());
  if (data.failed() || data.remaining !== 0 || list.remaining === 0) return invalid("malformed server_name extension");
  while (list.remaining > 0) {
    const nameType = list.uint8();
    const name = list.bytes(list.uint16());
    if (list.failed() || name === undefined) return invalid("truncated server_name entry");
    if (nameType !== nameTypeHostName) continue;
    if (name.length === 0 || name.length > maxHostNameBytes) return invalid(`a host_name of ${name.length} bytes`);
    // Printable ASCII only (RFC 6066: no IDN U-labels); anything else cannot be one of our names.
    if (name.some((byte) => byte <= 0x20 || byte >= 0x7f)) return invalid("a host_name with non-printable or non-ASCII bytes");
    return { status: "ok", serverName: String.fromCharCode(...name) };
  }
  return { status: "no-sni" };
}

/** A bounds-checked cursor: reading past the end sets `failed` and yields zeros instead of throwing. */
class Reader {
  readonly #data: Uint8Array;
  #offset: number;
  readonly #end: number;
  #failed = false;

  constructor(data: Uint8Array, offset: number, end: number) {
    this.#data = data;
    this.#offset = offset;
    this.#end = end;
  }

  /** True once a read went past the end. */
  failed(): boolean {
    return this.#failed;
  }

  get remaining(): number {
    return this.#end - this.#offset;
  }

  #take(n: number): number | undefined {
    if (this.#failed || n > this.remaining) {
      this.#failed = true;
      return undefined;
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  skip(n: number): void {
    this.#take(n);
  }

  uint8(): number {
    const at = this.#take(1);
    return at === undefined ? 0 : (this.#data[at] ?? 0);
  }

  uint16(): number {
    const at = this.#take(2);
    return at === undefined ? 0 : readUint16(this.#data, at);
  }

  bytes(n: number): Uint8Array | undefined {
    const at = this.#take(n);
    return at === undefined ? undefined : this.#data.subarray(at, at + n);
  }

  /** The next `n` bytes as a reader of their own; fails this one if they are not there. */
  sub(n: number): Reader {
    const at = this.#take(n);
    const reader = new Reader(this.#data, at ?? 0, at === undefined ? 0 : at + n);
    if (at === undefined) reader.#failed = true;
    return reader;
  }
}

function readUint16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

/** The first `n` bytes of the fragments, joined. */
function concat(fragments: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let filled = 0;
  for (const fragment of fragments) {
    if (filled >= n) break;
    const part = fragment.subarray(0, n - filled);
    out.set(part, filled);
    filled += part.length;
  }
  return out;
}
