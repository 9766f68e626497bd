import type { ControlPlaneStatus, EtcdMemberStatus } from "@seedbed/api";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ControlPlaneMetrics } from "./control-plane-metrics.ts";

/** The sample lines of /metrics, help and type lines left out, sorted. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((line) => line !== "" && !line.startsWith("#")).sort();
}

function status(apiServers: string, etcd: string, members?: EtcdMemberStatus[]): ControlPlaneStatus {
  return { apiServers, etcd, builtMembers: 3, ...(members === undefined ? {} : { members }) };
}

const web = 'namespace="project-a",cluster="web"';

describe("the control-plane metrics of a cluster", () => {
  it("exports API servers and etcd voters ready against desired, and each member's role, health and database size", async () => {
    const registry = new Registry();
    const metrics = new ControlPlaneMetrics(registry);
    metrics.observe("project-a", "web", status("2/3", "3/3", [
      { name: "default", id: "8e9e05c52164694d", role: "Leader", healthy: true, dbSizeBytes: 2_097_152 },
      { name: "m1", role: "Follower", healthy: true, dbSizeBytes: 2_000_000 },
      { name: "m2", role: "Learner", healthy: false, message: "does not answer" },
    ]));
    expect(await samples(registry)).toEqual([
      `seedbed_cluster_apiservers_desired{${web}} 3`,
      `seedbed_cluster_apiservers_ready{${web}} 2`,
      `seedbed_cluster_etcd_member_db_size_bytes{${web},member="default"} 2097152`,
      `seedbed_cluster_etcd_member_db_size_bytes{${web},member="m1"} 2000000`,
      `seedbed_cluster_etcd_member_healthy{${web},member="default"} 1`,
      `seedbed_cluster_etcd_member_healthy{${web},member="m1"} 1`,
      `seedbed_cluster_etcd_member_healthy{${web},member="m2"} 0`,
      `seedbed_cluster_etcd_member_info{${web},member="default",role="Leader"} 1`,
      `seedbed_cluster_etcd_member_info{${web},member="m1",role="Follower"} 1`,
      `seedbed_cluster_etcd_member_info{${web},member="m2",role="Learner"} 1`,
      `seedbed_cluster_etcd_members_desired{${web}} 3`,
      `seedbed_cluster_etcd_members_healthy{${web}} 3`,
    ]);
  });

  it("moves a member's info to its new role, and drops the series of a member gone and a size no longer known", async () => {
    const registry = new Registry();
    const metrics = new ControlPlaneMetrics(registry);
    metrics.observe("project-a", "web", status("3/3", "3/3", [
      { name: "default", role: "Leader", healthy: true, dbSizeBytes: 100 },
      { name: "m1", role: "Follower", healthy: true, dbSizeBytes: 100 },
      { name: "m2", role: "Follower", healthy: true, dbSizeBytes: 100 },
    ]));
    // Leadership moved to m1, default stopped answering, m2 was removed.
    metrics.observe("project-a", "web", status("3/3", "1/3", [
      { name: "default", role: "Unknown", healthy: false, message: "does not answer" },
      { name: "m1", role: "Leader", healthy: true, dbSizeBytes: 120 },
    ]));
    const lines = await samples(registry);
    expect(lines.filter((l) => l.startsWith("seedbed_cluster_etcd_member_"))).toEqual([
      `seedbed_cluster_etcd_member_db_size_bytes{${web},member="m1"} 120`,
      `seedbed_cluster_etcd_member_healthy{${web},member="default"} 0`,
      `seedbed_cluster_etcd_member_healthy{${web},member="m1"} 1`,
      `seedbed_cluster_etcd_member_info{${web},member="default",role="Unknown"} 1`,
      `seedbed_cluster_etcd_member_info{${web},member="m1",role="Leader"} 1`,
    ]);
    expect(lines).toContain(`seedbed_cluster_etcd_members_healthy{${web}} 1`);
    // A driver that lists no members any more: every member series goes, the counts stay.
    metrics.observe("project-a", "web", status("3/3", "3/3"));
    expect((await samples(registry)).filter((l) => l.startsWith("seedbed_cluster_etcd_member_"))).toEqual([]);
  });

  it("forgets a deleted cluster's series and keeps the other clusters'", async () => {
    const registry = new Registry();
    const metrics = new ControlPlaneMetrics(registry);
    metrics.observe("project-a", "web", status("1/1", "1/1", [{ name: "default", role: "Leader", healthy: true, dbSizeBytes: 4096 }]));
    metrics.observe("project-b", "db", status("3/3", "3/3", [{ name: "default", role: "Leader", healthy: true, dbSizeBytes: 8192 }]));
    metrics.forget("project-a", "web");
    const lines = await samples(registry);
    expect(lines.filter((l) => l.includes('cluster="web"'))).toEqual([]);
    expect(lines).toHaveLength(7);
    expect(lines).toContain('seedbed_cluster_etcd_member_info{namespace="project-b",cluster="db",member="default",role="Leader"} 1');
    // Forgetting twice, or a cluster never seen, is harmless (a deletion may be reconciled again).
    metrics.forget("project-a", "web");
    metrics.forget("project-c", "never");
    expect(await samples(registry)).toEqual(lines);
  });

  it.each([
    { what: "an empty count", apiServers: "", etcd: "3/3" },
    { what: "a count that is no fraction", apiServers: "3", etcd: "3 of 3" },
  ])("leaves out the ready and desired series of $what rather than export a wrong value", async ({ apiServers, etcd }) => {
    const registry = new Registry();
    const metrics = new ControlPlaneMetrics(registry);
    metrics.observe("project-a", "web", status("2/2", "2/2"));
    metrics.observe("project-a", "web", status(apiServers, etcd));
    const lines = await samples(registry);
    expect(lines.some((l) => l.startsWith("seedbed_cluster_apiservers_"))).toBe(false);
    expect(lines.some((l) => l.startsWith("seedbed_cluster_etcd_members_"))).toBe(etcd === "3/3");
  });
});
