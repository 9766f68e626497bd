import { describe, expect, it } from "vitest";
import { backupsHealth, backupVerified, planSchedule, scheduleError, type ScheduledBackup } from "./plan.ts";

const at = (iso: string): number => Date.parse(iso);
const backup = (name: string, created: string, phase: ScheduledBackup["phase"] = "Completed", message?: string): ScheduledBackup => ({ name, createdAt: at(created), phase, ...(message === undefined ? {} : { message }) });

describe("planSchedule", () => {
  const since = at("2026-11-29T10:10:00Z");
  it.each([
    ["nothing due before the first time after the cluster's creation", "@hourly", "2026-11-29T10:59:00Z", [], false, "2026-11-29T11:00:00.000Z"],
    ["the first run at its time", "@hourly", "2026-11-29T11:00:00Z", [], true, "2026-11-29T12:00:00.000Z"],
    ["one run for a window missed while down, not a burst", "0 */6 * * *", "2026-11-30T09:00:00Z", [backup("b1", "2026-11-29T12:00:00Z")], true, "2026-11-30T12:00:00.000Z"],
    ["nothing again in the same window", "@hourly", "2026-11-29T11:30:00Z", [backup("b1", "2026-11-29T11:00:01Z")], false, "2026-11-29T12:00:00.000Z"],
  ] as const)("%s", (_title, schedule, now, backups, due, next) => {
    const plan = planSchedule({ schedule, retention: 7, now: at(now), since, backups });
    expect(plan.due).toBe(due);
    expect(new Date(plan.nextRunAt ?? 0).toISOString()).toBe(next);
  });

  it("keeps the newest completed ones up to the retention count, and newer running or failed ones beside them", () => {
    const backups = [
      backup("b1", "2026-11-29T11:00:00Z"),
      backup("b2", "2026-11-29T12:00:00Z", "Failed", "store down"),
      backup("b3", "2026-11-29T13:00:00Z"),
      backup("b4", "2026-11-29T14:00:00Z"),
      backup("b5", "2026-11-29T15:00:00Z", "Running"),
    ];
    expect(planSchedule({ schedule: "@hourly", retention: 2, now: at("2026-11-29T15:10:00Z"), since, backups }).prune).toEqual(["b1", "b2"]);
    expect(planSchedule({ schedule: "@hourly", retention: 5, now: at("2026-11-29T15:10:00Z"), since, backups }).prune).toEqual([]);
  });

  it("tells a schedule croner cannot read", () => {
    expect(scheduleError("0 */6 * * *")).toBeUndefined();
    expect(scheduleError("99 * * * *")).toMatch(/./);
  });
});

describe("backupsHealth", () => {
  it.each([
    ["none yet", [], "True", "NoneDueYet"],
    ["the latest completed", [backup("b1", "2026-11-29T11:00:00Z")], "True", "BackupsSucceeding"],
    ["the latest failed after a good one", [backup("b1", "2026-11-29T11:00:00Z"), backup("b2", "2026-11-29T12:00:00Z", "Failed", "store down")], "False", "BackupFailing"],
    ["the latest retrying", [backup("b2", "2026-11-29T12:00:00Z", "Running", "storing the snapshot at http://s3: ECONNREFUSED")], "False", "BackupFailing"],
  ] as const)("%s", (_title, backups, status, reason) => {
    expect(backupsHealth(backups, "@hourly")).toMatchObject({ status, reason });
  });

  it.each([
    ["a run missed long enough ago, whatever kept it back", [backup("b1", "2026-11-29T09:00:00Z")], "2026-11-29T11:20:00Z", "False", "BackupOverdue"],
    ["the current run still within its grace", [backup("b1", "2026-11-29T10:00:00Z")], "2026-11-29T11:10:00Z", "True", "BackupsSucceeding"],
    ["a late run being taken now", [backup("b1", "2026-11-29T08:00:00Z"), backup("b2", "2026-11-29T11:30:00Z", "Running")], "2026-11-29T11:31:00Z", "True", "BackupsSucceeding"],
    ["nothing due since the cluster was created", [], "2026-11-29T10:20:00Z", "True", "NoneDueYet"],
    ["a cluster that never got its first run", [], "2026-11-29T12:20:00Z", "False", "BackupOverdue"],
  ] as const)("with the time: %s", (_title, backups, now, status, reason) => {
    expect(backupsHealth(backups, "@hourly", { now: at(now), since: at("2026-11-29T10:05:00Z") })).toMatchObject({ status, reason });
  });

  it("says which run was missed and the last good snapshot", () => {
    expect(backupsHealth([backup("b1", "2026-11-29T09:00:00Z")], "@hourly", { now: at("2026-11-29T11:20:00Z"), since: 0 }).message).toBe('no scheduled snapshot was taken for the run due at 2026-11-29T11:00:00.000Z (schedule "@hourly", UTC); the last good one is b1');
  });

  it("names the failure and the last good snapshot", () => {
    expect(backupsHealth([backup("b1", "2026-11-29T11:00:00Z"), backup("b2", "2026-11-29T12:00:00Z", "Failed", "store down")], "@hourly").message).toBe("scheduled snapshot b2 failed: store down; the last good one is b1");
  });
});

describe("backupVerified", () => {
  const drill = (backup: string, time: string, passed: boolean, message = "ok"): { backup: string; time: string; passed: boolean; message: string } => ({ backup, time, passed, message });
  it("says nothing before the first drill", () => {
    expect(backupVerified([])).toBeUndefined();
  });
  it("is the newest drill's outcome, with the time of the last good one", () => {
    const passed = backupVerified([drill("b1", "2026-11-22T00:00:00.000Z", true), drill("b2", "2026-11-29T00:00:00.000Z", true, "120 keys")]);
    expect(passed).toEqual({ condition: { status: "True", reason: "DrillPassed", message: "the restore drill of backup b2 at 2026-11-29T00:00:00.000Z passed: 120 keys" }, lastGood: "2026-11-29T00:00:00.000Z" });
    const failed = backupVerified([drill("b1", "2026-11-22T00:00:00.000Z", true), drill("b2", "2026-11-29T00:00:00.000Z", false, "checksum mismatch")]);
    expect(failed).toEqual({ condition: { status: "False", reason: "DrillFailed", message: "the restore drill of backup b2 at 2026-11-29T00:00:00.000Z failed: checksum mismatch; the last good drill was of backup b1 at 2026-11-22T00:00:00.000Z" }, lastGood: "2026-11-22T00:00:00.000Z" });
    expect(backupVerified([drill("b2", "2026-11-29T00:00:00.000Z", false, "bad")])?.lastGood).toBeUndefined();
  });
});
