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

/** How the REST server sends an asset to a browser that accepts gzip and brotli: its content-encoding and cache-control. */
export interface ServedAs {
  readonly asset: string;
  readonly contentEncoding: string | null;
  readonly cacheControl: string | null;
}

/** Asks the dashboard's server for each asset as a browser would (accept-encoding gzip, br) and reads the headers. */
export async function howServed(dashboardURL: string, assets: readonly string[]): Promise<ServedAs[]> {
  return Promise.all(assets.map(async (asset) => {
    const response = await fetch(new URL(`assets/${asset}`, dashboardURL), { headers: { "accept-encoding": "gzip, br" } });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET /assets/${asset}: ${String(response.status)}`);
    return { asset, contentEncoding: response.headers.get("content-encoding"), cacheControl: response.headers.get("cache-control") };
  }));
}
