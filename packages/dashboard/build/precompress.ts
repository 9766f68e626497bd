// A Vite plugin: after the build, each script, style sheet and page gets a
// brotli (.br) and a gzip (.gz) copy beside it, which the REST server sends
// to browsers that accept them (@fastify/static preCompressed): the bundle
// travels at a third of its size with no compression work per request.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

const compressible = /\.(js|css|html|svg|json)$/;

/** Writes <file>.br and <file>.gz for every compressible file under `dir`. */
export function precompress(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !compressible.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const content = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
  }
}

/** The plugin: runs precompress over the output directory once the bundle is written. */
export function precompressPlugin(): Plugin {
  let outDir = "dist";
  return {
    name: "seedbed-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      precompress(outDir);
    },
  };
}
