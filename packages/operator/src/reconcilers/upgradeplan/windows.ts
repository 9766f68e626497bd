import { weekdays, type MaintenanceWindow } from "@seedbed/api";
import { durationMs } from "../duration.ts";

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
// A window lasts at most 168h (admission): one opened up to 8 days ago may still be open.
const lookBackDays = 8;

/** Whether a cluster's maintenance windows let an upgrade begin now, and when that changes. */
export interface WindowState {
  readonly open: boolean;
  /** While open: when the last window open now closes (ms); undefined without windows. */
  readonly closesAt?: number;
  /** While closed: when the next window opens (ms). */
  readonly nextOpen?: number;
}

/** The day name (Mon..Sun) of a UTC midnight. */
function weekdayOf(dayStart: number): (typeof weekdays)[number] {
  // getUTCDay: 0 is Sunday; weekdays starts on Monday.
  return weekdays[(new Date(dayStart).getUTCDay() + 6) % 7] ?? "Mon";
}

/** The [start, end) intervals (ms) of one window that open from `lookBackDays` before `now`'s day to a week after it. */
function intervalsOf(window: MaintenanceWindow, now: number): { start: number; end: number }[] {
  const [hours = 0, minutes = 0] = window.start.split(":").map(Number);
  const length = durationMs(window.duration);
  const today = Math.floor(now / dayMs) * dayMs;
  const intervals: { start: number; end: number }[] = [];
  for (let offset = -lookBackDays; offset <= 7; offset++) {
    const day = today + offset * dayMs;
    if (window.days !== undefined && !window.days.includes(weekdayOf(day))) continue;
    const start = day + hours * 60 * minuteMs + minutes * minuteMs;
    intervals.push({ start, end: start + length });
  }
  return intervals;
}

/**
 * Whether `now` (ms) lies inside any of the windows (each opening on its
 * days, UTC, at `start` for `duration`: a window opening late on Sunday
 * that runs past midnight is open on Monday morning too), and when the
 * next one opens. No windows: always open. Pure.
 */
export function windowState(windows: readonly MaintenanceWindow[], now: number): WindowState {
  if (windows.length === 0) return { open: true };
  let closesAt: number | undefined;
  let nextOpen: number | undefined;
  for (const window of windows) {
    for (const { start, end } of intervalsOf(window, now)) {
      if (start <= now && now < end) closesAt = Math.max(closesAt ?? end, end);
      else if (start > now) nextOpen = Math.min(nextOpen ?? start, start);
    }
  }
  if (closesAt !== undefined) return { open: true, closesAt };
  return nextOpen === undefined ? { open: false } : { open: false, nextOpen };
}

/** "Mon,Wed 02:00+4h; 22:00+3h": a cluster's windows in a line, for messages. Pure. */
export function describeWindows(windows: readonly MaintenanceWindow[]): string {
  return windows.map((w) => `${w.days === undefined ? "" : `${w.days.join(",")} `}${w.start}+${w.duration}`).join("; ");
}
