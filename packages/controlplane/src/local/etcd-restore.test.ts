import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { abandonStaging, beginStaging, holdForRestore, restoreCompleted, restoreFiles, restoreHold, swapInRestoredData, type RestoreFiles } from "./etcd-restore.ts";

// A restore's steps on disk, and what the next attempt makes of each state a crash can leave.
describe("a local restore's steps", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const cluster = (): RestoreFiles => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-restore-steps-"));
    dirs.push(dir);
    const files = restoreFiles(dir);
    mkdirSync(files.etcd);
    writeFileSync(join(files.etcd, "db"), "live");
    return files;
  };
  const stage = (files: RestoreFiles): void => {
    const staging = beginStaging(files);
    mkdirSync(staging);
    writeFileSync(join(staging, "db"), "restored");
  };

  it("stages, holds, swaps and records, leaving only the restored data and the record", () => {
    const files = cluster();
    stage(files);
    expect(restoreHold(files)).toBeUndefined();
    holdForRestore(files, "r1");
    expect(restoreHold(files)).toBe("r1");
    swapInRestoredData(files, "r1");
    expect(readFileSync(join(files.etcd, "db"), "utf8")).toBe("restored");
    expect(restoreCompleted(files, "r1")).toBe(true);
    expect(restoreHold(files)).toBeUndefined();
    expect(existsSync(files.work)).toBe(false);
  });

  it("resumes a swap killed after the live data was moved aside, before the restored data was moved in", () => {
    const files = cluster();
    stage(files);
    holdForRestore(files, "r1");
    // The first rename done, as a crash right after it leaves things.
    renameSync(files.etcd, files.previous);
    swapInRestoredData(files, "r1");
    expect(readFileSync(join(files.etcd, "db"), "utf8")).toBe("restored");
    expect(restoreCompleted(files, "r1")).toBe(true);
  });

  it("finishes a swap killed after both renames, before the record", () => {
    const files = cluster();
    stage(files);
    holdForRestore(files, "r1");
    swapInRestoredData(files, "r1");
    // As if the record had not been written: the hold is back.
    rmSync(files.record);
    mkdirSync(files.work, { recursive: true });
    writeFileSync(files.hold, JSON.stringify({ id: "r1" }));
    swapInRestoredData(files, "r1");
    expect(readFileSync(join(files.etcd, "db"), "utf8")).toBe("restored");
    expect(restoreCompleted(files, "r1")).toBe(true);
  });

  it("drops staging that never held the cluster, and keeps a hold", () => {
    const files = cluster();
    stage(files);
    abandonStaging(files);
    expect(existsSync(files.work)).toBe(false);
    stage(files);
    holdForRestore(files, "r2");
    abandonStaging(files);
    expect(restoreHold(files)).toBe("r2");
    expect(readFileSync(join(files.etcd, "db"), "utf8")).toBe("live");
  });
});
