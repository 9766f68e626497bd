import { Cron } from "croner";
import { pruneScheduled, type Thinning } from "./retention.ts";

/** A scheduled backup as the planner sees it. */
export interface ScheduledBackup {
  readonly name: string;
  /** When it was created (ms): the run it stands for. */
  readonly createdAt: number;
  readonly phase: "Pending" | "Running" | "Completed" | "Failed" | undefined;
  /** Why it failed or why its last attempt did. */
  readonly message?: string;
}

/** What to do about a cluster's schedule now. */
export interface SchedulePlan {
  /** Take a snapshot now (a run is due). */
  readonly due: boolean;
  /** When the next run falls due (ms), to come back then. */
  readonly nextRunAt: number | undefined;
  /** Scheduled backups past the retention count, oldest first. */
  readonly prune: readonly string[];
}

/**
 * The next step of a backup schedule (five-field cron, UTC): a run is due
 * when the schedule's first time after the newest scheduled backup (or
 * after the cluster's creation, before the first) has come; runs missed
 * while the operator was down make one backup, not a burst. Retention: see
 * pruneScheduled. Pure.
 */
export function planSchedule(input: { schedule: string; retention: number; thinning?: Thinning; now: number; since: number; backups: readonly ScheduledBackup[] }): SchedulePlan {
  const newest = [...input.backups].sort((a, b) => b.createdAt - a.createdAt);
  const { due, nextRunAt } = nextRun(input.schedule, newest[0]?.createdAt ?? input.since, input.now);
  const prune = pruneScheduled(input.backups, input.retention, input.thinning);
  return { due, nextRunAt, prune };
}

/**
 * Whether a run of a cron schedule (UTC) is due: the schedule's first time
 * after the last run (ms) has come. Runs missed meanwhile make one run, not
 * a burst. Also when the run after this one falls due.
 */
export function nextRun(schedule: string, last: number, now: number): { due: boolean; nextRunAt: number | undefined } {
  const cron = new Cron(schedule, { timezone: "UTC", paused: true });
  const next = cron.nextRun(new Date(last))?.getTime();
  const due = next !== undefined && next <= now;
  return { due, nextRunAt: due ? cron.nextRun(new Date(now))?.getTime() : next };
}

/** Whether a schedule is one croner reads (admission checks the shape; this checks the fields' values). */
export function scheduleError(schedule: string): string | undefined {
  try {
    new Cron(schedule, { timezone: "UTC", paused: true });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** How long a scheduled run may take before its snapshot counts as missing. */
export const overdueGraceMs = 15 * 60_000;

/**
 * The BackupsHealthy condition: the newest scheduled backup's outcome, or
 * that none has run yet. With `timing`, also a gap: a run that fell due
 * more than overdueGraceMs ago (after the cluster was created) with no
 * snapshot for it completed or still being taken is reported, whatever
 * kept it from being taken (an operator down, a cluster not serving), so
 * that a schedule never goes quiet unnoticed. Pure.
 */
export function backupsHealth(backups: readonly ScheduledBackup[], schedule: string, timing?: { now: number; since: number }): { status: "True" | "False"; reason: string; message: string } {
  const newest = [...backups].sort((a, b) => b.createdAt - a.createdAt);
  const latest = newest[0];
  const lastGood = newest.find((b) => b.phase === "Completed");
  const sinceGood = lastGood === undefined ? "no scheduled snapshot has completed yet" : `the last good one is ${lastGood.name}`;
  if (latest !== undefined && (latest.phase === "Failed" || (latest.message !== undefined && latest.phase !== "Completed"))) {
    return { status: "False", reason: "BackupFailing", message: `scheduled snapshot ${latest.name} ${latest.phase === "Failed" ? "failed" : "is failing"}: ${latest.message ?? "no reason recorded"}; ${sinceGood}` };
  }
  const missed = timing === undefined ? undefined : missedRun(schedule, newest, timing);
  if (missed !== undefined) return { status: "False", reason: "BackupOverdue", message: `no scheduled snapshot was taken for the run due at ${new Date(missed).toISOString()} (schedule "${schedule}", UTC); ${sinceGood}` };
  if (latest === undefined) return { status: "True", reason: "NoneDueYet", message: `no scheduled snapshot has been due yet (schedule "${schedule}", UTC)` };
  return { status: "True", reason: "BackupsSucceeding", message: lastGood === undefined ? `scheduled snapshot ${latest.name} is being taken` : `the last scheduled snapshot, ${lastGood.name}, completed` };
}

/** The newest run due more than the grace ago, after `since`, that has no snapshot completed or under way; undefined when none. */
function missedRun(schedule: string, newestFirst: readonly ScheduledBackup[], timing: { now: number; since: number }): number | undefined {
  const [due] = new Cron(schedule, { timezone: "UTC", paused: true }).previousRuns(1, new Date(timing.now - overdueGraceMs));
  if (due === undefined || due.getTime() <= timing.since) return undefined;
  const covered = newestFirst.some((b) => b.createdAt >= due.getTime() && b.phase !== "Failed");
  return covered ? undefined : due.getTime();
}

/** A backup's last restore drill, as the BackupVerified condition needs it. */
export interface DrillOutcome {
  readonly backup: string;
  readonly time: string;
  readonly passed: boolean;
  readonly message: string;
}

/**
 * The BackupVerified condition from the drills of a cluster's backups: the
 * newest drill's outcome, with the time of the last good one; undefined
 * before the first drill. Pure.
 */
export function backupVerified(drills: readonly DrillOutcome[]): { condition: { status: "True" | "False"; reason: string; message: string }; lastGood?: string } | undefined {
  const newest = [...drills].sort((a, b) => b.time.localeCompare(a.time));
  const latest = newest[0];
  if (latest === undefined) return undefined;
  const lastGood = newest.find((d) => d.passed);
  const good = lastGood === undefined ? {} : { lastGood: lastGood.time };
  if (latest.passed) return { condition: { status: "True", reason: "DrillPassed", message: `the restore drill of backup ${latest.backup} at ${latest.time} passed: ${latest.message}` }, ...good };
  const since = lastGood === undefined ? "no drill has passed yet" : `the last good drill was of backup ${lastGood.backup} at ${lastGood.time}`;
  return { condition: { status: "False", reason: "DrillFailed", message: `the restore drill of backup ${latest.backup} at ${latest.time} failed: ${latest.message}; ${since}` }, ...good };
}
