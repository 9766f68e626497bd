import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { extract, type Header } from "tar-stream";

/** One entry of a tar read back: its header and bytes. */
export interface TarEntry {
  readonly header: Header;
  readonly bytes: Buffer;
}

/** Reads a whole tar (a file path or bytes, gzipped or not) into entries in tar order. */
export async function readTar(source: string | Buffer): Promise<TarEntry[]> {
  const input = typeof source === "string" ? createReadStream(source) : Readable.from([source[0] === 0x1f && source[1] === 0x8b ? gunzipSync(source) : source]);
  const reader = extract();
  const entries: TarEntry[] = [];
  const reading = (async (): Promise<void> => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ header: entry.header, bytes: Buffer.concat(chunks) });
    }
  })();
  input.pipe(reader);
  await reading;
  return entries;
}
