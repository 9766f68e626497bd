// Dates and durations for people: pure, tested in format.test.ts.

const units: [number, string][] = [
  [365 * 24 * 3600, "year"],
  [30 * 24 * 3600, "month"],
  [7 * 24 * 3600, "week"],
  [24 * 3600, "day"],
  [3600, "hour"],
  [60, "minute"],
];

/** "3 hours ago", "in 2 days", "just now"; an unparsable date is returned as given. */
export function relativeTime(iso: string, nowMs: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - nowMs) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  for (const [size, unit] of units) {
    if (abs >= size) return phrase(Math.floor(abs / size), unit, seconds < 0);
  }
  return phrase(Math.max(1, Math.round(abs / 60)), "minute", seconds < 0);
}

function phrase(count: number, unit: string, past: boolean): string {
  const text = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return past ? `${text} ago` : `in ${text}`;
}

/** Whole days from now until a date (negative when past); undefined when unparsable. */
export function daysUntil(iso: string, nowMs: number): number | undefined {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return undefined;
  return Math.floor((then - nowMs) / (24 * 3600 * 1000));
}

/** A date and time in UTC, e.g. "2026-11-30 17:48 UTC". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
