import type { Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { CliError } from "../../errors.ts";
import { labelsPatch, labelSummary } from "./label.ts";
import { clusterRow, clusterTableHeader } from "./list.ts";
import { labelCells, labelChanges, labelColumnHeader, labelColumnsFlag, parseLabelSelector, selectorText } from "./selector.ts";

describe("parseLabelSelector", () => {
  it.each([
    ["env=prod", "env=prod"],
    ["env==prod", "env=prod"],
    ["env!=prod", "env!=prod"],
    ["env=", "env="],
    ["region in (eu,us)", "region in (eu,us)"],
    ["region in ( eu , us, eu )", "region in (eu,us)"],
    ["tier notin (web)", "tier notin (web)"],
    ["legacy", "legacy"],
    ["!legacy", "!legacy"],
    ["env=prod, region in (eu,us),!legacy", "env=prod,region in (eu,us),!legacy"],
    ["topology.kubernetes.io/region=eu-west-1", "topology.kubernetes.io/region=eu-west-1"],
  ])("reads %j as the API's %j", (input, text) => {
    expect(selectorText(parseLabelSelector(input))).toBe(text);
  });

  it("keeps each requirement's form", () => {
    expect(parseLabelSelector("env=prod,region in (eu,us),!legacy,team")).toEqual([
      { key: "env", operator: "=", value: "prod" },
      { key: "region", operator: "in", values: ["eu", "us"] },
      { key: "legacy", operator: "DoesNotExist" },
      { key: "team", operator: "Exists" },
    ]);
  });

  it.each([
    ["", "must not be empty"],
    ["env=prod,", '"" is not a label requirement'],
    ["region in ()", '"region in ()" is not a label requirement'],
    ["region in (eu", "is not a label requirement"],
    ["env=pro d", "is not a label requirement"],
    ["env=-prod", "is not a label requirement"],
    ["-env=prod", '"-env" in "-env=prod" is not a label key'],
    [`${"k".repeat(64)}=v`, "is not a label key"],
    ["Bad_Prefix/env=x", "is not a label key"],
  ])("refuses %j as a usage error (exit 2): %s", (input, message) => {
    const error = (() => {
      try {
        parseLabelSelector(input, "-l");
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toContain(message);
    expect((error as CliError).message).toMatch(/^-l/);
  });
});

describe("label columns", () => {
  it("takes keys from repeated, comma-separated flags, once each, in order", () => {
    expect(labelColumnsFlag(["env,region", "env", " team "])).toEqual(["env", "region", "team"]);
    expect(labelColumnsFlag(undefined)).toEqual([]);
    expect(() => labelColumnsFlag(["env,re gion"])).toThrow(/"re gion" is not a label key/);
  });

  it("heads a column as kubectl -L does and leaves a missing label's cell empty", () => {
    expect(["env", "topology.kubernetes.io/region"].map(labelColumnHeader)).toEqual(["ENV", "REGION"]);
    expect(labelCells({ env: "prod" }, ["env", "region"])).toEqual(["prod", ""]);
    expect(labelCells(undefined, ["env"])).toEqual([""]);
  });

  it("puts PROJECT first with -A and the label columns last", () => {
    const now = new Date("2026-01-01T01:00:00Z");
    const cluster = {
      apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster",
      metadata: { name: "web", namespace: "project-team-a", labels: { env: "prod", region: "eu" }, creationTimestamp: new Date("2026-01-01T00:00:00Z") },
      spec: { version: "1.37" },
      status: { phase: "Running", version: "1.37.1", endpoint: "https://10.0.0.1:6443", conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "", lastTransitionTime: "2026-01-01T00:10:00Z" }] },
    } as unknown as Cluster;
    const layout = { allProjects: true, labelKeys: ["region", "team"] };
    expect(clusterTableHeader(layout)).toEqual(["PROJECT", "NAME", "VERSION", "PHASE", "READY", "ENDPOINT", "AGE", "REGION", "TEAM"]);
    expect(clusterRow(cluster, layout, now)).toEqual(["team-a", "web", "1.37.1", "Running", "True", "https://10.0.0.1:6443", "60m", "eu", ""]);
    expect(clusterRow(cluster, { allProjects: false, labelKeys: [] }, now)).toHaveLength(6);
  });
});

describe("cluster label arguments", () => {
  it("sets key=value and removes key- in one merge patch", () => {
    const changes = labelChanges(["env=prod", "region-", "team=", "example.com/owner=ops"]);
    expect(labelsPatch(changes)).toEqual({ metadata: { labels: { env: "prod", team: "", "example.com/owner": "ops", region: null } } });
    expect(labelSummary("web", changes)).toBe("Cluster web labelled: env=prod, team=, example.com/owner=ops, region removed.");
  });

  it.each([["env"], ["env=prod=x"], ["env=pr od"], ["=prod"], ["-"]])("refuses %j", (arg) => {
    expect(() => labelChanges([arg])).toThrow(/is neither key=value .* nor key-/);
  });

  it("refuses a key named twice", () => {
    expect(() => labelChanges(["env=prod", "env-"])).toThrow("label env is named twice");
  });
});
