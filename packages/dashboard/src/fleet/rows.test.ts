import { describe, expect, it } from "vitest";
import type { Cluster } from "../api/types.ts";
import { parseSelector, type Requirement } from "./label-selector.ts";
import { compareVersionsDescending, filterRows, fleetRows, versionOptions } from "./rows.ts";

function cluster(name: string, labels: Record<string, string>, version: string, ready: "True" | "False"): Cluster {
  return { metadata: { name, labels }, spec: { version }, status: { phase: "Running", version: `${version}.1`, conditions: [{ type: "Ready", status: ready }] } };
}

function selector(text: string): Requirement[] {
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.requirements;
}

const rows = fleetRows([
  { name: "b", role: "viewer", editable: false, clusters: [cluster("b1", { env: "prod" }, "1.33", "True")] },
  { name: "a", role: "owner", editable: true, clusters: [cluster("a2", { env: "dev" }, "1.34", "False"), cluster("a1", { env: "prod" }, "1.33", "True")] },
]);
const all = { project: "", labels: [], version: "", health: "" };

describe("fleetRows", () => {
  it("orders by project then name, keyed project/name, with health", () => {
    expect(rows.map((r) => [r.key, r.health, r.editable])).toEqual([["a/a1", "Healthy", true], ["a/a2", "Unhealthy", true], ["b/b1", "Healthy", false]]);
  });
});

describe("filterRows", () => {
  it.each([
    [{ project: "b" }, ["b/b1"]],
    [{ health: "Unhealthy" }, ["a/a2"]],
    [{ version: "1.33" }, ["a/a1", "b/b1"]],
    [{ version: "1.34.1" }, ["a/a2"]],
    [{ labels: selector("env=prod") }, ["a/a1", "b/b1"]],
    [{ labels: selector("env in (dev)"), project: "a" }, ["a/a2"]],
    [{ project: "a", health: "Degraded" }, []],
    [{}, ["a/a1", "a/a2", "b/b1"]],
  ])("%o", (filter, keys) => {
    expect(filterRows(rows, { ...all, ...filter }).map((r) => r.key)).toEqual(keys);
  });
});

describe("versionOptions", () => {
  it("lists running and wanted versions, newest first", () => {
    expect(versionOptions(rows)).toEqual(["1.34.1", "1.34", "1.33.1", "1.33"]);
    expect(["1.9", "1.10.2", "1.10"].sort(compareVersionsDescending)).toEqual(["1.10.2", "1.10", "1.9"]);
  });
});
