// The built dashboard's size: each JavaScript and CSS file under
// dist/assets, raw and gzipped (node:zlib at its default level, as a
// server compressing on the fly would).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BundleFile } from "./figures.ts";

/** The .js and .css files of `distDir`/assets with their raw and gzipped sizes (source maps left out). */
export function readBundle(distDir: string): BundleFile[] {
  const assets = join(distDir, "assets");
  return readdirSync(assets)
    .filter((name) => name.endsWith(".js") || name.endsWith(".css"))
    .map((name) => {
      const content = readFileSync(join(assets, name));
      return { name, bytes: content.length, gzipBytes: gzipSync(content).length };
    });
}
