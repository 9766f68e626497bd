import type { Cluster, ClusterSync } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { clusterSyncUpToDate, desiredClusterSync } from "./sync.ts";

const cluster = { apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { namespace: "project-a", name: "c1", uid: "cluster-uid" }, spec: {} } as Cluster;
const ref = { namespace: "project-a", name: "p", uid: "u1", generation: 2 };

describe("desiredClusterSync", () => {
  it("is named as its Cluster, controlled by it, and lists the policies", () => {
    expect(desiredClusterSync(cluster, [ref])).toEqual({
      apiVersion: "seedbed.dev/v1alpha1",
      kind: "ClusterSync",
      metadata: { name: "c1", namespace: "project-a", ownerReferences: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "c1", uid: "cluster-uid", controller: true, blockOwnerDeletion: true }] },
      spec: { policies: [ref] },
    });
  });
});

describe("clusterSyncUpToDate", () => {
  const stored = (policies: ClusterSync["spec"]["policies"], uid = "cluster-uid"): ClusterSync =>
    ({ ...desiredClusterSync(cluster, []), metadata: { name: "c1", namespace: "project-a", ownerReferences: [{ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", name: "c1", uid, controller: true, blockOwnerDeletion: true }] }, spec: policies === undefined ? {} : { policies }, status: { observedGeneration: 4 } });
  it.each([
    ["the same list and owner", stored([ref]), [ref], true],
    ["an absent list equals an empty one", stored(undefined), [], true],
    ["another generation", stored([{ ...ref, generation: 1 }]), [ref], false],
    ["a policy more", stored([ref]), [ref, { ...ref, name: "q", uid: "u2" }], false],
    ["an owner of an earlier Cluster of the name", stored([ref], "old-uid"), [ref], false],
  ])("%s", (_title, existing, policies, expected) => {
    expect(clusterSyncUpToDate(existing, desiredClusterSync(cluster, policies))).toBe(expected);
  });
});
