import type { ScheduledBackup } from "./plan.ts";

/** How many of the newest hours, days and weeks (UTC) keep their newest snapshot beyond the retention count. */
export interface Thinning {
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
// 1970-01-01 was a Thursday: weeks counted from the Monday before it start on Mondays, as ISO weeks do.
const mondayOffsetMs = 3 * dayMs;

const periods: readonly { readonly key: keyof Thinning; readonly of: (at: number) => number }[] = [
  { key: "hourly", of: (at) => Math.floor(at / hourMs) },
  { key: "daily", of: (at) => Math.floor(at / dayMs) },
  { key: "weekly", of: (at) => Math.floor((at + mondayOffsetMs) / (7 * dayMs)) },
];

/**
 * Which scheduled backups retention deletes: it keeps the newest
 * `retention` that completed, and with `thinning` also the newest completed
 * one of each of the last `hourly` hours, `daily` days and `weekly` weeks
 * that have one (Gardener's exponential policy, counted in snapshots
 * rather than wall-clock windows, so a paused schedule keeps its history).
 * Running or failed ones newer than the retention count's oldest are kept
 * to be reported; everything else goes, oldest first. Pure.
 */
export function pruneScheduled(backups: readonly ScheduledBackup[], retention: number, thinning: Thinning = {}): string[] {
  const newest = [...backups].sort((a, b) => b.createdAt - a.createdAt);
  const completed = newest.filter((b) => b.phase === "Completed");
  const keepFrom = completed[retention - 1]?.createdAt;
  if (keepFrom === undefined) return [];
  const kept = new Set(completed.slice(0, retention).map((b) => b.name));
  for (const { key, of } of periods) {
    const count = thinning[key] ?? 0;
    const seen = new Set<number>();
    for (const backup of completed) {
      if (seen.size >= count) break;
      const period = of(backup.createdAt);
      if (seen.has(period)) continue;
      seen.add(period);
      kept.add(backup.name);
    }
  }
  return newest.filter((b) => b.createdAt < keepFrom && !kept.has(b.name)).map((b) => b.name).reverse();
}
