import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openWhenCreated } from "./stream-snapshot.ts";

// What the upload reads while etcdctl writes: its .part file, or the finished file when etcdctl was quicker than the first look.
describe("openWhenCreated", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const place = (): { part: string; finished: string } => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-stream-"));
    dirs.push(dir);
    return { part: join(dir, "s.db.part"), finished: join(dir, "s.db") };
  };
  const read = async (handle: Awaited<ReturnType<typeof openWhenCreated>>): Promise<string | undefined> => {
    if (handle === undefined) return undefined;
    try {
      return (await handle.readFile()).toString();
    } finally {
      await handle.close();
    }
  };

  it("opens the .part file once etcdctl has made it", async () => {
    const { part } = place();
    setTimeout(() => writeFileSync(part, "partial"), 50);
    expect(await read(await openWhenCreated(part, () => false))).toBe("partial");
  });

  it("opens the finished file when etcdctl had renamed it before the first look", async () => {
    const { part, finished } = place();
    writeFileSync(finished, "whole");
    expect(await read(await openWhenCreated(part, () => true))).toBe("whole");
  });

  it("gives up when etcdctl exited without writing either", async () => {
    const { part } = place();
    expect(await openWhenCreated(part, () => true)).toBeUndefined();
  });
});
