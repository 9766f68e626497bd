import type { Cluster, Condition } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { failedGate, judgeCluster, restartsBaselineAnnotation, type GateInput } from "./gates.ts";
import type { PlanCluster } from "./waves.ts";

const now = Date.parse("2026-11-29T12:00:00Z");
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const condition = (type: string, status: Condition["status"], reason = type): Condition => ({ type, status, reason, message: "", lastTransitionTime: ago(600) });
const healthy = [condition("Ready", "True"), condition("Upgrade", "True", "Upgraded")];
type Upgrade = NonNullable<NonNullable<Cluster["status"]>["upgrade"]>;

/** Cluster a/web with the given upgrade record and status fields. */
function cluster(upgrade: Partial<Upgrade> | undefined, status: Partial<NonNullable<Cluster["status"]>> = {}, options: { specVersion?: string; baseline?: number } = {}): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "web", namespace: "project-a", ...(options.baseline === undefined ? {} : { annotations: { [restartsBaselineAnnotation]: `${String(options.baseline)}@${upgrade?.startedTime ?? ago(60)}` } }) },
    spec: { version: options.specVersion ?? "1.37" },
    status: {
      version: "1.36.3",
      conditions: healthy,
      ...(upgrade === undefined ? {} : { upgrade: { from: "1.36.3", to: "1.37.1", phase: "Upgrading", step: "APIServer", startedTime: ago(60), ...upgrade } }),
      ...status,
    },
  } as Cluster;
}

const entry = (state: PlanCluster["state"], extra: Partial<PlanCluster> = {}): PlanCluster => ({ namespace: "project-a", name: "web", wave: 1, state, startedTime: ago(90), ...extra });
const judge = (e: PlanCluster, c: Cluster | undefined, extra: Partial<GateInput> = {}): ReturnType<typeof judgeCluster> => judgeCluster({ entry: e, cluster: c, target: "1.37", soakMs: 300_000, onFailure: "Halt", now, ...extra });

describe("judgeCluster", () => {
  it.each([
    ["not started yet: left Pending", entry("Pending", { startedTime: undefined }), cluster(undefined), "Pending", undefined],
    ["started, the cluster has not recorded its upgrade yet", entry("Upgrading"), cluster(undefined), "Upgrading", "waiting for the cluster to start its upgrade to 1.37"],
    ["an older upgrade to the same version, rolled back before the plan: not this one", entry("Upgrading"), cluster({ phase: "RolledBack", startedTime: ago(3600) }), "Upgrading", "waiting for the cluster to start its upgrade to 1.37"],
    ["upgrading, with its step", entry("Upgrading"), cluster({ step: "NodePools", message: "2 of 3 machines updated" }), "Upgrading", "step NodePools: 2 of 3 machines updated"],
    ["an upgrade started by hand before the plan and under way is followed", entry("Upgrading"), cluster({ startedTime: ago(3600) }), "Upgrading", "step APIServer"],
    ["failed past its deadline", entry("Upgrading"), cluster({ phase: "Failed", message: "kube-apiserver not ready after 30m" }), "Failed", "the upgrade failed: kube-apiserver not ready after 30m"],
    ["rolling back (by hand)", entry("Upgrading"), cluster({ phase: "RollingBack", rollback: true }), "Failed", "rolling back to 1.36.3"],
    ["rolled back", entry("Failed", { message: "the upgrade failed: x" }), cluster({ phase: "RolledBack", rollback: true, startedTime: ago(10) }), "RolledBack", "rolled back to 1.36.3"],
    ["the cluster deleted while it upgraded", entry("Upgrading"), undefined, "Failed", "the Cluster was deleted while the plan upgraded it"],
    ["completed and healthy: soaking", entry("Upgrading"), cluster({ phase: "Completed", step: "Done", completionTime: ago(30) }, {}, { baseline: 0 }), "Soaking", "healthy; soaks until 2026-11-29T12:04:30.000Z"],
    ["soaked long enough: Upgraded", entry("Soaking"), cluster({ phase: "Completed", step: "Done", completionTime: ago(301) }, { version: "1.37.1" }, { baseline: 0 }), "Upgraded", "at 1.37.1; healthy through the soak"],
    ["Upgraded stays Upgraded, whatever happens later", entry("Upgraded"), cluster({ phase: "Failed" }), "Upgraded", undefined],
    ["a Failed cluster whose gates pass again stays Failed", entry("Failed", { message: "failed its health gate during the soak: 2 of 3 nodes are Ready" }), cluster({ phase: "Completed", completionTime: ago(30) }), "Failed", "failed its health gate during the soak: 2 of 3 nodes are Ready"],
  ])("%s", (_title, e, c, state, message) => {
    const outcome = judge(e, c);
    expect(outcome.entry.state).toBe(state);
    expect(outcome.entry.message).toBe(message);
  });

  it.each([
    ["Ready False", cluster({ phase: "Completed", completionTime: ago(30) }, { conditions: [{ ...condition("Ready", "False", "Degraded"), message: "etcd is not ready" }, condition("Upgrade", "True")] }, { baseline: 0 }), "condition Ready is False (Degraded: etcd is not ready)"],
    ["Upgrade missing", cluster({ phase: "Completed", completionTime: ago(30) }, { conditions: [condition("Ready", "True")] }, { baseline: 0 }), "condition Upgrade is missing"],
    ["a node not Ready", cluster({ phase: "Completed", completionTime: ago(30) }, { nodes: { ready: 2, total: 3 } }, { baseline: 0 }), "2 of 3 nodes are Ready"],
    ["a control-plane restart since the soak began", cluster({ phase: "Completed", completionTime: ago(30) }, { controlPlaneRestarts: 3 }, { baseline: 1 }), "the control plane restarted 2 time(s) during the soak"],
  ])("fails a soaking cluster whose health gate fails: %s", (_title, c, why) => {
    const outcome = judge(entry("Soaking"), c);
    expect(outcome.entry).toMatchObject({ state: "Failed", message: `failed its health gate during the soak: ${why}` });
    expect(outcome.rollbackTo).toBeUndefined();
  });

  it("knows its own upgrade by the plan it records, even when the entry's start was written later (a pass that read a stale plan)", () => {
    const completed = cluster({ phase: "Completed", step: "Done", startedTime: ago(95), completionTime: ago(80), plan: "fleet" }, { version: "1.37.1" });
    const late = entry("Upgrading", { startedTime: ago(60) });
    expect(judge(late, completed, { plan: "fleet" }).entry.state).toBe("Soaking");
    // Without the plan's name, only the times decide: not this plan's upgrade.
    expect(judge(late, completed).entry.state).toBe("Upgrading");
  });

  it("records the restart baseline when the soak begins, and the time it completed", () => {
    const outcome = judge(entry("Upgrading"), cluster({ phase: "Completed", completionTime: ago(30) }, { controlPlaneRestarts: 4 }));
    expect(outcome.recordBaseline).toBe(`4@${ago(60)}`);
    expect(outcome.entry.upgradedTime).toBe(ago(30));
    expect(outcome.soakEndsAt).toBe(now - 30_000 + 300_000);
    expect(judge(entry("Soaking"), cluster({ phase: "Completed", completionTime: ago(30) }, { controlPlaneRestarts: 4 }, { baseline: 4 })).recordBaseline).toBeUndefined();
  });

  it("takes no baseline of an earlier upgrade for this one: it records its own", () => {
    const earlier = cluster({ phase: "Completed", completionTime: ago(30) }, { controlPlaneRestarts: 7 });
    earlier.metadata.annotations = { [restartsBaselineAnnotation]: "0@2026-01-01T00:00:00Z" };
    const outcome = judge(entry("Soaking"), earlier);
    expect(outcome.entry.state).toBe("Soaking");
    expect(outcome.recordBaseline).toBe(`7@${ago(60)}`);
  });

  it("soaks a cluster that came up at the target without an upgrade (it had never run)", () => {
    const fresh = cluster(undefined, { version: "1.37.1" });
    expect(judge(entry("Upgrading"), fresh).entry).toMatchObject({ state: "Soaking", upgradedTime: ago(0) });
  });

  it("fails a cluster whose upgrade to the target had stopped before the plan started it (the Cluster reconciler leaves it stopped)", () => {
    const stopped = cluster({ phase: "Failed", message: "kube-apiserver not ready", startedTime: ago(7200) });
    expect(judge(entry("Upgrading"), stopped).entry).toMatchObject({ state: "Failed", message: "its upgrade to 1.37.1 had stopped before the plan started it: kube-apiserver not ready" });
  });

  it("with onFailure Rollback, rolls a failed or unhealthy cluster back to where it came from, once", () => {
    const rollback = { onFailure: "Rollback" as const };
    expect(judge(entry("Upgrading"), cluster({ phase: "Failed", message: "stuck" }), rollback)).toMatchObject({ rollbackTo: "1.36.3", entry: { state: "Failed", message: "the upgrade failed: stuck; rolling back to 1.36.3" } });
    expect(judge(entry("Soaking"), cluster({ phase: "Completed", completionTime: ago(30) }, { nodes: { ready: 0, total: 1 } }, { baseline: 0 }), rollback).rollbackTo).toBe("1.36.3");
    // Its spec.version went back already: not again.
    const again = judge(entry("Failed", { message: "the upgrade failed: stuck; rolling back to 1.36.3" }), cluster({ phase: "Failed" }, {}, { specVersion: "1.36.3" }), rollback);
    expect(again.rollbackTo).toBeUndefined();
    expect(again.entry.message).toBe("the upgrade failed: stuck; rolling back to 1.36.3");
    // A rollback that itself stopped is not rolled back again.
    expect(judge(entry("Failed"), cluster({ phase: "Failed", rollback: true, message: "restore failed" }, {}, { specVersion: "1.36.3" }), rollback).rollbackTo).toBeUndefined();
    // Halt leaves it as it is.
    expect(judge(entry("Upgrading"), cluster({ phase: "Failed" })).rollbackTo).toBeUndefined();
  });

  it("says a rollback that stopped did", () => {
    expect(judge(entry("Failed"), cluster({ phase: "Failed", rollback: true, message: "restore failed", startedTime: ago(10) }, {}, { specVersion: "1.36.3" })).entry.message).toBe("its rollback to 1.36.3 stopped: restore failed");
  });
});

describe("failedGate", () => {
  it("passes a healthy cluster, with no nodes or no baseline yet", () => {
    expect(failedGate(cluster(undefined, { nodes: { ready: 0, total: 0 } }), undefined)).toBeUndefined();
    expect(failedGate(cluster(undefined, { controlPlaneRestarts: 2 }), 2)).toBeUndefined();
  });
});
