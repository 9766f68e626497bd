import { describe, expect, it } from "vitest";
import { compare, median, objectsToAdd, parseSizes, parseWholeNumber } from "./figures.ts";

describe("the --sizes flag", () => {
  it.each([
    { text: "10,100,1000", sizes: [10, 100, 1000] },
    { text: "5, 20", sizes: [5, 20] },
    { text: "0.5", sizes: [0.5] },
  ])("$text → $sizes", ({ text, sizes }) => {
    expect(parseSizes(text)).toEqual(sizes);
  });
  it.each([
    { text: "", error: /--sizes must be MB counts above 0.*got ""/ },
    { text: "10,,20", error: /got ""/ },
    { text: "10,abc", error: /got "abc"/ },
    { text: "0,10", error: /got "0"/ },
    { text: "-5", error: /got "-5"/ },
    { text: "100,10", error: /--sizes must grow .*: 10 follows 100/ },
    { text: "10,10", error: /10 follows 10/ },
  ])("refuses $text", ({ text, error }) => {
    expect(() => parseSizes(text)).toThrow(error);
  });
});

describe("a whole-number flag", () => {
  it("takes a whole number at or above the minimum", () => {
    expect(parseWholeNumber("runs", "3", 1)).toBe(3);
    expect(parseWholeNumber("runs", "1", 1)).toBe(1);
  });
  it.each(["0", "1.5", "x", ""])("refuses %j, naming the flag", (text) => {
    expect(() => parseWholeNumber("runs", text, 1)).toThrow(`--runs must be a whole number of at least 1, got ${JSON.stringify(text)}`);
  });
});

describe("how many objects a fill step still writes", () => {
  it.each([
    { current: 0, target: 10_000_000, value: 1_000_000, add: 10 },
    { current: 2_000_000, target: 10_000_000, value: 1_000_000, add: 8 },
    { current: 9_500_000, target: 10_000_000, value: 1_000_000, add: 1 },
    { current: 9_999_999, target: 10_000_000, value: 1_000_000, add: 1 },
    { current: 10_000_000, target: 10_000_000, value: 1_000_000, add: 0 },
    { current: 12_000_000, target: 10_000_000, value: 1_000_000, add: 0 },
  ])("$current of $target bytes with values of $value → $add", ({ current, target, value, add }) => {
    expect(objectsToAdd(current, target, value)).toBe(add);
  });
});

describe("medians and ratios", () => {
  it.each([
    { values: [3], median: 3 },
    { values: [5, 1, 3], median: 3 },
    { values: [4, 1, 3, 2], median: 2.5 },
    { values: [], median: Number.NaN },
  ])("median of $values is $median", ({ values, median: expected }) => {
    expect(median(values)).toBe(expected);
  });

  it("compares the medians of both paths and the median of each of Seedbed's steps", () => {
    const seedbed = [
      { totalMs: 1300, phasesMs: { snapshot: 1000, upload: 300 } },
      { totalMs: 1200.4, phasesMs: { snapshot: 900, upload: 300.4 } },
      { totalMs: 1500, phasesMs: { snapshot: 1100, upload: 400 } },
    ];
    const byHand = [{ totalMs: 1000 }, { totalMs: 900 }, { totalMs: 1100 }];
    expect(compare(seedbed, byHand)).toEqual({
      seedbedMs: 1300,
      byHandMs: 1000,
      ratio: 1.3,
      seedbedPhasesMs: { snapshot: 1000, upload: 300 },
      seedbedRunsMs: [1300, 1200, 1500],
      byHandRunsMs: [1000, 900, 1100],
    });
  });
});
