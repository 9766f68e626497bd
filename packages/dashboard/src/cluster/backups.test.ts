import { describe, expect, it } from "vitest";
import type { EtcdBackup, EtcdRestore } from "../api/types.ts";
import { backupsOf, formatBytes, restorable, restoresOf, timedName, unfinished } from "./backups.ts";

const backup = (name: string, cluster: string, phase: string | undefined, completionTime?: string): EtcdBackup => ({
  metadata: { name, creationTimestamp: "2026-11-30T00:00:00Z" },
  spec: { clusterName: cluster },
  ...(phase === undefined ? {} : { status: { phase, ...(completionTime === undefined ? {} : { completionTime }) } }),
});
const restore = (name: string, cluster: string, phase: string, created: string): EtcdRestore => ({ metadata: { name, creationTimestamp: created }, spec: { clusterName: cluster }, status: { phase } });

describe("backupsOf", () => {
  it("keeps the cluster's own, newest first", () => {
    const list = [backup("old", "prod", "Completed", "2026-11-29T00:00:00Z"), backup("other", "dev", "Completed", "2026-11-30T05:00:00Z"), backup("new", "prod", "Completed", "2026-11-30T01:00:00Z")];
    expect(backupsOf(list, "prod").map((b) => b.metadata.name)).toEqual(["new", "old"]);
  });
});

describe("restoresOf", () => {
  it("keeps the restores into the cluster, newest first", () => {
    const list = [restore("r1", "prod", "Completed", "2026-11-01T00:00:00Z"), restore("r2", "prod", "Restoring", "2026-11-02T00:00:00Z"), restore("r3", "dev", "Pending", "2026-11-03T00:00:00Z")];
    expect(restoresOf(list, "prod").map((r) => r.metadata.name)).toEqual(["r2", "r1"]);
  });
});

describe("restorable and unfinished", () => {
  it("restores only from completed backups", () => {
    expect(restorable(backup("b", "prod", "Completed"))).toBe(true);
    expect(restorable(backup("b", "prod", "Running"))).toBe(false);
    expect(restorable(backup("b", "prod", "Failed"))).toBe(false);
  });

  it("counts a backup or restore without a final phase as unfinished", () => {
    expect(unfinished(backup("b", "prod", "Completed"))).toBe(false);
    expect(unfinished(restore("r", "prod", "Failed", ""))).toBe(false);
    expect(unfinished(backup("b", "prod", undefined))).toBe(true);
    expect(unfinished(backup("b", "prod", "Running"))).toBe(true);
    expect(unfinished(restore("r", "prod", "Restoring", ""))).toBe(true);
  });
});

describe("timedName", () => {
  it("is a DNS label naming the cluster and the UTC time", () => {
    const name = timedName("prod", "manual", new Date("2026-11-30T17:48:12.345Z"));
    expect(name).toBe("prod-manual-20261130-174812");
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(timedName("a".repeat(30), "restore", new Date()).length).toBeLessThanOrEqual(63);
  });
});

describe("formatBytes", () => {
  it.each([[undefined, "—"], [512, "512 B"], [2048, "2.0 KiB"], [5 * 1024 * 1024 + 300_000, "5.3 MiB"]])("writes %s as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
