import { describe, expect, it } from "vitest";
import type { HelmChart } from "../catalog/types.ts";
import { canonicalJSON, valuesDigest } from "./values.ts";

const chart: HelmChart = {
  source: "Helm",
  repository: "https://charts.example.com",
  chart: "hello",
  version: "0.1.0",
  release: "hello",
  namespace: "hello-system",
  values: { greeting: "hi", nested: { b: 2, a: [1, { y: true, x: null }] } },
};

describe("valuesDigest", () => {
  it("is a sha256 in hex, the same for the same chart", () => {
    expect(valuesDigest(chart)).toMatch(/^[0-9a-f]{64}$/);
    expect(valuesDigest(structuredClone(chart))).toBe(valuesDigest(chart));
  });

  it("does not change when the values' keys come in another order, at any depth", () => {
    const reordered: HelmChart = { ...chart, values: { nested: { a: [1, { x: null, y: true }], b: 2 }, greeting: "hi" } };
    expect(valuesDigest(reordered)).toBe(valuesDigest(chart));
  });

  it.each([
    ["a value", { values: { ...chart.values, greeting: "hello" } }],
    ["a nested value", { values: { ...chart.values, nested: { b: 3, a: [1, { y: true, x: null }] } } }],
    ["the order of an array", { values: { ...chart.values, nested: { b: 2, a: [{ y: true, x: null }, 1] } } }],
    ["a value's type", { values: { ...chart.values, nested: { b: "2", a: [1, { y: true, x: null }] } } }],
    ["an added key", { values: { ...chart.values, extra: false } }],
    ["the chart version", { version: "0.2.0" }],
    ["the repository", { repository: "oci://registry.example.com/charts" }],
    ["the chart", { chart: "hello2" }],
    ["the release", { release: "hello2" }],
    ["the namespace", { namespace: "default" }],
  ] as const)("changes with %s", (_what, change) => {
    expect(valuesDigest({ ...chart, ...change })).not.toBe(valuesDigest(chart));
  });

  it("keeps fields apart: moving text between release and namespace changes it", () => {
    expect(valuesDigest({ ...chart, release: "ab", namespace: "c" })).not.toBe(valuesDigest({ ...chart, release: "a", namespace: "bc" }));
  });
});

describe("canonicalJSON", () => {
  it.each([
    [{ b: 1, a: { d: [3, 2], c: "x" } }, '{"a":{"c":"x","d":[3,2]},"b":1}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [[undefined, "é\n"], '[null,"é\\n"]'],
    [{ "z\"": 1, "": 0 }, '{"":0,"z\\"":1}'],
    [1.5, "1.5"],
  ] as const)("%j → %s", (value, want) => {
    expect(canonicalJSON(value)).toBe(want);
    expect(JSON.parse(canonicalJSON(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("refuses what JSON cannot carry", () => {
    expect(() => canonicalJSON(() => 1)).toThrow(/not a JSON value/);
  });
});
