import type { ClusterSync } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import {
  allInSync,
  changeLabel,
  clusterLabels,
  clusterNames,
  footprintFigures,
  idleFigures,
  inSyncGenerations,
  latencies,
  memoryFigures,
  memoryNeededMiB,
  memoryShortfall,
  perClusterPerMinute,
  phaseSplit,
  policySpec,
  roundRobin,
  secondsSince,
  selectedCount,
  selectionLabel,
  type AgentCounts,
} from "./figures.ts";

const counts = (managementRequests: number, tenantRequests = 0, writes = 0): AgentCounts => ({ managementRequests, tenantRequests, writes, tenantWrites: 0, passes: 0 });

describe("the policy benchmark's fleet", () => {
  it("names clusters zero-padded so that they sort as numbers", () => {
    expect(clusterNames(3)).toEqual(["c-0", "c-1", "c-2"]);
    expect(clusterNames(200)[7]).toBe("c-007");
    expect([...clusterNames(120)].sort()).toEqual(clusterNames(120));
  });

  it("selects a fraction of the clusters, at least one and at most all", () => {
    expect(selectedCount(200, 1)).toBe(200);
    expect(selectedCount(200, 0.25)).toBe(50);
    expect(selectedCount(10, 0.01)).toBe(1);
    expect(clusterLabels(0, 1)[selectionLabel]).toBe("in");
    expect(clusterLabels(1, 1)[selectionLabel]).toBe("out");
  });

  it("gives each policy a labelled namespace, a Role in it and a binding of that Role, selecting the clusters labelled in", () => {
    const spec = policySpec("p-1");
    expect(spec.clusterSelector).toEqual({ matchLabels: { [selectionLabel]: "in" } });
    expect(spec.namespaces).toEqual([{ name: "bench-p-1", labels: { "team.example.com/name": "p-1" } }]);
    expect(spec.roles?.[0]?.namespace).toBe("bench-p-1");
    expect(spec.bindings?.[0]?.roleRef).toEqual({ kind: "Role", name: spec.roles?.[0]?.name });
  });

  it("makes each change a different namespace entry, and the same change the same one", () => {
    expect(policySpec("p-1", 2).namespaces?.[0]?.labels?.[changeLabel]).toBe("2");
    expect(policySpec("p-1", 2)).toEqual(policySpec("p-1", 2));
    expect(policySpec("p-1", 3)).not.toEqual(policySpec("p-1", 2));
  });

  it("hands items out round-robin, every one exactly once", () => {
    expect(roundRobin(5, 2)).toEqual([[0, 2, 4], [1, 3]]);
    expect(roundRobin(2, 4)).toEqual([[0], [1], [], []]);
    expect(roundRobin(3, 0)).toEqual([[0, 1, 2]]);
  });
});

describe("reading a ClusterSync's status", () => {
  const sync = (policies: { name: string; state: string; observedGeneration: number }[]): Pick<ClusterSync, "status"> =>
    ({ status: { policies: policies.map((p) => ({ namespace: "project-bench", uid: p.name, objects: 3, problemCount: 0, ...p })) } }) as unknown as Pick<ClusterSync, "status">;

  it("takes only the policies reported InSync, at the generation they were synced at", () => {
    const found = inSyncGenerations(sync([{ name: "a", state: "InSync", observedGeneration: 2 }, { name: "b", state: "Pending", observedGeneration: 1 }, { name: "c", state: "Conflicted", observedGeneration: 1 }]));
    expect([...found]).toEqual([["a", 2]]);
    expect(inSyncGenerations({}).size).toBe(0);
  });

  it("counts a policy in sync at the wanted generation or a later one, never an earlier one or a missing one", () => {
    const wanted = new Map([["a", 2], ["b", 1]]);
    expect(allInSync(new Map([["a", 2], ["b", 1]]), wanted)).toBe(true);
    expect(allInSync(new Map([["a", 3], ["b", 1]]), wanted)).toBe(true);
    expect(allInSync(new Map([["a", 1], ["b", 1]]), wanted)).toBe(false);
    expect(allInSync(new Map([["a", 2]]), wanted)).toBe(false);
  });
});

describe("the memory a run needs", () => {
  it("lets a run through when MemAvailable holds it", () => {
    const shape = { clusters: 200, tenantServers: 4, agentProcesses: 4 };
    expect(memoryShortfall(memoryNeededMiB(shape), shape)).toBeUndefined();
  });

  it("grows with agents and tenant servers", () => {
    const base = { clusters: 10, tenantServers: 1, agentProcesses: 1 };
    expect(memoryNeededMiB({ ...base, clusters: 20 })).toBeGreaterThan(memoryNeededMiB(base));
    expect(memoryNeededMiB({ ...base, tenantServers: 2 })).toBeGreaterThan(memoryNeededMiB(base));
  });

  it("refuses a run that does not fit, naming the flags to lower", () => {
    const shape = { clusters: 200, tenantServers: 4, agentProcesses: 4 };
    const message = memoryShortfall(memoryNeededMiB(shape) - 1, shape);
    expect(message).toContain("lower --clusters or --tenant-servers");
    expect(message).toContain(`needs about ${String(memoryNeededMiB(shape))} MiB`);
  });
});

describe("latencies", () => {
  it("gives p50, p99 and max by nearest rank, always a measured value, to the millisecond", () => {
    const seconds = Array.from({ length: 200 }, (_, i) => (i + 1) / 100);
    expect(latencies(seconds)).toEqual({ count: 200, p50: 1, p99: 1.98, max: 2 });
    expect(latencies([0.12345])).toEqual({ count: 1, p50: 0.123, p99: 0.123, max: 0.123 });
    expect(latencies([])).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it("measures from the start and counts clusters never seen apart, not as zero", () => {
    expect(secondsSince(1000, [1500, undefined, 3000])).toEqual({ seconds: [0.5, 2], missing: 1 });
  });
});

describe("where a sync's time went", () => {
  it("splits each cluster's time into the hub's listing and the agent's part after it", () => {
    const split = phaseSplit(1000, [1200, 1400, undefined], [1700, 1500, 2000]);
    expect(split.hubSeconds).toEqual({ count: 2, p50: 0.2, p99: 0.4, max: 0.4 });
    expect(split.agentSeconds).toEqual({ count: 2, p50: 0.1, p99: 0.5, max: 0.5 });
  });
});

describe("idle figures", () => {
  it("gives requests per agent per minute from the stats at the start and end of the window", () => {
    const idle = idleFigures([counts(5, 5), counts(7, 1)], [counts(5, 5), counts(9, 3)], 30);
    expect(idle.total.managementRequests).toBe(2);
    expect(idle.total.tenantRequests).toBe(2);
    expect(idle.requestsPerAgentPerMinute).toBe(4);
    expect(idle.agentsWithRequests).toBe(1);
  });

  it("reports zero for agents that did nothing", () => {
    const idle = idleFigures([counts(3), counts(4)], [counts(3), counts(4)], 30);
    expect(idle.requestsPerAgentPerMinute).toBe(0);
    expect(idle.agentsWithRequests).toBe(0);
  });

  it("gives ClusterSync writes per cluster per minute", () => {
    expect(perClusterPerMinute(20, 200, 30)).toBe(0.2);
    expect(perClusterPerMinute(5, 0, 30)).toBe(0);
  });
});

describe("agent memory", () => {
  it("is what the workers hold beyond as many empty workers, per agent", () => {
    const memory = memoryFigures([{ rssMiB: 300, heapUsedMiB: 100 }, { rssMiB: 320, heapUsedMiB: 110 }], 100, 200);
    expect(memory.agentsMiB).toBe(420);
    expect(memory.perAgentMiB).toBe(2.1);
  });

  it("never goes below zero", () => {
    expect(memoryFigures([{ rssMiB: 90, heapUsedMiB: 10 }], 100, 5).agentsMiB).toBe(0);
  });
});

describe("the management-API footprint", () => {
  it("averages objects and bytes per kind over clusters and keeps the largest cluster's total", () => {
    const figures = footprintFigures([
      { ClusterSync: { objects: 1, bytes: 1000 }, Role: { objects: 1, bytes: 500 } },
      { ClusterSync: { objects: 1, bytes: 2000 }, Role: { objects: 0, bytes: 0 } },
    ]);
    expect(figures.perCluster).toEqual({ ClusterSync: { objects: 1, bytes: 1500 }, Role: { objects: 0.5, bytes: 250 } });
    expect(figures.perClusterTotal).toEqual({ objects: 1.5, bytes: 1750, maxBytes: 2000 });
  });
});
