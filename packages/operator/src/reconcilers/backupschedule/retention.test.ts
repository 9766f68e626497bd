import { describe, expect, it } from "vitest";
import type { ScheduledBackup } from "./plan.ts";
import { pruneScheduled } from "./retention.ts";

const backup = (name: string, created: string, phase: ScheduledBackup["phase"] = "Completed"): ScheduledBackup => ({ name, createdAt: Date.parse(created), phase });

// Hourly snapshots over three days (Friday 27 to Sunday 29 November 2026), b000 the oldest.
const hourly = Array.from({ length: 72 }, (_, i) => backup(`b${String(i).padStart(3, "0")}`, new Date(Date.parse("2026-11-27T00:30:00Z") + i * 3_600_000).toISOString()));
const kept = (pruned: readonly string[]): string[] => hourly.map((b) => b.name).filter((n) => !pruned.includes(n));

describe("pruneScheduled", () => {
  it("keeps the newest `retention` completed without thinning", () => {
    expect(kept(pruneScheduled(hourly, 3))).toEqual(["b069", "b070", "b071"]);
  });

  it.each([
    { title: "the newest of each of the last 6 hours (the retention count already covers 3)", thinning: { hourly: 6 }, expected: ["b066", "b067", "b068", "b069", "b070", "b071"] },
    { title: "the newest of each of the last 3 days", thinning: { daily: 3 }, expected: ["b023", "b047", "b069", "b070", "b071"] },
    { title: "hours, days and weeks together (27 Nov is a Friday: one week before the 30th)", thinning: { hourly: 4, daily: 2, weekly: 2 }, expected: ["b047", "b068", "b069", "b070", "b071"] },
  ])("keeps $title", ({ thinning, expected }) => {
    expect(kept(pruneScheduled(hourly, 3, thinning))).toEqual(expected);
  });

  it("keeps failed or running ones newer than the kept completed ones, and counts only completed ones", () => {
    const backups = [backup("a", "2026-11-29T10:00:00Z"), backup("b", "2026-11-29T11:00:00Z", "Failed"), backup("c", "2026-11-29T12:00:00Z"), backup("d", "2026-11-29T13:00:00Z", "Running")];
    expect(pruneScheduled(backups, 1)).toEqual(["a", "b"]);
    expect(pruneScheduled(backups, 2)).toEqual([]);
    expect(pruneScheduled(backups, 5)).toEqual([]);
  });
});
