import type { ClusterSync, ClusterSyncPolicyStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { ReportedPolicies } from "./reported.ts";

const entry = (name: string, state: ClusterSyncPolicyStatus["state"], time = "2026-11-30T00:00:00Z"): ClusterSyncPolicyStatus => ({ namespace: "project-a", name, uid: `uid-${name}`, observedGeneration: 1, state, objects: 3, lastSyncTime: time });
const sync = (refs: string[], reports: ClusterSyncPolicyStatus[]): ClusterSync => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "ClusterSync",
  metadata: { namespace: "project-a", name: "c1" },
  spec: { policies: refs.map((name) => ({ namespace: "project-a", name, uid: `uid-${name}`, generation: 1 })) },
  status: { policies: reports },
});
const names = (requests: readonly { name: string }[]): string[] => requests.map((r) => r.name).sort();

describe("ReportedPolicies", () => {
  it("maps a first sighting to every policy named, then only to those whose reference or report changed", () => {
    const reported = new ReportedPolicies();
    expect(names(reported.changed(sync(["p1", "p2"], [entry("p1", "Pending"), entry("p2", "Pending")])))).toEqual(["p1", "p2"]);
    expect(names(reported.changed(sync(["p1", "p2"], [entry("p1", "InSync"), entry("p2", "Pending")])))).toEqual(["p1"]);
    // A new time alone is no news.
    expect(reported.changed(sync(["p1", "p2"], [entry("p1", "InSync", "2026-11-30T01:00:00Z"), entry("p2", "Pending")]))).toEqual([]);
  });

  it("counts a policy dropped from the spec and the status, and every policy of a deleted ClusterSync", () => {
    const reported = new ReportedPolicies();
    reported.changed(sync(["p1", "p2"], [entry("p1", "InSync"), entry("p2", "InSync")]));
    expect(names(reported.changed(sync(["p1"], [entry("p1", "InSync"), entry("p2", "InSync")])))).toEqual(["p2"]);
    expect(names(reported.changed(sync(["p1"], [entry("p1", "InSync")])))).toEqual(["p2"]);
    expect(names(reported.forget(sync(["p1"], [entry("p1", "InSync")])))).toEqual(["p1"]);
    expect(names(reported.changed(sync(["p1"], [entry("p1", "InSync")])))).toEqual(["p1"]);
  });
});
