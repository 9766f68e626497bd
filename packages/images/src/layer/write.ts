import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pack as tarPack, type Pack } from "tar-stream";
import { mediaTypes } from "../oci/media-types.ts";
import type { LayerBlob } from "../oci/documents.ts";
import type { PlannedEntry } from "./entries.ts";

type HeaderArgument = Parameters<Pack["entry"]>[0];
type Sink = ReturnType<Pack["entry"]>;

/** How a layer blob is stored: gzip (what registries and every runtime take) or a plain tar (no compression time, larger). */
export type Compression = "gzip" | "none";

/** A layer written into a blob directory. */
export interface WrittenLayer extends LayerBlob {
  /** The blob's path: `<blobDir>/<hex digest>`. */
  readonly path: string;
}

// Every entry gets the same time and no user or group names, so a tar's
// bytes depend on the files alone.
const mtime = new Date(0);
// Level 6 is zlib's default; fixed here because the level changes the
// bytes and so the digest.
const gzipLevel = 6;

/** What writing a tar produced: digests of the tar and of the stored bytes. */
export interface WrittenTar {
  /** Digest of the bytes written (the gzip stream when compressed). */
  readonly digest: string;
  /** Digest of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes written. */
  readonly size: number;
}

/**
 * Writes a tar of the planned entries to `destination`, gzipped or not,
 * and returns its digests. The tar and the gzip stream are deterministic:
 * the same entries and file contents give the same bytes.
 */
export async function writeTar(entries: readonly PlannedEntry[], destination: string, compression: Compression): Promise<WrittenTar> {
  const diffHash = new Hashing();
  const blobHash = new Hashing();
  const pack = tarPack();
  const output = createWriteStream(destination);
  await Promise.all([
    compression === "gzip"
      ? pipeline(chunksOf(pack), diffHash, createGzip({ level: gzipLevel }), blobHash, output)
      : pipeline(chunksOf(pack), diffHash, blobHash, output),
    fill(pack, entries).catch((error: unknown) => {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }),
  ]);
  return { digest: blobHash.digest(), diffId: diffHash.digest(), size: blobHash.size };
}

/**
 * Writes one layer into `blobDir` under its digest (written to a temporary
 * name first, so a crash never leaves a blob whose name lies about it).
 */
export async function writeLayer(entries: readonly PlannedEntry[], blobDir: string, compression: Compression): Promise<WrittenLayer> {
  await mkdir(blobDir, { recursive: true });
  const temporary = join(blobDir, `.tmp-${randomBytes(6).toString("hex")}`);
  try {
    const tar = await writeTar(entries, temporary, compression);
    const path = join(blobDir, tar.digest.slice("sha256:".length));
    await rename(temporary, path);
    return { mediaType: compression === "gzip" ? mediaTypes.layerGzip : mediaTypes.layer, ...tar, path };
  } finally {
    await rm(temporary, { force: true });
  }
}

async function* chunksOf(pack: Pack): AsyncGenerator<Buffer> {
  for await (const chunk of pack) yield chunk as Buffer;
}

async function fill(pack: Pack, entries: readonly PlannedEntry[]): Promise<void> {
  for (const entry of entries) {
    const header: HeaderArgument = { name: entry.type === "directory" ? `${entry.path}/` : entry.path, mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime, uname: "", gname: "" };
    if (entry.type === "directory") await added(pack, { ...header, type: "directory" });
    else if (entry.type === "symlink") await added(pack, { ...header, type: "symlink", linkname: entry.target });
    else if ("content" in entry) await added(pack, { ...header, type: "file", size: entry.content.length }, entry.content);
    else await addHostFile(pack, header, entry.source);
  }
  pack.finalize();
}

function added(pack: Pack, header: HeaderArgument, content?: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (content === undefined) pack.entry(header, done);
    else pack.entry(header, content, done);
  });
}

// Streams a host file into the tar (a 140 MB binary never sits in memory),
// sized from the open descriptor so a file replaced meanwhile cannot
// produce a corrupt entry.
async function addHostFile(pack: Pack, header: HeaderArgument, source: string): Promise<void> {
  const handle = await open(source, "r");
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${source} is not a regular file; an image file entry must name one`);
    let sink: Sink | undefined;
    const done = new Promise<void>((resolve, reject) => {
      sink = pack.entry({ ...header, type: "file", size: stat.size }, (error) => (error ? reject(error) : resolve()));
    });
    if (sink === undefined) throw new Error("tar-stream returned no entry");
    const chunks = stat.size === 0 ? [] : createReadStream("", { fd: handle, autoClose: false, start: 0, end: stat.size - 1 });
    for await (const chunk of chunks) {
      if (!sink.write(chunk as Buffer)) await new Promise<void>((resolve) => sink?.once("drain", () => resolve()));
    }
    // streamx's end takes an optional last chunk; there is none.
    sink.end(undefined);
    await done;
  } finally {
    await handle.close();
  }
}

/** A pass-through that hashes and counts what flows through it. */
class Hashing extends Transform {
  readonly #hash = createHash("sha256");
  #hex: string | undefined;
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** `sha256:<hex>` of everything that passed; call after the stream ended. */
  digest(): string {
    this.#hex ??= this.#hash.digest("hex");
    return `sha256:${this.#hex}`;
  }
}
