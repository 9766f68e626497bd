import type { Cluster, ClusterPolicy, LabelSelector, Project } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { clustersSelectedBy, policiesSelecting, policyReach, policyRef, policySelects, projectOf } from "./selection.ts";

const cluster = (namespace: string, name: string, labels: Record<string, string> = {}, deleting = false): Cluster =>
  ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { namespace, name, labels, ...(deleting ? { deletionTimestamp: "2026-11-29T00:00:00Z" } : {}) }, spec: {} }) as Cluster;
const policy = (namespace: string, name: string, clusterSelector: LabelSelector = {}, projectSelector?: LabelSelector): ClusterPolicy =>
  ({ apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterPolicy", metadata: { namespace, name, uid: `uid-${name}`, generation: 3 }, spec: { clusterSelector, ...(projectSelector ? { projectSelector } : {}), prune: true } });
const projects: Record<string, Project> = {
  a: { apiVersion: "seedbed.dev/v1alpha1", kind: "Project", metadata: { name: "a", labels: { tier: "gold" } }, spec: { members: [] } } as unknown as Project,
  b: { apiVersion: "seedbed.dev/v1alpha1", kind: "Project", metadata: { name: "b", labels: { tier: "bronze" } }, spec: { members: [] } } as unknown as Project,
};
const project = (name: string): Project | undefined => projects[name];
const inRegion = (c: Cluster, region: string): Cluster => ({ ...c, status: { region } });
const keys = (list: readonly { metadata: { namespace?: string; name?: string } }[]): string[] => list.map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`);

describe("policyReach", () => {
  it.each([
    ["project-a", { kind: "project", namespace: "project-a" }],
    ["seedbed-system", { kind: "platform" }],
    ["default", { kind: "none" }],
    ["project-", { kind: "none" }],
    ["myproject-a", { kind: "none" }],
  ])("a policy in %s", (namespace, expected) => {
    expect(policyReach(namespace)).toEqual(expected);
  });

  it("knows the project of a project namespace only", () => {
    expect(projectOf("project-team-1")).toBe("team-1");
    expect(projectOf("seedbed-system")).toBeUndefined();
  });
});

describe("policySelects", () => {
  const prodA = cluster("project-a", "p1", { env: "prod" });
  it.each([
    ["a project policy, its own project's cluster, labels match", policy("project-a", "x", { matchLabels: { env: "prod" } }), prodA, true],
    ["a project policy, labels do not match", policy("project-a", "x", { matchLabels: { env: "dev" } }), prodA, false],
    ["a project policy never reaches another project's cluster", policy("project-b", "x"), prodA, false],
    ["a policy in another namespace reaches nothing", policy("default", "x"), prodA, false],
    ["a platform policy reaches every project", policy("seedbed-system", "x", { matchLabels: { env: "prod" } }), prodA, true],
    ["a platform policy, project labels match", policy("seedbed-system", "x", {}, { matchLabels: { tier: "gold" } }), prodA, true],
    ["a platform policy, project labels do not match", policy("seedbed-system", "x", {}, { matchLabels: { tier: "bronze" } }), prodA, false],
    ["a platform policy, a project not in the cache has no labels", policy("seedbed-system", "x", {}, { matchLabels: { tier: "gold" } }), cluster("project-gone", "c"), false],
    ["a platform policy does not reach clusters outside project namespaces", policy("seedbed-system", "x"), cluster("default", "c"), false],
    ["a cluster being deleted is not selected", policy("project-a", "x"), cluster("project-a", "d", {}, true), false],
    ["its seed's region is a label", policy("project-a", "x", { matchLabels: { "topology.kubernetes.io/region": "eu-1" } }), inRegion(prodA, "eu-1"), true],
    ["another region does not match", policy("project-a", "x", { matchLabels: { "topology.kubernetes.io/region": "us-1" } }), inRegion(prodA, "eu-1"), false],
    ["a region label the user set wins", policy("project-a", "x", { matchLabels: { "topology.kubernetes.io/region": "mine" } }), inRegion(cluster("project-a", "r", { "topology.kubernetes.io/region": "mine" }), "eu-1"), true],
  ])("%s", (_title, p, c, expected) => {
    expect(policySelects(p, c, project)).toBe(expected);
  });
});

describe("policiesSelecting and clustersSelectedBy", () => {
  it("lists the selecting policies sorted by namespace, then name", () => {
    const c = cluster("project-a", "p1", { env: "prod" });
    const candidates = [policy("seedbed-system", "b"), policy("project-a", "z"), policy("project-a", "dev", { matchLabels: { env: "dev" } }), policy("project-a", "a"), policy("seedbed-system", "a")];
    expect(keys(policiesSelecting(c, candidates, project))).toEqual(["project-a/a", "project-a/z", "seedbed-system/a", "seedbed-system/b"]);
  });

  it("lists the selected clusters sorted by namespace, then name", () => {
    const all = [cluster("project-b", "x", { env: "prod" }), cluster("project-a", "z", { env: "prod" }), cluster("project-a", "y", { env: "dev" }), cluster("project-a", "b", { env: "prod" })];
    expect(keys(clustersSelectedBy(policy("seedbed-system", "p", { matchLabels: { env: "prod" } }), all, project))).toEqual(["project-a/b", "project-a/z", "project-b/x"]);
    expect(keys(clustersSelectedBy(policy("project-a", "p", { matchLabels: { env: "prod" } }), all, project))).toEqual(["project-a/b", "project-a/z"]);
  });

  it("refers to a policy by identity and generation", () => {
    expect(policyRef(policy("project-a", "p"))).toEqual({ namespace: "project-a", name: "p", uid: "uid-p", generation: 3 });
  });
});
