import type { Condition, EtcdBackup } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { program } from "../../program.ts";
import { defaultBackupName, newEtcdBackup } from "./backups-api.ts";
import { backupRequestOf, type CreateBackupOptions } from "./commands.ts";
import { backupRows, humanSize, verifiedColumn } from "./table.ts";
import { drillResult } from "./verify.ts";
import { backupOutcome, completedLine } from "./wait.ts";
import { usageError } from "../../../test/usage-error.ts";

const now = new Date("2026-03-04T05:06:07.890Z");

/** The options `seedbed backup create` parses from `args`, its action replaced. */
function parse(args: string[]): CreateBackupOptions {
  const root = program();
  const create = root.commands.find((c) => c.name() === "backup")?.commands.find((c) => c.name() === "create");
  create?.action(() => undefined);
  // The help shown after a usage error is for people, not for the test output.
  create?.configureOutput({ writeErr: () => undefined });
  root.parse(["backup", "create", ...args], { from: "user" });
  return create?.opts() as CreateBackupOptions;
}

/** A stored backup, as the API server returns it. */
function backup(name: string, created: string, status?: EtcdBackup["status"]): EtcdBackup {
  return { apiVersion: "seedbed.dev/v1alpha1", kind: "EtcdBackup", metadata: { name, creationTimestamp: new Date(created) }, spec: { clusterName: "web" }, ...(status === undefined ? {} : { status }) };
}

const condition = (type: string, status: Condition["status"], reason: string, message: string): Condition => ({ type, status, reason, message, lastTransitionTime: now.toISOString() });

describe("seedbed backup create's flags", () => {
  it.each([
    { args: ["--cluster", "web"], request: { cluster: "web", name: "web-20260304-050607", timeoutMs: 600_000 } },
    { args: ["--cluster", "web", "--name", "before-upgrade"], request: { cluster: "web", name: "before-upgrade", timeoutMs: 600_000 } },
    { args: ["--cluster=web", "--wait", "--timeout", "90s"], request: { cluster: "web", name: "web-20260304-050607", timeoutMs: 90_000 } },
  ])("$args → $request", ({ args, request }) => {
    expect(backupRequestOf(parse(args), now)).toEqual(request);
  });

  it("needs --cluster, as a usage error naming it", () => {
    expect(usageError(() => parse([])).message).toMatch(/required option '--cluster <name>' not specified/);
    expect(usageError(() => backupRequestOf({}, now)).message).toBe("--cluster is required: name the cluster to back up (seedbed cluster list shows them)");
  });

  it.each([
    { args: ["--cluster", "Web"], message: /^--cluster must be a cluster's name \(lowercase letters, digits and '-'\), got "Web"$/ },
    { args: ["--cluster", "web", "--name", "Before_Upgrade"], message: /^--name must be at most 63 lowercase letters, .*got "Before_Upgrade"; or leave it out for web-20260304-050607$/ },
    { args: ["--cluster", "web", "--name", "x".repeat(64)], message: /^--name must be at most 63 / },
    { args: ["--cluster", "web", "--wait", "--timeout", "10"], message: /^--timeout must look like 90s, 5m or 1h, got "10"$/ },
  ])("refuses $args, naming the flag and the fix", ({ args, message }) => {
    expect(usageError(() => backupRequestOf(parse(args), now)).message).toMatch(message);
  });

  it("refuses a positional name: the name is --name", () => {
    expect(usageError(() => parse(["mine", "--cluster", "web"])).message).toMatch(/too many arguments/);
  });
});

describe("a generated backup name", () => {
  it("is the cluster and the UTC time, to the second", () => {
    expect(defaultBackupName("web", now)).toBe("web-20260304-050607");
  });

  it("cuts a cluster name too long to leave room, keeping the time and 63 characters", () => {
    const name = defaultBackupName(`${"a".repeat(46)}-b${"c".repeat(20)}`, now);
    expect(name).toBe(`${"a".repeat(46)}-20260304-050607`);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe("a new EtcdBackup", () => {
  it("names its cluster in spec and label, and is owned by it", () => {
    const cluster = { apiVersion: "seedbed.dev/v1alpha1" as const, kind: "Cluster" as const, metadata: { name: "web", uid: "u-1" }, spec: {} };
    expect(newEtcdBackup("project-a", "b1", cluster as Parameters<typeof newEtcdBackup>[2])).toEqual({
      apiVersion: "seedbed.dev/v1alpha1",
      kind: "EtcdBackup",
      metadata: { name: "b1", namespace: "project-a", labels: { "seedbed.dev/cluster": "web" }, ownerReferences: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "web", uid: "u-1", controller: false, blockOwnerDeletion: false }] },
      spec: { clusterName: "web" },
    });
  });
});

describe("humanSize", () => {
  it.each([
    [undefined, ""],
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [10_188, "9.9 KiB"],
    [10_200, "10 KiB"],
    [125 * 1024 * 1024, "125 MiB"],
    [3.25 * 1024 ** 3, "3.3 GiB"],
    [2 * 1024 ** 5, "2048 TiB"],
  ])("%s bytes → %j", (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});

describe("seedbed backup list's rows", () => {
  it("puts the newest first and shows phase, size, revision, location and ages", () => {
    const rows = backupRows(
      [
        backup("web-old", "2026-03-01T05:06:07Z", { phase: "Completed", sizeBytes: 2_621_440, revision: 812, location: "s3://seedbed/a/web-old.db", completionTime: "2026-03-01T05:07:07Z" }),
        backup("web-new", "2026-03-04T05:00:07Z", { phase: "Running" }),
        backup("web-mid", "2026-03-03T05:06:07Z"),
      ],
      now,
    );
    expect(rows).toEqual([
      ["web-new", "web", "Running", "", "", "-", "", "", "6m"],
      ["web-mid", "web", "Pending", "", "", "-", "", "", "24h"],
      ["web-old", "web", "Completed", "2.5 MiB", "812", "-", "s3://seedbed/a/web-old.db", "2d ago", "3d"],
    ]);
  });

  it("breaks a tie of creation times by name, the later generated name first", () => {
    const rows = backupRows([backup("web-20260304-050600", "2026-03-04T05:06:00Z"), backup("web-20260304-050600x", "2026-03-04T05:06:00Z")], now);
    expect(rows.map((r) => r[0])).toEqual(["web-20260304-050600x", "web-20260304-050600"]);
  });
});

describe("where a backup ended", () => {
  it.each([
    { status: undefined, outcome: undefined },
    { status: { phase: "Running" as const }, outcome: undefined },
    { status: { phase: "Completed" as const }, outcome: { phase: "Completed" } },
    { status: { phase: "Failed" as const, conditions: [condition("Ready", "False", "SnapshotFailed", "etcd refused: no leader")] }, outcome: { phase: "Failed", message: "etcd refused: no leader (SnapshotFailed)" } },
    {
      status: { phase: "Failed" as const, conditions: [condition("Ready", "False", "Failed", "see Succeeded"), condition("Succeeded", "False", "ChecksumMismatch", "sha256 differs after upload")] },
      outcome: { phase: "Failed", message: "sha256 differs after upload (ChecksumMismatch)" },
    },
    { status: { phase: "Failed" as const, conditions: [condition("Uploaded", "False", "StoreUnreachable", "")] }, outcome: { phase: "Failed", message: "StoreUnreachable" } },
    { status: { phase: "Failed" as const }, outcome: { phase: "Failed", message: "the operator recorded no reason" } },
  ])("$status.phase $status.conditions → $outcome", ({ status, outcome }) => {
    expect(backupOutcome(backup("b", "2026-03-04T05:00:00Z", status))).toEqual(outcome);
  });

  it("says where a completed backup is stored, how big it is and its revision", () => {
    const done = backup("b", "2026-03-04T05:00:00Z", { phase: "Completed", sizeBytes: 1536, revision: 7, location: "s3://seedbed/b.db" });
    expect(completedLine(done)).toBe("Backup b of cluster web completed: 1.5 KiB at etcd revision 7, stored at s3://seedbed/b.db.");
  });
});

describe("restore drills of a backup", () => {
  const verification = (requestedAt: string, passed: boolean, message: string): NonNullable<EtcdBackup["status"]>["verification"] => ({ requestedAt, time: now.toISOString(), passed, message });
  const drilled = (v?: NonNullable<EtcdBackup["status"]>["verification"]): EtcdBackup => backup("b", "2026-03-04T05:00:00Z", { phase: "Completed", ...(v === undefined ? {} : { verification: v }) });

  it.each([
    { verification: undefined, column: "-" },
    { verification: verification("2026-03-04T05:00:00.000Z", true, "812 keys at revision 812; 10 of 10 sampled keys read back"), column: "passed" },
    { verification: verification("2026-03-04T05:00:00.000Z", false, "snapshot refused: bad magic"), column: "FAILED" },
  ])("the VERIFIED column of $verification.passed is $column", ({ verification: v, column }) => {
    expect(verifiedColumn(drilled(v))).toBe(column);
  });

  it("shows VERIFIED between REVISION and LOCATION", () => {
    const rows = backupRows([drilled(verification("t", false, "bad"))], now);
    expect(rows[0]?.slice(4, 6)).toEqual(["", "FAILED"]);
  });

  it("answers the drill requested with the same value of the annotation, and no earlier one", () => {
    const asked = "2026-03-04T05:06:07.890Z";
    expect(drillResult(drilled(), asked)).toBeUndefined();
    expect(drillResult(drilled(verification("2026-03-01T00:00:00.000Z", true, "an earlier drill")), asked)).toBeUndefined();
    expect(drillResult(drilled(verification(asked, true, "812 keys")), asked)).toEqual({ passed: true, message: "812 keys" });
    expect(drillResult(drilled(verification(asked, false, "checksum mismatch")), asked)).toEqual({ passed: false, message: "checksum mismatch" });
  });

  it("parses backup verify's flags, and needs the backup's name", () => {
    const root = program();
    const verify = root.commands.find((c) => c.name() === "backup")?.commands.find((c) => c.name() === "verify");
    let name = "";
    verify?.action((n: string) => {
      name = n;
    });
    verify?.configureOutput({ writeErr: () => undefined });
    root.parse(["backup", "verify", "web-b1", "--wait", "--timeout", "2m"], { from: "user" });
    expect(name).toBe("web-b1");
    expect(verify?.opts()).toMatchObject({ wait: true, timeout: "2m" });
    const bare = program();
    bare.commands.find((c) => c.name() === "backup")?.commands.find((c) => c.name() === "verify")?.configureOutput({ writeErr: () => undefined });
    expect(usageError(() => bare.parse(["backup", "verify"], { from: "user" })).message).toMatch(/missing required argument 'name'/);
  });
});
