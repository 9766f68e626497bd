import { describe, expect, it } from "vitest";
import { daysUntil, formatDateTime, relativeTime } from "./format.ts";

const now = Date.parse("2026-11-30T12:00:00Z");

describe("relativeTime", () => {
  it.each([
    ["2026-11-30T11:59:50Z", "just now"],
    ["2026-11-30T11:58:00Z", "2 minutes ago"],
    ["2026-11-30T09:00:00Z", "3 hours ago"],
    ["2026-11-29T12:00:00Z", "1 day ago"],
    ["2026-12-02T12:00:00Z", "in 2 days"],
    ["2025-11-29T12:00:00Z", "1 year ago"],
    ["not a date", "not a date"],
  ])("says %s is %s", (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });
});

describe("daysUntil", () => {
  it("counts whole days, negative when past", () => {
    expect(daysUntil("2026-12-10T13:00:00Z", now)).toBe(10);
    expect(daysUntil("2026-11-29T12:00:00Z", now)).toBe(-1);
    expect(daysUntil("nope", now)).toBeUndefined();
  });
});

describe("formatDateTime", () => {
  it("writes UTC to the minute", () => {
    expect(formatDateTime("2026-11-30T17:48:12Z")).toBe("2026-11-30 17:48 UTC");
  });
});
