import type { V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { MachineView } from "./machines.ts";
import { machineStatus, poolPhase, type PoolObservation } from "./status.ts";

const unreachable = { reason: "TenantUnreachable", message: "the API of cluster project-a/c did not answer GET /api/v1/nodes within 10 s; retried with backoff" };

describe("poolPhase", () => {
  const cases: { name: string; observed: PoolObservation; phase: string; reason: string; message?: string }[] = [
    { name: "a pool being deleted says so", observed: { desired: 2, machines: [], deleting: true }, phase: "Deleting", reason: "Deleting", message: "draining and removing its machines" },
    { name: "a deletion held up by an unreachable tenant says why", observed: { desired: 2, machines: [], deleting: true, waiting: unreachable }, phase: "Deleting", reason: "TenantUnreachable", message: unreachable.message },
    { name: "a pool that cannot reach its tenant waits with the reason", observed: { desired: 2, machines: [], waiting: unreachable }, phase: "Pending", reason: "TenantUnreachable", message: unreachable.message },
    { name: "a pool with all its machines ready runs", observed: { desired: 0, machines: [] }, phase: "Running", reason: "MachinesReady" },
    {
      name: "a pool whose machine failed says why, in the provider's words",
      observed: { desired: 1, machines: [], lastFailure: "machine w-1 failed: the cluster refused the bootstrap token of w-1 (Unauthorized for 20 s)" },
      phase: "Degraded",
      reason: "MachineFailed",
      message: "machine w-1 failed: the cluster refused the bootstrap token of w-1 (Unauthorized for 20 s); 0 of 1 machines ready",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { phase, ready } = poolPhase(c.observed);
      expect(phase).toBe(c.phase);
      expect(ready.status).toBe(c.phase === "Running" ? "True" : "False");
      expect(ready.reason).toBe(c.reason);
      if (c.message !== undefined) expect(ready.message).toBe(c.message);
    });
  }
});

describe("a pool whose machines run another kubelet than its version", () => {
  const machine = (name: string, kubelet: string | undefined, ready = true): MachineView => ({
    machine: { name, nodeName: name, providerID: `kwok://c/${name}`, phase: "Running", createdAt: "2026-01-01T00:00:00Z" },
    node: kubelet === undefined ? undefined : { metadata: { name }, status: { nodeInfo: { kubeletVersion: `v${kubelet}` } as NonNullable<NonNullable<V1Node["status"]>["nodeInfo"]> } },
    ready,
    notReadySince: undefined,
    movablePods: 0,
  });

  it("is Upgrading while one remains, Ready when enough machines are", () => {
    const { phase, ready } = poolPhase({ desired: 2, machines: [machine("a", "1.36.3"), machine("b", "1.37.1"), machine("c", "1.37.1")], target: "1.37.1" });
    expect(phase).toBe("Upgrading");
    expect(ready).toEqual({ status: "True", reason: "RollingOut", message: "1 of 3 machines still run another kubelet than 1.37.1; 3 of 2 ready" });
  });

  it("says what holds the rollout up", () => {
    const { phase, ready } = poolPhase({ desired: 2, machines: [machine("a", "1.36.3"), machine("b", "1.36.3")], target: "1.37.1", quotaMessage: "project a allows 2 nodes" });
    expect(phase).toBe("Upgrading");
    expect(ready).toMatchObject({ status: "False", reason: "QuotaExceeded" });
  });

  it("is Running once every machine runs it, a machine without a Node yet counting as neither", () => {
    expect(poolPhase({ desired: 1, machines: [machine("b", "1.37.1")], target: "1.37.1" }).phase).toBe("Running");
    expect(poolPhase({ desired: 1, machines: [machine("b", undefined, false)], target: "1.37.1" }).phase).toBe("Degraded");
  });

  it("reports each machine's kubelet and how many run the pool's version", () => {
    expect(machineStatus([machine("b", "1.37.1"), machine("a", "1.36.3"), machine("c", undefined, false)], "1.37.1")).toEqual({
      replicas: 3,
      readyReplicas: 2,
      updatedReplicas: 1,
      machines: [
        { name: "a", providerID: "kwok://c/a", ready: true, version: "1.36.3", createdTime: "2026-01-01T00:00:00Z" },
        { name: "b", providerID: "kwok://c/b", ready: true, version: "1.37.1", createdTime: "2026-01-01T00:00:00Z" },
        { name: "c", providerID: "kwok://c/c", ready: false, createdTime: "2026-01-01T00:00:00Z" },
      ],
    });
  });
});
