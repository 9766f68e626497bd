import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureVolumeDirectory, removeVolumeDirectory } from "./directories.ts";

describe("volume directories", () => {
  const base = mkdtempSync(join(tmpdir(), "seedbed-volumes-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("are made for the owner alone, once, and removed with their contents", async () => {
    const dir = join(base, "pvc-1");
    const old = process.umask(0o077);
    try {
      expect(await ensureVolumeDirectory(dir)).toBe(true);
    } finally {
      process.umask(old);
    }
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    writeFileSync(join(dir, "data"), "x");
    expect(await ensureVolumeDirectory(dir)).toBe(false);
    await removeVolumeDirectory(dir);
    await removeVolumeDirectory(dir);
    expect(() => statSync(dir)).toThrow(/ENOENT/);
  });
});
