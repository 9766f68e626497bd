import type { Condition, EtcdRestore } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { program } from "../../program.ts";
import { restoreRequestOf, type RestoreOptions } from "./commands.ts";
import { defaultRestoreName, newEtcdRestore } from "./restores-api.ts";
import { progressLine, restoredLine, restoreOutcome } from "./wait.ts";
import { usageError } from "../../../test/usage-error.ts";

const now = new Date("2026-03-04T05:06:07.890Z");

/** The cluster argument and options `seedbed restore` parses from `args`, its action replaced. */
function parse(args: string[]): { cluster: string; options: RestoreOptions } {
  const root = program();
  const restore = root.commands.find((c) => c.name() === "restore");
  let cluster = "";
  restore?.action((name: string) => {
    cluster = name;
  });
  // The help shown after a usage error is for people, not for the test output.
  restore?.configureOutput({ writeErr: () => undefined });
  root.parse(["restore", ...args], { from: "user" });
  return { cluster, options: restore?.opts() as RestoreOptions };
}

/** The request `seedbed restore args` makes, or throws its usage error. */
function request(args: string[]): ReturnType<typeof restoreRequestOf> {
  const { cluster, options } = parse(args);
  return restoreRequestOf(cluster, options, now);
}

const condition = (status: Condition["status"], reason: string, message: string, type = "Ready"): Condition => ({ type, status, reason, message, lastTransitionTime: now.toISOString() });

/** A stored restore of cluster web, as the API server returns it. */
function restore(status?: EtcdRestore["status"], backupName?: string): EtcdRestore {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "EtcdRestore",
    metadata: { name: "r" },
    spec: { clusterName: "web", ...(backupName === undefined ? {} : { backupName }) },
    ...(status === undefined ? {} : { status }),
  };
}

describe("seedbed restore's arguments", () => {
  it.each([
    { args: ["web"], expected: { cluster: "web", name: "web-restore-20260304-050607", timeoutMs: 900_000 } },
    { args: ["web", "--backup", "web-20260301-000000"], expected: { cluster: "web", backup: "web-20260301-000000", name: "web-restore-20260304-050607", timeoutMs: 900_000 } },
    { args: ["copy", "--backup=web-b1", "--name", "clone-1", "--wait", "--timeout", "30m"], expected: { cluster: "copy", backup: "web-b1", name: "clone-1", timeoutMs: 1_800_000 } },
  ])("$args → $expected", ({ args, expected }) => {
    expect(request(args)).toEqual(expected);
  });

  it.each([
    { args: ["Web"], message: /^CLUSTER must be a cluster's name \(lowercase letters, digits and '-'; seedbed cluster list shows them\), got "Web"$/ },
    { args: ["web", "--backup", "B_1"], message: /^--backup must be a backup's name .*got "B_1"; or leave it out for the cluster's newest completed backup$/ },
    { args: ["web", "--name", "Mine"], message: /^--name must be at most 63 lowercase letters, .*got "Mine"; or leave it out for web-restore-20260304-050607$/ },
    { args: ["web", "--name", "x".repeat(64)], message: /^--name must be at most 63 / },
    { args: ["web", "--timeout", "15"], message: /^--timeout must look like 90s, 5m or 1h, got "15"$/ },
  ])("refuses $args, naming the argument and the fix", ({ args, message }) => {
    expect(usageError(() => request(args)).message).toMatch(message);
  });

  it("needs the cluster, and only one", () => {
    expect(usageError(() => parse([])).message).toMatch(/missing required argument 'cluster'/);
    expect(usageError(() => parse(["web", "other"])).message).toMatch(/too many arguments/);
  });
});

describe("a generated restore name", () => {
  it("is the cluster, -restore- and the UTC time, to the second", () => {
    expect(defaultRestoreName("web", now)).toBe("web-restore-20260304-050607");
  });

  it("cuts a cluster name too long to leave room, keeping 63 characters at most and no doubled dash", () => {
    expect(defaultRestoreName("a".repeat(63), now)).toBe(`${"a".repeat(39)}-restore-20260304-050607`);
    expect(defaultRestoreName("a".repeat(63), now)).toHaveLength(63);
    expect(defaultRestoreName(`${"a".repeat(38)}-bbbb`, now)).toBe(`${"a".repeat(38)}-restore-20260304-050607`);
  });
});

describe("a new EtcdRestore", () => {
  const cluster = { apiVersion: "seedbed.dev/v1alpha1" as const, kind: "Cluster" as const, metadata: { name: "web", uid: "u-1" }, spec: {} } as Parameters<typeof newEtcdRestore>[2];
  const owner = { apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "web", uid: "u-1", controller: false, blockOwnerDeletion: false };

  it("names the cluster and the backup, is labelled with the cluster and owned by it", () => {
    expect(newEtcdRestore("project-a", "r1", cluster, "web-b1")).toEqual({
      apiVersion: "seedbed.dev/v1alpha1",
      kind: "EtcdRestore",
      metadata: { name: "r1", namespace: "project-a", labels: { "seedbed.dev/cluster": "web" }, ownerReferences: [owner] },
      spec: { clusterName: "web", backupName: "web-b1" },
    });
  });

  it("leaves backupName out without --backup, so that the operator takes the newest completed backup", () => {
    expect(newEtcdRestore("project-a", "r1", cluster).spec).toEqual({ clusterName: "web" });
  });
});

describe("the progress lines of restore --wait", () => {
  it.each([
    { status: undefined, line: undefined },
    { status: { phase: "Pending" as const }, line: "phase Pending" },
    { status: { phase: "Pending" as const, conditions: [condition("False", "Waiting", "backup web-b1 is still Running")] }, line: "phase Pending: backup web-b1 is still Running (Waiting)" },
    { status: { phase: "Restoring" as const, conditions: [condition("False", "Restoring", "stopping the API servers")] }, line: "phase Restoring: stopping the API servers" },
    { status: { phase: "Restoring" as const, conditions: [condition("False", "AttemptFailed", "etcd did not start; retrying with backoff")] }, line: "phase Restoring: etcd did not start; retrying with backoff (AttemptFailed)" },
    { status: { phase: "Restoring" as const, conditions: [condition("False", "Restoring", "")] }, line: "phase Restoring" },
    { status: { phase: "Completed" as const, conditions: [condition("True", "Completed", "etcd is back at revision 812")] }, line: "phase Completed: etcd is back at revision 812" },
  ])("$status → $line", ({ status, line }) => {
    expect(progressLine(restore(status))).toBe(line);
  });
});

describe("where a restore ended", () => {
  it.each([
    { status: undefined, outcome: undefined },
    { status: { phase: "Restoring" as const, conditions: [condition("False", "AttemptFailed", "S3 unreachable")] }, outcome: undefined },
    { status: { phase: "Completed" as const }, outcome: { phase: "Completed" } },
    {
      status: { phase: "Failed" as const, conditions: [condition("False", "ChecksumMismatch", "the snapshot's sha256 differs from the backup's; the cluster was left as it was")] },
      outcome: { phase: "Failed", message: "the snapshot's sha256 differs from the backup's; the cluster was left as it was (ChecksumMismatch)" },
    },
    { status: { phase: "Failed" as const, conditions: [condition("True", "Other", "fine", "Staged"), condition("False", "VersionTooNew", "")] }, outcome: { phase: "Failed", message: "VersionTooNew" } },
    { status: { phase: "Failed" as const }, outcome: { phase: "Failed", message: "the operator recorded no reason" } },
  ])("$status.phase $status.conditions → $outcome", ({ status, outcome }) => {
    expect(restoreOutcome(restore(status))).toEqual(outcome);
  });
});

describe("the line a completed restore ends with", () => {
  const done = { phase: "Completed" as const, backupName: "web-b1", snapshotRevision: 812, restoredRevision: 1_000_812 };

  it("names the cluster, the backup the operator restored and both revisions", () => {
    expect(restoredLine(restore(done))).toBe("Restored cluster web from backup web-b1: revision 812 (etcd continues at revision 1000812).");
    expect(restoredLine(restore(done), "web")).toBe("Restored cluster web from backup web-b1: revision 812 (etcd continues at revision 1000812).");
  });

  it("says a clone is one, naming the backup's cluster", () => {
    expect(restoredLine(restore(done), "prod")).toBe("Cloned backup web-b1 of cluster prod into cluster web: revision 812 (etcd continues at revision 1000812).");
  });

  it("falls back to spec.backupName and says what it does not know", () => {
    expect(restoredLine(restore({ phase: "Completed" }, "web-b2"))).toBe("Restored cluster web from backup web-b2: revision unknown.");
  });
});
