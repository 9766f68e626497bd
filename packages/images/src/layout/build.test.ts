import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar, type TarEntry } from "../../test/read-tar.ts";
import { buildImage } from "./build.ts";
import type { ImageSpec } from "./spec.ts";

const sha = (bytes: Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const json = (bytes: Buffer | undefined): Record<string, unknown> => JSON.parse(bytes?.toString("utf8") ?? "null") as Record<string, unknown>;

let dir: string;
let hostFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "seedbed-images-"));
  hostFile = join(dir, "program");
  await writeFile(hostFile, Buffer.alloc(200_000, 7), { mode: 0o700 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function spec(): ImageSpec {
  return {
    names: ["docker.io/seedbed/example:1.0", "registry.example.com/other/example:v1"],
    platform: { os: "linux", architecture: "amd64" },
    layers: [
      { entries: [{ type: "file", path: "/etc/passwd", content: "nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n" }, { type: "directory", path: "/tmp", mode: 0o1777 }] },
      {
        compression: "none",
        entries: [
          { type: "file", path: "/usr/local/bin/program", source: hostFile, mode: 0o755 },
          { type: "symlink", path: "/usr/local/bin/alias", target: "program" },
          { type: "file", path: "/home/nonroot/.keep", content: "", uid: 65532, gid: 65532, mode: 0o600 },
        ],
      },
    ],
    config: { entrypoint: ["/usr/local/bin/alias"], cmd: ["--help"], env: ["PATH=/usr/local/bin:/usr/bin:/bin"], user: "65532:65532", workingDir: "/" },
  };
}

async function layout(path: string): Promise<Map<string, TarEntry>> {
  return new Map((await readTar(path)).map((e) => [e.header.name, e]));
}

describe("buildImage", () => {
  it("writes an OCI layout whose index, manifest, config and layers match their digests", async () => {
    const built = await buildImage(spec(), { cacheDir: join(dir, "a") });
    const files = await layout(built.path);
    expect([...files.keys()]).toEqual(["blobs/", "blobs/sha256/", ...[...files.keys()].filter((k) => k.startsWith("blobs/sha256/") && k.length > 13).sort(), "index.json", "oci-layout"]);
    expect(json(files.get("oci-layout")?.bytes)).toEqual({ imageLayoutVersion: "1.0.0" });
    for (const [name, entry] of files) {
      if (name.startsWith("blobs/sha256/") && entry.header.type === "file") expect(sha(entry.bytes)).toBe(`sha256:${name.slice(13)}`);
    }
    const blob = (digest: unknown): Buffer => {
      const entry = files.get(`blobs/sha256/${String(digest).slice(7)}`);
      if (entry === undefined) throw new Error(`blob ${String(digest)} missing`);
      return entry.bytes;
    };

    const index = json(files.get("index.json")?.bytes);
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json" });
    const descriptors = index.manifests as { digest: string; size: number; annotations: Record<string, string> }[];
    expect(descriptors.map((d) => d.annotations)).toEqual([
      { "io.containerd.image.name": "docker.io/seedbed/example:1.0", "org.opencontainers.image.ref.name": "1.0" },
      { "io.containerd.image.name": "registry.example.com/other/example:v1", "org.opencontainers.image.ref.name": "v1" },
    ]);
    expect(descriptors[0]).toMatchObject({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: built.manifestDigest, platform: { os: "linux", architecture: "amd64" } });
    expect(blob(built.manifestDigest).length).toBe(descriptors[0]?.size);

    const manifest = json(blob(built.manifestDigest));
    const layers = manifest.layers as { mediaType: string; digest: string; size: number }[];
    expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: built.configDigest } });
    expect(layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar"]);
    expect(layers.map((l) => blob(l.digest).length)).toEqual(layers.map((l) => l.size));

    const config = json(blob(built.configDigest));
    expect(config).toMatchObject({ os: "linux", architecture: "amd64", config: { Entrypoint: ["/usr/local/bin/alias"], Cmd: ["--help"], User: "65532:65532", WorkingDir: "/", Env: ["PATH=/usr/local/bin:/usr/bin:/bin"] } });
    const layerTars = layers.map((l) => (l.mediaType.endsWith("+gzip") ? gunzipSync(blob(l.digest)) : blob(l.digest)));
    expect((config.rootfs as { diff_ids: string[] }).diff_ids).toEqual(layerTars.map(sha));
  });

  it("puts files, modes, owners, directories and symlinks into the layers", async () => {
    const built = await buildImage(spec(), { cacheDir: join(dir, "b") });
    const files = await layout(built.path);
    const second = await readTar(files.get(`blobs/sha256/${built.layerDigests[1]?.slice(7) ?? ""}`)?.bytes ?? Buffer.alloc(0));
    expect(second.map((e) => [e.header.name, e.header.type, e.header.mode.toString(8), e.header.uid, e.header.linkname])).toEqual([
      ["home/", "directory", "755", 0, null],
      ["home/nonroot/", "directory", "755", 0, null],
      ["home/nonroot/.keep", "file", "600", 65532, null],
      ["usr/", "directory", "755", 0, null],
      ["usr/local/", "directory", "755", 0, null],
      ["usr/local/bin/", "directory", "755", 0, null],
      ["usr/local/bin/alias", "symlink", "777", 0, "program"],
      ["usr/local/bin/program", "file", "755", 0, null],
    ]);
    expect(second.every((e) => e.header.mtime.getTime() === 0)).toBe(true);
    expect(second.at(-1)?.bytes.equals(await readFile(hostFile))).toBe(true);
    const first = await readTar(files.get(`blobs/sha256/${built.layerDigests[0]?.slice(7) ?? ""}`)?.bytes ?? Buffer.alloc(0));
    expect(first.map((e) => [e.header.name, e.header.mode.toString(8)])).toEqual([["etc/", "755"], ["etc/passwd", "644"], ["tmp/", "1777"]]);
  });

  it("gives byte-identical tars for the same inputs, from a cold or a warm cache", async () => {
    const cold = await buildImage(spec(), { cacheDir: join(dir, "c") });
    const other = await buildImage(spec(), { cacheDir: join(dir, "d") });
    expect(other.path).not.toBe(cold.path);
    expect(other.manifestDigest).toBe(cold.manifestDigest);
    expect((await readFile(other.path)).equals(await readFile(cold.path))).toBe(true);
    const warm = await buildImage(spec(), { cacheDir: join(dir, "c") });
    expect(warm).toMatchObject({ cached: true, path: cold.path, manifestDigest: cold.manifestDigest });
  });

  it("changes the digests when a file changes, and keeps the unchanged layer", async () => {
    const before = await buildImage(spec(), { cacheDir: join(dir, "e") });
    await writeFile(hostFile, Buffer.alloc(200_000, 8));
    const after = await buildImage(spec(), { cacheDir: join(dir, "e") });
    expect(after.manifestDigest).not.toBe(before.manifestDigest);
    expect(after.layerDigests[0]).toBe(before.layerDigests[0]);
    expect(after.layerDigests[1]).not.toBe(before.layerDigests[1]);
    // The superseded tar of the same name is gone; the new one is there.
    expect(await readdir(join(dir, "e", "images"))).toEqual([basename(after.path)]);
  });

  it("refuses a short name and an image without layers, naming the field", async () => {
    await expect(buildImage({ ...spec(), names: ["etcd:1"] }, { cacheDir: join(dir, "f") })).rejects.toThrow(/names\[0\]: "etcd:1" is not a full image reference/);
    await expect(buildImage({ ...spec(), layers: [] }, { cacheDir: join(dir, "f") })).rejects.toThrow(/layers: image docker.io\/seedbed\/example:1.0 has no layers/);
    await expect(buildImage({ ...spec(), layers: [{ entries: [{ type: "file", path: "x", source: join(dir, "missing") }] }] }, { cacheDir: join(dir, "f") })).rejects.toThrow(/ENOENT.*missing/);
  });
});
