import { describe, expect, it } from "vitest";
import { matchesSelector, parseSelector, type Requirement } from "./label-selector.ts";

function parsed(text: string): Requirement[] {
  const result = parseSelector(text);
  if (!result.ok) throw new Error(result.error);
  return result.requirements;
}

describe("parseSelector", () => {
  it("reads every kind of term", () => {
    expect(parsed(" env = prod, tier!=db, zone in (a, b),team notin (x),seedbed.dev/tier,!legacy ")).toEqual([
      { key: "env", op: "=", value: "prod" },
      { key: "tier", op: "!=", value: "db" },
      { key: "zone", op: "in", values: ["a", "b"] },
      { key: "team", op: "notin", values: ["x"] },
      { key: "seedbed.dev/tier", op: "exists" },
      { key: "legacy", op: "!exists" },
    ]);
  });

  it("takes == as =", () => {
    expect(parsed("env==prod")).toEqual([{ key: "env", op: "=", value: "prod" }]);
  });

  it("selects everything when empty", () => {
    expect(parsed("  ")).toEqual([]);
  });

  it.each([
    ["env in (a,b", "Unbalanced"],
    ["env=prod,,x", "empty term"],
    ["bad key=1", "not a valid label key"],
    ["env=has space", "not a valid label value"],
    ["env in (ok,b@d)", "not a valid label value"],
  ])("refuses %s in words", (text, words) => {
    const result = parseSelector(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(words);
  });
});

describe("matchesSelector", () => {
  const labels = { env: "prod", zone: "a" };
  it.each([
    ["env=prod", true],
    ["env=dev", false],
    ["env!=dev", true],
    ["missing!=x", true],
    ["zone in (a,b)", true],
    ["zone in (b)", false],
    ["missing in (a)", false],
    ["zone notin (b)", true],
    ["missing notin (b)", true],
    ["env", true],
    ["!env", false],
    ["!missing", true],
    ["env=prod,zone=b", false],
    ["", true],
  ])("%s → %s", (text, expected) => {
    expect(matchesSelector(parsed(text), labels)).toBe(expected);
  });

  it("treats no labels as an empty set", () => {
    expect(matchesSelector(parsed("!env"), undefined)).toBe(true);
    expect(matchesSelector(parsed("env"), undefined)).toBe(false);
  });
});
