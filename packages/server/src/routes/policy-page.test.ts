import type { ClusterPolicy, ClusterSync } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { policyClustersPage } from "./policy-page.ts";

const policy = { metadata: { name: "p", namespace: "project-a", uid: "u", generation: 1 } } as ClusterPolicy;
const ref = { namespace: "project-a", name: "p", uid: "u", generation: 1 };
const syncs: ClusterSync[] = ["d", "a", "c", "b", "e"].map((name) => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterSync", metadata: { name, namespace: "project-a" }, spec: { policies: name === "c" ? [] : [ref] } }));

describe("policyClustersPage", () => {
  it("pages the policy's clusters in name order, the token being the last name given", () => {
    const first = policyClustersPage(policy, syncs, 2, undefined);
    expect([first.items.map((e) => e.cluster), first.continue]).toEqual([["a", "b"], "b"]);
    const second = policyClustersPage(policy, syncs, 2, first.continue);
    expect([second.items.map((e) => e.cluster), second.continue]).toEqual([["d", "e"], undefined]);
  });

  it("takes any name as a token (a cluster gone meanwhile is passed) and gives all without a limit", () => {
    expect(policyClustersPage(policy, syncs, 10, "bb").items.map((e) => e.cluster)).toEqual(["d", "e"]);
    expect(policyClustersPage(policy, syncs, undefined, undefined)).toEqual({ items: expect.any(Array) as unknown });
    expect(policyClustersPage(policy, syncs, undefined, "z").items).toEqual([]);
  });
});
