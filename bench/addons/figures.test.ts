import { describe, expect, it } from "vitest";
import { nearestRank } from "../lib/nearest-rank.ts";
import { addonsReadyAfter, changedPaths, countPaths, growth, latencies, memoryShortfall, metricBy, parseMetrics, readyFigures, steadyFigures } from "./figures.ts";

describe("the memory a round needs", () => {
  it.each([
    { available: 3324, clusters: 10, fits: true },
    { available: 3323, clusters: 10, fits: false },
    { available: 24_000, clusters: 100, fits: false },
    { available: 1254, clusters: 1, fits: true },
  ])("$clusters cluster(s) in $available MiB fit: $fits", ({ available, clusters, fits }) => {
    expect(memoryShortfall(available, clusters) === undefined).toBe(fits);
  });
  it("names --clusters and how many would fit when they do not", () => {
    expect(memoryShortfall(3000, 10)).toBe("--clusters 10 needs about 3324 MiB (230 MiB per cluster + 1024 MiB), but MemAvailable is 3000 MiB: at most 8 cluster(s) fit; lower --clusters");
    expect(memoryShortfall(500, 1)).toMatch(/at most 0 cluster\(s\) fit/);
  });
});

describe("latencies", () => {
  it.each([
    { sorted: [], q: 0.5, value: undefined },
    { sorted: [7], q: 0.9, value: 7 },
    { sorted: [1, 2, 3], q: 0.5, value: 2 },
    { sorted: [1, 2, 3, 4], q: 0.5, value: 2 },
    { sorted: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q: 0.9, value: 9 },
    { sorted: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], q: 0.9, value: 10 },
    { sorted: [1, 2, 3], q: 1, value: 3 },
  ])("the $q quantile of $sorted by nearest rank is $value", ({ sorted, q, value }) => {
    expect(nearestRank(sorted, q)).toBe(value);
  });
  it("gives p50, p90 and max to a tenth, in any order given", () => {
    expect(latencies([3.04, 1.01, 2.26])).toEqual({ count: 3, p50: 2.3, p90: 3, max: 3 });
    expect(latencies([])).toEqual({ count: 0, p50: null, p90: null, max: null });
  });
});

describe("the figures of the wait for add-ons", () => {
  it("times each cluster from Running to AddonsReady, and the round from its first create to its last AddonsReady", () => {
    const figures = readyFigures([
      { createdAtMs: 1000, runningAtMs: 11_000, addonsReportedAtMs: 11_500, addonsReadyAtMs: 14_000 },
      { createdAtMs: 1200, runningAtMs: 12_000, addonsReportedAtMs: 13_000, addonsReadyAtMs: 13_000 },
      { createdAtMs: 1400, runningAtMs: 16_000, addonsReportedAtMs: 16_200, addonsReadyAtMs: 21_500 },
    ]);
    expect(figures.runningToAddonsReportedSeconds).toEqual({ count: 3, p50: 0.5, p90: 1, max: 1 });
    expect(figures.runningToAddonsReadySeconds).toEqual({ count: 3, p50: 3, p90: 5.5, max: 5.5 });
    expect(figures.createdToRunningSeconds).toEqual({ count: 3, p50: 10.8, p90: 14.6, max: 14.6 });
    expect(figures.allAddonsReadySeconds).toBe(20.5);
    expect(figures.allAddonsReadyAfterAllRunningSeconds).toBe(5.5);
  });
  it("leaves out a cluster never seen AddonsReady, and gives no round figure then", () => {
    const figures = readyFigures([
      { createdAtMs: 0, runningAtMs: 10_000, addonsReadyAtMs: 12_000 },
      { createdAtMs: 0, runningAtMs: 11_000 },
    ]);
    expect(figures.runningToAddonsReadySeconds.count).toBe(1);
    expect(figures.allAddonsReadySeconds).toBeNull();
    expect(figures.allAddonsReadyAfterAllRunningSeconds).toBeNull();
  });
});

const page = (requests: { apply: number; delete: number }, watches: number, reconciles: { success: number; error: number }): string =>
  [
    "# HELP seedbed_addon_tenant_requests_total Requests the add-on controller sent",
    "# TYPE seedbed_addon_tenant_requests_total counter",
    `seedbed_addon_tenant_requests_total{action="apply"} ${String(requests.apply)}`,
    `seedbed_addon_tenant_requests_total{action="delete"} ${String(requests.delete)}`,
    "# TYPE seedbed_addon_watches gauge",
    `seedbed_addon_watches ${String(watches)}`,
    `seedbed_reconcile_total{controller="addons",result="success"} ${String(reconciles.success)}`,
    `seedbed_reconcile_total{controller="addons",result="error"} ${String(reconciles.error)}`,
    'seedbed_reconcile_total{controller="cluster",result="success"} 999',
    "",
  ].join("\n");

describe("reading /metrics", () => {
  it("reads samples with and without labels, with escaped quotes, and skips comments", () => {
    const samples = parseMetrics('# HELP x y\nup 1\nm{a="b",c="say \\"hi\\""} 2.5\nm{a="b"} 1e3\nbroken{ line\n');
    expect(samples).toEqual([
      { name: "up", labels: {}, value: 1 },
      { name: "m", labels: { a: "b", c: 'say "hi"' }, value: 2.5 },
      { name: "m", labels: { a: "b" }, value: 1000 },
    ]);
  });
  it("sums a metric by a label among the samples that match", () => {
    const samples = parseMetrics(page({ apply: 5, delete: 1 }, 10, { success: 7, error: 2 }));
    expect(metricBy(samples, "seedbed_reconcile_total", { controller: "addons" }, "result")).toEqual({ success: 7, error: 2 });
    expect(metricBy(samples, "seedbed_addon_watches")).toEqual({ "": 10 });
    expect(metricBy(samples, "absent")).toEqual({});
  });
  it("keeps only the counters that grew", () => {
    expect(growth({ apply: 5, delete: 1 }, { apply: 5, delete: 3, helm_upgrade: 1 })).toEqual({ delete: 2, helm_upgrade: 1 });
  });
});

describe("the steady-state figures", () => {
  it("counts no request and no pass when nothing moved, and the watches per cluster", () => {
    const same = parseMetrics(page({ apply: 40, delete: 0 }, 20, { success: 30, error: 1 }));
    expect(steadyFigures(same, same, 10, 60)).toEqual({
      windowSeconds: 60,
      tenantRequests: 0,
      tenantRequestsByAction: {},
      tenantRequestsPerClusterPerMinute: 0,
      watches: 20,
      watchesPerCluster: 2,
      addonReconciles: 0,
      addonReconcilesByResult: {},
      addonReconcilesPerClusterPerMinute: 0,
    });
  });
  it("gives requests and passes per cluster per minute over the window, leaving other controllers out", () => {
    const before = parseMetrics(page({ apply: 40, delete: 0 }, 20, { success: 30, error: 1 }));
    const after = parseMetrics(page({ apply: 43, delete: 1 }, 18, { success: 35, error: 1 }).replace("999", "5000"));
    expect(steadyFigures(before, after, 4, 30)).toMatchObject({
      tenantRequests: 4,
      tenantRequestsByAction: { apply: 3, delete: 1 },
      tenantRequestsPerClusterPerMinute: 2,
      watches: 18,
      watchesPerCluster: 4.5,
      addonReconciles: 5,
      addonReconcilesByResult: { success: 5 },
      addonReconcilesPerClusterPerMinute: 2.5,
    });
  });
});

describe("AddonsReady after a drift", () => {
  it.each([
    { name: "False then True again", changes: [{ status: "True", atMs: 0 }, { status: "False", atMs: 1200 }, { status: "True", atMs: 4000 }], result: { wentFalse: true, trueAgainSeconds: 3 } },
    { name: "still False", changes: [{ status: "True", atMs: 0 }, { status: "False", atMs: 1200 }], result: { wentFalse: true, trueAgainSeconds: null } },
    { name: "never False", changes: [{ status: "True", atMs: 0 }], result: { wentFalse: false, trueAgainSeconds: null } },
    { name: "False only before the drift", changes: [{ status: "False", atMs: 0 }, { status: "True", atMs: 500 }], result: { wentFalse: false, trueAgainSeconds: null } },
  ])("$name", ({ changes, result }) => {
    expect(addonsReadyAfter(changes, 1000)).toEqual(result);
  });
});

describe("what an update changed", () => {
  it("names the leaf fields that differ, leaving out the resourceVersion and managedFields", () => {
    const before = { metadata: { name: "a", resourceVersion: "1", managedFields: [{ manager: "x" }] }, status: { phase: "Running", controlPlane: { datastore: { bytes: 10, keys: 3 } } } };
    const after = { metadata: { name: "a", resourceVersion: "2", managedFields: [{ manager: "y" }] }, status: { phase: "Running", controlPlane: { datastore: { bytes: 12, keys: 3 } }, version: "1.36.3" } };
    expect(changedPaths(before, after)).toEqual(["status.controlPlane.datastore.bytes", "status.version"]);
    expect(changedPaths(before, before)).toEqual([]);
  });
  it("compares lists of conditions or members element by element, and a plain list whole", () => {
    const before = { status: { conditions: [{ type: "Ready", status: "True" }, { type: "AddonsReady", status: "True" }], members: [{ name: "etcd-0", dbSizeBytes: 1 }], addresses: ["a"] } };
    const after = { status: { conditions: [{ type: "Ready", status: "True" }, { type: "AddonsReady", status: "False" }, { type: "New", status: "True" }], members: [{ name: "etcd-0", dbSizeBytes: 2 }], addresses: ["b"] } };
    expect(changedPaths(before, after)).toEqual(["status.addresses", "status.conditions[AddonsReady].status", "status.conditions[New]", "status.members[etcd-0].dbSizeBytes"]);
    expect(changedPaths({ l: [{ name: "a" }, { other: 1 }] }, { l: [{ name: "a" }, { other: 2 }] })).toEqual(["l"]);
  });
  it("counts paths over several updates, most frequent first", () => {
    expect(countPaths([["b", "a"], ["a"], ["c"]])).toEqual({ a: 2, b: 1, c: 1 });
    expect(Object.keys(countPaths([["b"], ["a"], ["a"]]))).toEqual(["a", "b"]);
  });
});
