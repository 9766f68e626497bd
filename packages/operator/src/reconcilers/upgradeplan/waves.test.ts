import { describe, expect, it } from "vitest";
import { assignWaves, batchSizeOf, waveCount, type Candidate } from "./waves.ts";

const fleet = (count: number, version = "1.36.3"): Candidate[] => Array.from({ length: count }, (_, i) => ({ namespace: "project-a", name: `c${String(i).padStart(2, "0")}`, version }));
const wavesOf = (candidates: readonly Candidate[], canary: number, batchSize: string): number[] => assignWaves(candidates, { target: "1.37", canary, batchSize }).map((e) => e.wave);

describe("batchSizeOf", () => {
  it.each([
    ["a count", "3", 10, 3],
    ["a percentage, rounded up", "25%", 10, 3],
    ["30% of 10", "30%", 10, 3],
    ["a small percentage of a few: at least one", "1%", 4, 1],
    ["100%", "100%", 7, 7],
    ["a count larger than the fleet", "50", 4, 50],
    ["an unreadable value: one, the careful reading", "x", 10, 1],
  ])("%s", (_title, batchSize, selected, expected) => {
    expect(batchSizeOf(batchSize, selected)).toBe(expected);
  });
});

describe("assignWaves", () => {
  it.each([
    ["a canary of one, then batches of three", 10, 1, "3", [0, 1, 1, 1, 2, 2, 2, 3, 3, 3]],
    ["no canary: batches from wave 0", 10, 0, "3", [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]],
    ["a canary of two, then 25% of ten (3)", 10, 2, "25%", [0, 0, 1, 1, 1, 2, 2, 2, 3, 3]],
    ["a canary as big as the fleet", 3, 5, "1", [0, 0, 0]],
    ["one wave of everything", 4, 0, "100%", [0, 0, 0, 0]],
  ])("%s", (_title, count, canary, batchSize, expected) => {
    expect(wavesOf(fleet(count), canary, batchSize)).toEqual(expected);
  });

  it("counts clusters already at the target as Upgraded, untouched, and cuts waves from the others only", () => {
    const candidates = [...fleet(2, "1.37.1"), ...fleet(4).map((c) => ({ ...c, name: `d${c.name}` }))];
    const entries = assignWaves(candidates, { target: "1.37", canary: 1, batchSize: "2" });
    expect(entries.map((e) => [e.name, e.wave, e.state])).toEqual([
      ["c00", 0, "Upgraded"], ["c01", 0, "Upgraded"],
      ["dc00", 0, "Pending"], ["dc01", 1, "Pending"], ["dc02", 1, "Pending"], ["dc03", 2, "Pending"],
    ]);
    expect(entries[0]?.message).toBe("already at 1.37.1: left as it is");
  });

  it("takes a percentage of every selected cluster, those already upgraded included", () => {
    // 8 selected, 50% is 4 a wave, though only 2 need the upgrade.
    const candidates = [...fleet(6, "1.37.1"), ...fleet(2).map((c) => ({ ...c, name: `z${c.name}` }))];
    expect(assignWaves(candidates, { target: "1.37", canary: 0, batchSize: "50%" }).filter((e) => e.state === "Pending").map((e) => e.wave)).toEqual([0, 0]);
  });

  it("leaves a cluster newer than the target alone, saying a plan never downgrades", () => {
    const [entry] = assignWaves([{ namespace: "project-a", name: "new", version: "1.37.1" }], { target: "1.36.3", canary: 1, batchSize: "1" });
    expect(entry).toMatchObject({ state: "Upgraded", message: "runs 1.37.1, newer than 1.36.3: left as it is (a plan never downgrades)" });
  });

  it("matches a pinned target by its patch", () => {
    const entries = assignWaves([{ namespace: "p", name: "a", version: "1.37.0" }, { namespace: "p", name: "b", version: "1.37.1" }], { target: "1.37.1", canary: 0, batchSize: "5" });
    expect(entries.map((e) => e.state)).toEqual(["Pending", "Upgraded"]);
  });

  it("counts the waves", () => {
    expect(waveCount(assignWaves(fleet(10), { target: "1.37", canary: 1, batchSize: "3" }))).toBe(4);
    expect(waveCount([])).toBe(0);
  });
});
