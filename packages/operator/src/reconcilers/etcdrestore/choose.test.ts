import type { EtcdBackup, EtcdRestore } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { chooseBackup } from "./choose.ts";

const restore = (backupName?: string): EtcdRestore => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "EtcdRestore", metadata: { name: "r", namespace: "project-p" }, spec: { clusterName: "web", ...(backupName === undefined ? {} : { backupName }) } });
const backup = (name: string, clusterName: string, phase: "Pending" | "Running" | "Completed" | "Failed", completionTime?: string): EtcdBackup => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "EtcdBackup",
  metadata: { name, namespace: "project-p" },
  spec: { clusterName },
  status: { phase, ...(completionTime === undefined ? {} : { completionTime }) },
});

describe("chooseBackup", () => {
  const backups = [
    backup("old", "web", "Completed", "2026-11-29T10:00:00Z"),
    backup("new", "web", "Completed", "2026-11-29T12:00:00Z"),
    backup("running", "web", "Running"),
    backup("broken", "web", "Failed"),
    backup("other", "db", "Completed", "2026-11-29T13:00:00Z"),
  ];
  it.each([
    { title: "none named: the newest completed of the cluster", name: undefined, expected: { backup: "new" } },
    { title: "a named one", name: "old", expected: { backup: "old" } },
    { title: "another cluster's (a clone)", name: "other", expected: { backup: "other" } },
    { title: "one still running is waited for", name: "running", expected: { waiting: "waiting for backup running to complete (it is Running)" } },
    { title: "a failed one is refused", name: "broken", expected: { reason: "BackupFailed" } },
    { title: "a missing one is refused", name: "gone", expected: { reason: "BackupNotFound" } },
  ])("$title", ({ name, expected }) => {
    const choice = chooseBackup(restore(name), backups);
    if ("backup" in expected) expect("backup" in choice && choice.backup.metadata.name).toBe(expected.backup);
    else if ("waiting" in expected) expect(choice).toEqual({ waiting: expected.waiting });
    else expect("refused" in choice && choice.refused.reason).toBe(expected.reason);
  });

  it("refuses a restore of a cluster with no completed backup, saying how to take one", () => {
    const choice = chooseBackup(restore(), [backup("running", "web", "Running")]);
    expect(choice).toEqual({ refused: { reason: "BackupNotFound", message: "cluster web has no completed backup in project-p: take one (seedbed backup create --cluster web) or name one in spec.backupName" } });
  });
});
