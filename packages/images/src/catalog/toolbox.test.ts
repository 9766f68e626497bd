import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../../test/read-tar.ts";
import { buildImage } from "../layout/build.ts";
import { catalogReference, parseImageIds } from "./catalog.ts";
import { isStaticExecutable } from "./static-binary.ts";
import { defaultBusybox, toolboxApplets, toolboxImage, toolboxReference } from "./toolbox.ts";

/** A minimal little-endian ELF64 header with program headers of the given types (3 = PT_INTERP: dynamically linked). */
function elf(programTypes: readonly number[]): Buffer {
  const header = Buffer.alloc(64);
  header.write("\x7fELF", 0, "latin1");
  header[4] = 2;
  header[5] = 1;
  header.writeBigUInt64LE(64n, 0x20);
  header.writeUInt16LE(56, 0x36);
  header.writeUInt16LE(programTypes.length, 0x38);
  const programs = programTypes.map((type) => {
    const entry = Buffer.alloc(56);
    entry.writeUInt32LE(type, 0);
    return entry;
  });
  return Buffer.concat([header, ...programs]);
}

let dir: string;
const file = (name: string): string => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "seedbed-toolbox-"));
  await writeFile(file("static"), elf([1, 1, 4]), { mode: 0o755 });
  await writeFile(file("dynamic"), elf([6, 3, 1]), { mode: 0o755 });
  await writeFile(file("script"), "#!/bin/sh\n", { mode: 0o755 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("isStaticExecutable", () => {
  it.each([
    ["no program headers", elf([]), true],
    ["LOAD, LOAD, NOTE", elf([1, 1, 4]), true],
    ["a PT_INTERP among them", elf([6, 3, 1]), false],
  ])("reads %s", async (_, bytes, expected) => {
    const path = file(`elf-${String(expected)}-${bytes.length}`);
    await writeFile(path, bytes);
    expect(isStaticExecutable(path)).toBe(expected);
  });

  it("finds the dynamic loader of the running node binary and refuses a script", () => {
    expect(isStaticExecutable(process.execPath)).toBe(false);
    expect(() => isStaticExecutable(file("script"))).toThrow(/is not an ELF executable/);
  });
});

describe("the toolbox image", () => {
  it("is named seedbed.dev/toolbox:latest whatever the registry, and is in the catalog", async () => {
    expect(toolboxReference).toBe("seedbed.dev/toolbox:latest");
    expect(await catalogReference("toolbox", { registry: "registry.example.com/x" })).toBe("seedbed.dev/toolbox:latest");
    expect(parseImageIds([])).toContain("toolbox");
  });

  it("puts busybox in /bin with a link per applet, runs sh as its command as nonroot", () => {
    const spec = toolboxImage({ busybox: file("static") });
    expect(spec.names).toEqual(["seedbed.dev/toolbox:latest"]);
    expect(spec.config).toEqual({ cmd: ["/bin/sh"], env: ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/nonroot"], user: "65532:65532", workingDir: "/home/nonroot" });
    const entries = spec.layers[1]?.entries ?? [];
    expect(entries[0]).toEqual({ type: "file", path: "/bin/busybox", source: file("static"), mode: 0o755 });
    const links = new Map(entries.flatMap((e) => (e.type === "symlink" ? [[e.path, e.target] as const] : [])));
    for (const applet of ["sh", "sleep", "wget", "nslookup", "nc", "cat", "ls", "echo", "env", "hostname", "ip"]) expect(links.get(`/bin/${applet}`)).toBe("busybox");
    expect(links.get("/usr/bin/env")).toBe("../../bin/busybox");
    expect(links.size).toBe(toolboxApplets.length + 1);
    expect(new Set(toolboxApplets).size).toBe(toolboxApplets.length);
  });

  it.each([
    ["missing", "missing", /needs .*missing, which is missing; install Debian's busybox-static with tools\/node\/ensure-containerd.sh \(or apt-get install busybox-static\)/],
    ["dynamically linked", "dynamic", /dynamically linked .* install Debian's busybox-static with tools\/node\/ensure-containerd.sh/],
    ["no program", "script", /script is not an ELF executable; install Debian's busybox-static/],
  ])("says how to install busybox-static when busybox is %s", (_, name, message) => {
    expect(() => toolboxImage({ busybox: file(name) })).toThrow(message);
  });

  // Debian's busybox-static, as tools/node/ensure-containerd.sh installs it (make node-bins).
  it.skipIf(!existsSync(defaultBusybox))("builds from Debian's busybox-static, which has every applet linked", async () => {
    const listed = new Set(spawnSync(defaultBusybox, ["--list"], { encoding: "utf8" }).stdout.split("\n"));
    expect(toolboxApplets.filter((applet) => !listed.has(applet))).toEqual([]);
    const built = await buildImage(toolboxImage(), { cacheDir: file("cache") });
    const blobs = new Map((await readTar(built.path)).map((e) => [e.header.name, e.bytes]));
    const layer = blobs.get(`blobs/sha256/${built.layerDigests[1]?.slice(7) ?? ""}`);
    const inside = new Map((await readTar(layer ?? Buffer.alloc(0))).map((e) => [e.header.name, e.header]));
    expect(inside.get("bin/busybox")).toMatchObject({ type: "file", mode: 0o755, uid: 0 });
    expect(inside.get("bin/sh")).toMatchObject({ type: "symlink", linkname: "busybox" });
    expect(inside.get("bin/nslookup")).toMatchObject({ type: "symlink", linkname: "busybox" });
  });
});
