import { describe, expect, it } from "vitest";
import type { Cluster, NodePool } from "../api/types.ts";
import { backupCell, certificateCell, clusterVersions, nodesCell, sameVersion, upgradeCell, versionCell } from "./columns.ts";

const now = Date.parse("2026-11-30T12:00:00Z");

function cluster(spec: Partial<Cluster["spec"]> = {}, status: Cluster["status"] = {}): Cluster {
  return { metadata: { name: "a1", namespace: "project-a" }, spec, status };
}

function pool(name: string, clusterName: string, replicas: number, readyReplicas?: number): NodePool {
  return { metadata: { name }, spec: { clusterName, replicas }, status: readyReplicas === undefined ? {} : { readyReplicas } };
}

describe("versionCell", () => {
  it("shows the running version, and the wanted one while they differ", () => {
    expect(versionCell(cluster({ version: "1.33" }, { version: "1.33.2" })).text).toBe("1.33.2");
    expect(versionCell(cluster({ version: "1.34" }, { version: "1.33.2" })).text).toBe("1.33.2 → 1.34");
    expect(versionCell(cluster({ version: "1.34" })).text).toBe("1.34");
    expect(versionCell(cluster()).text).toBe("—");
  });

  it("matches a minor to its patches only", () => {
    expect(sameVersion("1.33.2", "1.33")).toBe(true);
    expect(sameVersion("v1.33.2", "1.33.2")).toBe(true);
    expect(sameVersion("1.33.2", "1.3")).toBe(false);
  });

  it("filters by running and wanted versions", () => {
    expect(clusterVersions(cluster({ version: "1.34" }, { version: "1.33.2" }))).toEqual(["1.33.2", "1.34"]);
  });
});

describe("nodesCell", () => {
  it("prefers the cluster's own node count", () => {
    expect(nodesCell(cluster({}, { nodes: { ready: 2, total: 3 } }), [pool("p", "a1", 5, 5)])).toMatchObject({ text: "2/3", tone: "warn" });
  });

  it("sums the cluster's pools otherwise", () => {
    expect(nodesCell(cluster(), [pool("p", "a1", 2, 2), pool("q", "a1", 1), pool("r", "other", 4, 4)])).toMatchObject({ text: "2/3", tone: "warn" });
    expect(nodesCell(cluster(), [pool("p", "a1", 2, 2)]).tone).toBeUndefined();
    expect(nodesCell(cluster(), []).text).toBe("0");
  });
});

describe("backupCell", () => {
  it("says never without a snapshot", () => {
    expect(backupCell(cluster(), now)).toMatchObject({ text: "never" });
    expect(backupCell(cluster({ backup: { schedule: "@daily" } }, { conditions: [{ type: "BackupsHealthy", status: "False", reason: "BackupOverdue" }] }), now)).toMatchObject({ text: "never", tone: "bad" });
  });

  it("says how long ago, flagged when backups fail", () => {
    expect(backupCell(cluster({}, { lastBackupTime: "2026-11-30T09:00:00Z" }), now)).toEqual(expect.objectContaining({ text: "3 hours ago" }));
    expect(backupCell(cluster({}, { lastBackupTime: "2026-11-30T09:00:00Z", conditions: [{ type: "BackupsHealthy", status: "False", reason: "BackupFailing" }] }), now).tone).toBe("warn");
  });
});

describe("certificateCell", () => {
  const certs = (leaves: [string, string][], caNotAfter?: string): Cluster => cluster({}, {
    certificates: { leaves: leaves.map(([name, notAfter]) => ({ name, notAfter })), authorities: caNotAfter === undefined ? [] : [{ name: "cluster", fingerprint: "ab", notAfter: caNotAfter }] },
  });

  it("shows the earliest expiry and colours it inside 30 days", () => {
    expect(certificateCell(certs([["apiserver", "2027-11-30T12:00:00Z"], ["admin", "2026-12-20T12:00:00Z"]]), now)).toMatchObject({ text: "expires in 20 days", tone: "warn" });
    expect(certificateCell(certs([["apiserver", "2027-11-30T12:00:00Z"]]), now)).toMatchObject({ text: "expires in 365 days", tone: "ok" });
    expect(certificateCell(certs([["apiserver", "2027-11-30T12:00:00Z"]], "2026-12-01T13:00:00Z"), now)).toMatchObject({ text: "expires in 1 day", tone: "warn" });
  });

  it("flags an expired one and says unknown without dates", () => {
    expect(certificateCell(certs([["admin", "2026-11-01T00:00:00Z"]]), now)).toMatchObject({ text: "expired", tone: "bad" });
    expect(certificateCell(cluster(), now).text).toBe("unknown");
  });
});

describe("upgradeCell", () => {
  const upgrade = (phase: NonNullable<NonNullable<Cluster["status"]>["upgrade"]>["phase"]): NonNullable<Cluster["status"]>["upgrade"] => ({ from: "1.33.2", to: "1.34.1", phase, step: "APIServer", startedTime: "2026-11-30T11:00:00Z" });

  it.each([
    ["Upgrading", "to 1.34.1 (APIServer)", "info"],
    ["RollingBack", "rolling back to 1.33.2", "info"],
    ["Failed", "failed (1.33.2 → 1.34.1)", "bad"],
    ["RolledBack", "rolled back to 1.33.2", "warn"],
  ] as const)("%s", (phase, text, tone) => {
    expect(upgradeCell(cluster({ version: "1.34" }, { version: "1.33.2", upgrade: upgrade(phase) }))).toMatchObject({ text, tone });
  });

  it("says pending, up to date or nothing", () => {
    expect(upgradeCell(cluster({ version: "1.34" }, { version: "1.33.2" })).text).toBe("pending (to 1.34)");
    expect(upgradeCell(cluster({ version: "1.34" }, { version: "1.34.1", upgrade: upgrade("Completed") })).text).toBe("up to date");
    expect(upgradeCell(cluster({ version: "1.34" }, { version: "1.34.1" })).text).toBe("—");
  });
});
