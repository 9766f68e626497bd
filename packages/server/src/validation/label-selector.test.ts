import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelSelectorPattern } from "./label-selector.ts";

const selector = new RegExp(labelSelectorPattern, "u");

describe("labelSelectorPattern", () => {
  it.each([
    "env=prod", "env==prod", "env!=prod", "env=", "env", "!legacy", "region in (eu,us)", "region in (eu, us)", "tier notin (web)",
    "env=prod, region in (eu,us),!legacy", "topology.kubernetes.io/region=eu-west-1", "i=a", "n", "no", "noti=a", "notinx", "inx=a", "x/in=a", "env=in",
  ])("takes %j", (text) => {
    expect(selector.test(text)).toBe(true);
  });

  it.each([
    ["", "empty"], ["in=a", "a key the lexer reads as an operator"], ["notin", "the same"], ["!in", "the same"], ["region in ()", "an empty set"],
    ["env=-x", "a value starting with '-'"], ["A/b=c", "an upper-case prefix"], [`${"k".repeat(64)}=v`, "a name over 63 characters"], ["env=prod,", "a trailing comma"],
    ["env  =prod", "a run of spaces"], ["count>3", "gt (left out)"],
  ])("refuses %j (%s)", (text) => {
    expect(selector.test(text)).toBe(false);
  });

  it("generates only selectors whose keys and values Kubernetes allows", () => {
    fc.assert(fc.property(fc.stringMatching(selector), (text) => {
      const keys = text.split(/ ?, ?(?![^(]*\))/).map((r) => r.replace(/^!/, "").split(/ ?(?:==|!=|=| (?:not)?in ?\()/)[0] ?? "");
      for (const key of keys) {
        const name = key.split("/").pop() ?? "";
        expect(name.length).toBeGreaterThan(0);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(["in", "notin"]).not.toContain(key);
      }
    }), { numRuns: 300, seed: 20 });
  });
});
