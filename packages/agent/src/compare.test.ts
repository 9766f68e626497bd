import { describe, expect, it } from "vitest";
import { isSubset } from "./compare.ts";

describe("isSubset", () => {
  it.each([
    ["equal scalars", "a", "a", true],
    ["different scalars", "a", "b", false],
    ["fields only live has", { a: 1 }, { a: 1, b: 2 }, true],
    ["a field live lacks", { a: 1, b: 2 }, { a: 1 }, false],
    ["nested difference", { m: { l: { x: "1" } } }, { m: { l: { x: "2", y: "3" } } }, false],
    ["nested subset", { m: { l: { x: "1" } } }, { m: { l: { x: "1", y: "3" } }, status: {} }, true],
    ["lists of the same length, items subsets", [{ a: 1 }], [{ a: 1, d: true }], true],
    ["a longer live list", [{ a: 1 }], [{ a: 1 }, { a: 2 }], false],
    ["a reordered list", ["x", "y"], ["y", "x"], false],
    ["an empty list against a missing one", { rules: [] }, {}, true],
    ["an empty map against a missing one", { labels: {} }, {}, true],
    ["an empty object against a scalar", { a: {} }, { a: "x" }, false],
    ["a non-empty object against a scalar", { a: { b: 1 } }, { a: "x" }, false],
    ["null against missing", { a: null }, {}, true],
    ["a list against a map", { a: [1] }, { a: { 0: 1 } }, false],
  ])("%s", (_name, desired, live, expected) => {
    expect(isSubset(desired, live)).toBe(expected);
  });
});
