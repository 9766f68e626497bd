import type { Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { matchesSelector, selectClusters } from "./select.ts";

const cluster = (namespace: string, name: string, labels: Record<string, string> = {}, deleting = false): Cluster =>
  ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { namespace, name, labels, ...(deleting ? { deletionTimestamp: "2026-11-29T00:00:00Z" } : {}) }, spec: {} }) as Cluster;

describe("matchesSelector", () => {
  const labels = { env: "prod", tier: "web" };
  it.each([
    ["no selector", undefined, true],
    ["an empty selector", {}, true],
    ["matchLabels that hold", { matchLabels: { env: "prod" } }, true],
    ["matchLabels that do not", { matchLabels: { env: "dev" } }, false],
    ["In", { matchExpressions: [{ key: "env", operator: "In" as const, values: ["dev", "prod"] }] }, true],
    ["In, absent label", { matchExpressions: [{ key: "zone", operator: "In" as const, values: ["a"] }] }, false],
    ["NotIn", { matchExpressions: [{ key: "env", operator: "NotIn" as const, values: ["prod"] }] }, false],
    ["NotIn, absent label: matches", { matchExpressions: [{ key: "zone", operator: "NotIn" as const, values: ["a"] }] }, true],
    ["Exists", { matchExpressions: [{ key: "tier", operator: "Exists" as const }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "tier", operator: "DoesNotExist" as const }] }, false],
    ["labels and expressions together", { matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "In" as const, values: ["db"] }] }, false],
  ])("%s", (_title, selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
});

describe("selectClusters", () => {
  const all = [cluster("project-b", "x", { env: "prod" }), cluster("project-a", "z", { env: "prod" }), cluster("project-a", "y", { env: "dev" }), cluster("project-a", "a", { env: "prod" }, true), cluster("project-c", "k", { env: "prod" })];
  const names = (list: Cluster[]): string[] => list.map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`);

  it("takes every cluster not being deleted, sorted by namespace and name", () => {
    expect(names(selectClusters({}, all))).toEqual(["project-a/y", "project-a/z", "project-b/x", "project-c/k"]);
  });

  it("by label and by project", () => {
    expect(names(selectClusters({ clusterSelector: { matchLabels: { env: "prod" } }, projects: ["a", "b"] }, all))).toEqual(["project-a/z", "project-b/x"]);
    expect(names(selectClusters({ projects: [] }, all))).toHaveLength(4);
  });
});
