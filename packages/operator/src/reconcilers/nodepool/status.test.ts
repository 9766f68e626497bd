import { describe, expect, it } from "vitest";
import { poolPhase, type PoolObservation } from "./status.ts";

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
