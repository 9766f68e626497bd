import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJSON, configBlob, hostPlatform, indexDocument, manifestBlob, ociLayoutFile, sha256Digest, type LayerBlob } from "../oci/documents.ts";
import { checkReference } from "../oci/reference.ts";
import { planLayer, type LayerEntry, type PlannedEntry } from "../layer/entries.ts";
import { writeLayer, writeTar, type Compression } from "../layer/write.ts";
import type { BuiltImage, ImageSpec } from "./spec.ts";

/** Where built blobs and image tars are kept between runs. */
export interface BuildOptions {
  /** Cache directory: `blobs/sha256/` (layer blobs), `layers/` (which entries gave which blob), `images/` (layout tars). */
  readonly cacheDir: string;
}

// Bumped when the bytes written for the same entries change (tar or gzip
// settings), so old cache records are not reused.
const layerFormat = "seedbed-layer-1";

/**
 * Builds an image as an OCI image layout tar (`oci-layout`, `index.json`,
 * `blobs/sha256/…`) in the cache and returns its path and digests. Layers
 * whose entries (and source files' size and mtime) are unchanged are not
 * written again; an image whose index is unchanged is not rewritten.
 */
export async function buildImage(spec: ImageSpec, options: BuildOptions): Promise<BuiltImage> {
  if (spec.names.length === 0) throw new Error("names: an image needs at least one name, e.g. docker.io/seedbed/etcd:3.6.16-0");
  spec.names.forEach((name, i) => checkReference(name, `names[${i}]`));
  if (spec.layers.length === 0) throw new Error(`layers: image ${spec.names[0] ?? ""} has no layers; give at least one with its files`);
  const platform = spec.platform ?? hostPlatform();
  const layers: LayerBlob[] = [];
  for (const [i, layer] of spec.layers.entries()) layers.push(await cachedLayer(planLayer(layer.entries, `layers[${i}].entries`), layer.compression ?? "gzip", options.cacheDir));
  const config = configBlob(spec.config, layers, platform);
  const manifest = manifestBlob(config.descriptor, layers);
  const index = indexDocument(manifest.descriptor, spec.names, platform);
  const result = { names: spec.names, manifestDigest: manifest.descriptor.digest, configDigest: config.descriptor.digest, layerDigests: layers.map((l) => l.digest) };

  const imagesDir = join(options.cacheDir, "images");
  const path = join(imagesDir, `${slug(spec.names[0] ?? "image")}-${sha256Digest(index).slice(7, 23)}.tar`);
  if (await exists(path)) return { ...result, path, cached: true };
  const blobDir = join(options.cacheDir, "blobs", "sha256");
  const blobs: LayerEntry[] = [
    ...layers.map((l): LayerEntry => ({ type: "file", path: blobPath(l.digest), source: join(blobDir, hexOf(l.digest)) })),
    { type: "file", path: blobPath(config.descriptor.digest), content: config.bytes },
    { type: "file", path: blobPath(manifest.descriptor.digest), content: manifest.bytes },
  ];
  // One layer may appear twice in an image (the same entries); store its blob once.
  const unique = [...new Map(blobs.map((b) => [b.path, b])).values()];
  await mkdir(imagesDir, { recursive: true });
  const temporary = `${path}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    await writeTar(planLayer([{ type: "file", path: "oci-layout", content: ociLayoutFile }, { type: "file", path: "index.json", content: index }, ...unique], "layout"), temporary, "none");
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  await pruneOlder(imagesDir, path);
  return { ...result, path, cached: false };
}

// Earlier tars of the same name are superseded (each can be hundreds of
// MB); the layer blobs stay, since other images may share them.
async function pruneOlder(imagesDir: string, current: string): Promise<void> {
  const name = current.slice(imagesDir.length + 1);
  const same = new RegExp(`^${name.slice(0, -".tar".length - 16).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[0-9a-f]{16}\\.tar$`);
  for (const file of await readdir(imagesDir)) {
    if (file !== name && same.test(file)) await rm(join(imagesDir, file), { force: true });
  }
}

async function cachedLayer(entries: readonly PlannedEntry[], compression: Compression, cacheDir: string): Promise<LayerBlob> {
  const blobDir = join(cacheDir, "blobs", "sha256");
  const record = join(cacheDir, "layers", `${await layerKey(entries, compression)}.json`);
  const known = await readRecord(record);
  if (known !== undefined && (await sizeOf(join(blobDir, hexOf(known.digest)))) === known.size) return known;
  const written = await writeLayer(entries, blobDir, compression);
  const blob: LayerBlob = { mediaType: written.mediaType, digest: written.digest, diffId: written.diffId, size: written.size };
  await mkdir(join(cacheDir, "layers"), { recursive: true });
  await writeFile(record, canonicalJSON(blob));
  return blob;
}

// A layer's cache key: its entries, with host files stood for by their
// path, size, mtime and inode (hashing a 140 MB binary on every build
// would cost as much as writing it).
async function layerKey(entries: readonly PlannedEntry[], compression: Compression): Promise<string> {
  const described = await Promise.all(
    entries.map(async (e) => {
      if (e.type !== "file") return e;
      if ("content" in e) return { ...e, content: sha256Digest(e.content) };
      const s = await stat(e.source);
      return { ...e, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev };
    }),
  );
  return sha256Digest(canonicalJSON({ layerFormat, compression, entries: described })).slice(7);
}

async function readRecord(path: string): Promise<LayerBlob | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LayerBlob;
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await sizeOf(path)) !== undefined;
}

function hexOf(digest: string): string {
  return digest.slice("sha256:".length);
}

function blobPath(digest: string): string {
  return `blobs/sha256/${hexOf(digest)}`;
}

/** `docker.io/seedbed/etcd:3.6.16-0` → `docker.io_seedbed_etcd_3.6.16-0`, for file names. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]+/g, "_");
}
