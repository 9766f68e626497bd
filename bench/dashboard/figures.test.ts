import { describe, expect, it } from "vitest";
import { bundleFigures, clusterLabels, clusterName, clusterStatus, halfCount, halfSelector, latencies, mebibytes, planPhaseChanges } from "./figures.ts";
import { parentOf } from "./processes.ts";

describe("the benchmark's fleet", () => {
  it("names clusters so they sort as created", () => {
    expect([clusterName(0), clusterName(7), clusterName(199)]).toEqual(["bench-000", "bench-007", "bench-199"]);
  });
  it("labels every other cluster so that the half selector matches halfCount of them", () => {
    for (const n of [2, 3, 20, 199, 200]) {
      const matching = Array.from({ length: n }, (_, i) => clusterLabels(i)).filter((labels) => `bench-half=${labels["bench-half"] ?? ""}` === halfSelector).length;
      expect(matching).toBe(halfCount(n));
    }
  });
  it("writes a status with the phase, the version and Ready True", () => {
    const status = clusterStatus({ phase: "Degraded", version: "1.36.0", now: new Date("2026-12-01T10:00:00Z") });
    expect(status).toMatchObject({ phase: "Degraded", version: "1.36.0", nodes: { ready: 3, total: 3 }, lastBackupTime: "2026-12-01T09:00:00.000Z" });
    expect(status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "True", lastTransitionTime: "2026-12-01T10:00:00.000Z" })]);
  });
});

describe("the plan of phase changes", () => {
  it("goes round-robin over the clusters and flips each one's phase every time it comes round", () => {
    expect(planPhaseChanges(5, 2)).toEqual([
      { cluster: "bench-000", phase: "Degraded" },
      { cluster: "bench-001", phase: "Degraded" },
      { cluster: "bench-000", phase: "Running" },
      { cluster: "bench-001", phase: "Running" },
      { cluster: "bench-000", phase: "Degraded" },
    ]);
  });
  it("moves 20 different clusters once each in a fleet of 200", () => {
    const plan = planPhaseChanges(20, 200);
    expect(new Set(plan.map((c) => c.cluster)).size).toBe(20);
    expect(plan.every((c) => c.phase === "Degraded")).toBe(true);
  });
});

describe("latency figures", () => {
  it("gives p50, p99, min and max by nearest rank, to a tenth of a ms, keeping the samples in order", () => {
    expect(latencies([30.04, 10.01, 20.26])).toEqual({ count: 3, p50: 20.3, p99: 30, min: 10, max: 30, samples: [30, 10, 20.3] });
  });
  it("takes the largest of 20 samples as p99 and the 10th as p50", () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(latencies(samples)).toMatchObject({ count: 20, p50: 10, p99: 20, min: 1, max: 20 });
  });
  it("gives nulls for no samples", () => {
    expect(latencies([])).toEqual({ count: 0, p50: null, p99: null, min: null, max: null, samples: [] });
  });
});

describe("the bundle's figures", () => {
  it("sums JavaScript and CSS apart and together, leaving source maps and other files out", () => {
    const figures = bundleFigures([
      { name: "index-b.js", bytes: 1000, gzipBytes: 300 },
      { name: "index-b.js.map", bytes: 5000, gzipBytes: 1500 },
      { name: "index-a.css", bytes: 200, gzipBytes: 80 },
      { name: "vendor-c.js", bytes: 500, gzipBytes: 150 },
      { name: "logo.svg", bytes: 90, gzipBytes: 60 },
    ]);
    expect(figures.js).toEqual({ files: 2, bytes: 1500, gzipBytes: 450 });
    expect(figures.css).toEqual({ files: 1, bytes: 200, gzipBytes: 80 });
    expect(figures.total).toEqual({ files: 3, bytes: 1700, gzipBytes: 530 });
    expect(figures.files.map((f) => f.name)).toEqual(["index-a.css", "index-b.js", "vendor-c.js"]);
  });
  it("converts bytes to MiB to a hundredth", () => {
    expect(mebibytes(1_048_576 * 12.345)).toBe(12.35);
  });
});

describe("reading /proc/<pid>/stat", () => {
  it("finds the parent pid after a command name holding spaces and parentheses", () => {
    expect(parentOf("4242 (node (main) x) S 17 4242 4242 0 -1")).toBe(17);
    expect(parentOf("1 (systemd) S 0 1 1 0 -1")).toBe(0);
  });
});
