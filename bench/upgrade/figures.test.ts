import { describe, expect, it } from "vitest";
import { clusterUpgradeSeconds, kwokClusterName, loopFigures, parseWholeNumber, sampleClusterNames, waveFigures, type PlanEntry } from "./figures.ts";

const entry = (wave: number, startedTime?: string, upgradedTime?: string): PlanEntry => ({ namespace: "project-bench", name: `c${String(wave)}`, wave, state: upgradedTime === undefined ? "Upgrading" : "Upgraded", ...(startedTime === undefined ? {} : { startedTime }), ...(upgradedTime === undefined ? {} : { upgradedTime }) });
const at = (second: number): string => new Date(Date.UTC(2026, 0, 1) + second * 1000).toISOString();

describe("a whole-number flag", () => {
  it.each([{ text: "100", min: 1, n: 100 }, { text: "0", min: 0, n: 0 }])("takes $text", ({ text, min, n }) => {
    expect(parseWholeNumber("clusters", text, min)).toBe(n);
  });
  it.each(["0", "2.5", "x", "", " "])("refuses %j, naming the flag", (text) => {
    expect(() => parseWholeNumber("clusters", text, 1)).toThrow(/--clusters must be a whole number of at least 1/);
  });
});

describe("the cluster names", () => {
  it("pads the kwok clusters' numbers so that they sort as numbers", () => {
    expect([kwokClusterName(0, 100), kwokClusterName(7, 100), kwokClusterName(99, 100), kwokClusterName(3, 1000)]).toEqual(["k-00", "k-07", "k-99", "k-003"]);
  });
  it.each([
    { sample: 2, clusters: 100, names: ["k-00-real", "k-50-real"] },
    { sample: 3, clusters: 10, names: ["k-0-real", "k-3-real", "k-6-real"] },
    { sample: 1, clusters: 1, names: ["k-0-real"] },
    { sample: 0, clusters: 100, names: [] },
  ])("spreads $sample samples through $clusters clusters", ({ sample, clusters, names }) => {
    expect(sampleClusterNames(sample, clusters)).toEqual(names);
  });
  it("puts two samples of 100 clusters into different waves of a canary of 1 and batches of 25%", () => {
    const all = [...Array.from({ length: 100 }, (_, i) => kwokClusterName(i, 100)), ...sampleClusterNames(2, 100)].sort();
    const size = Math.ceil((all.length * 25) / 100);
    const waveOf = (name: string): number => {
      const index = all.indexOf(name);
      return index < 1 ? 0 : 1 + Math.floor((index - 1) / size);
    };
    expect(sampleClusterNames(2, 100).map(waveOf)).toEqual([1, 2]);
  });
});

describe("the plan's figures", () => {
  it("times each wave from its first start to its last completion, leaving out clusters never started", () => {
    const entries = [entry(0, at(0), at(20)), entry(1, at(21), at(40)), entry(1, at(22), at(45.5)), { ...entry(0), state: "Upgraded" as const }];
    expect(waveFigures(entries)).toEqual([{ wave: 0, clusters: 1, seconds: 20 }, { wave: 1, clusters: 2, seconds: 24.5 }]);
  });
  it("gives null for a wave a cluster of which has not completed", () => {
    expect(waveFigures([entry(2, at(0), at(10)), entry(2, at(1))])).toEqual([{ wave: 2, clusters: 2, seconds: null }]);
  });
  it.each([
    { entries: [entry(0, at(0), at(10)), entry(1, at(0), at(30)), entry(1, at(0), at(20))], figures: { p50: 20, max: 30 } },
    { entries: [entry(0, at(0), at(10)), entry(1, at(0), at(15))], figures: { p50: 12.5, max: 15 } },
    { entries: [entry(0, at(0))], figures: { p50: null, max: null } },
  ])("takes the median and the largest cluster upgrade time: $figures", ({ entries, figures }) => {
    expect(clusterUpgradeSeconds(entries)).toEqual(figures);
  });
});

describe("the client loops' figures", () => {
  it("sums requests and failures over the sample", () => {
    expect(loopFigures([{ ok: 100, failures: [] }, { ok: 50, failures: ["t EOF", "t HTTP 503"] }])).toEqual({ sampleRequests: 152, failedRequests: 2 });
  });
  it("says null, not 0, when no sample ran", () => {
    expect(loopFigures([])).toEqual({ sampleRequests: null, failedRequests: null });
  });
});
