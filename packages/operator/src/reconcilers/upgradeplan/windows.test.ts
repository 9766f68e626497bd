import type { MaintenanceWindow } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { describeWindows, windowState } from "./windows.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
// 2026-11-29 is a Sunday, 2026-11-30 a Monday.
const nightly: MaintenanceWindow = { start: "02:00", duration: "4h" };
const weekend: MaintenanceWindow = { days: ["Sat", "Sun"], start: "10:00", duration: "2h" };
const sundayLate: MaintenanceWindow = { days: ["Sun"], start: "23:00", duration: "3h" };
const weekLong: MaintenanceWindow = { days: ["Mon"], start: "00:00", duration: "168h" };
const early: MaintenanceWindow = { start: "05:00", duration: "2h" };
const weekdaysOnly: MaintenanceWindow = { days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "09:30", duration: "30m" };

describe("windowState", () => {
  it.each([
    ["no windows: always open", [], "2026-11-29T12:00:00Z", true, undefined, undefined],
    ["inside a daily window", [nightly], "2026-11-29T03:00:00Z", true, "2026-11-29T06:00:00.000Z", undefined],
    ["at its opening minute", [nightly], "2026-11-29T02:00:00Z", true, "2026-11-29T06:00:00.000Z", undefined],
    ["at its closing minute: closed, the next tomorrow", [nightly], "2026-11-29T06:00:00Z", false, undefined, "2026-11-30T02:00:00.000Z"],
    ["before it opens today", [nightly], "2026-11-29T01:00:00Z", false, undefined, "2026-11-29T02:00:00.000Z"],
    ["a weekend window on Sunday", [weekend], "2026-11-29T11:00:00Z", true, "2026-11-29T12:00:00.000Z", undefined],
    ["a weekend window on Monday: the next is Saturday", [weekend], "2026-11-30T11:00:00Z", false, undefined, "2026-12-05T10:00:00.000Z"],
    ["a Sunday window past midnight counts on Monday", [sundayLate], "2026-11-30T01:30:00Z", true, "2026-11-30T02:00:00.000Z", undefined],
    ["and closes on Monday when it ends", [sundayLate], "2026-11-30T02:00:00Z", false, undefined, "2026-12-06T23:00:00.000Z"],
    ["weekdays only, on a Sunday: Monday morning", [weekdaysOnly], "2026-11-29T09:45:00Z", false, undefined, "2026-11-30T09:30:00.000Z"],
    ["the earliest of several windows opens next", [weekend, weekdaysOnly], "2026-11-28T13:00:00Z", false, undefined, "2026-11-29T10:00:00.000Z"],
    ["overlapping windows: open until the later closes", [nightly, early], "2026-11-29T05:30:00Z", true, "2026-11-29T07:00:00.000Z", undefined],
    ["a week-long window opened six days ago", [weekLong], "2026-11-29T23:00:00Z", true, "2026-11-30T00:00:00.000Z", undefined],
  ] as const)("%s", (_title, windows, now, open, closesAt, nextOpen) => {
    const state = windowState(windows, at(now));
    expect(state.open).toBe(open);
    expect(iso(state.closesAt)).toBe(closesAt);
    expect(iso(state.nextOpen)).toBe(nextOpen);
  });

  it("describes windows in a line", () => {
    expect(describeWindows([weekend, nightly])).toBe("Sat,Sun 10:00+2h; 02:00+4h");
  });
});
