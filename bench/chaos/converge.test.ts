import { describe, expect, it } from "vitest";
import type { Cluster, NodePool } from "@seedbed/api";
import { leaks, pending, tenantComponents, type Expected, type Snapshot } from "./converge.ts";

const namespace = "project-chaos";
const id = "chaos--a";

function cluster(name: string, patch: { phase?: string; observedGeneration?: number; clusterID?: string; deleting?: boolean } = {}): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name, namespace, generation: 2, ...(patch.deleting === true ? { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["seedbed.dev/cluster"] } : {}) },
    spec: {},
    status: { phase: patch.phase ?? "Running", observedGeneration: patch.observedGeneration ?? 2, clusterID: patch.clusterID ?? `chaos--${name}` },
  } as unknown as Cluster;
}

function pool(clusterName: string, replicas: number, status: { replicas?: number; readyReplicas?: number; observedGeneration?: number; phase?: string } = {}): NodePool {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "NodePool",
    metadata: { name: `${clusterName}-w`, namespace, generation: 3 },
    spec: { clusterName, replicas },
    status: { phase: "Running", replicas, readyReplicas: replicas, observedGeneration: 3, ...status },
  } as unknown as NodePool;
}

const processes = (clusterId: string, components: readonly string[] = tenantComponents): Snapshot["processes"] => components.map((component, i) => ({ clusterId, component, pid: 1000 + i }));
const nodes = (clusterName: string, ready: number, notReady = 0): { pool: string; ready: boolean }[] => [
  ...Array.from({ length: ready }, () => ({ pool: `${clusterName}-w`, ready: true })),
  ...Array.from({ length: notReady }, () => ({ pool: `${clusterName}-w`, ready: false })),
];

/** One alive cluster `a` with 2 nodes, and a deleted cluster `gone`, all as it should be. */
const expected: Expected = { namespace, alive: new Map([["a", 2]]), deleted: new Set(["gone"]) };
const converged: Snapshot = {
  clusters: [cluster("a")],
  pools: [pool("a", 2)],
  secrets: [{ name: "a-pki", cluster: "a" }, { name: "a-admin-kubeconfig", cluster: "a" }, { name: "unrelated" }],
  tenantNodes: new Map([["a", nodes("a", 2)]]),
  processes: processes(id),
  dirs: new Set([id]),
};

describe("pending", () => {
  it.each<{ name: string; seen: Partial<Snapshot>; expected: string[] }>([
    { name: "nothing when all is as it should be", seen: {}, expected: [] },
    { name: "a cluster not yet Running", seen: { clusters: [cluster("a", { phase: "Provisioning" })] }, expected: ["cluster a: phase Provisioning"] },
    { name: "a status from an older generation", seen: { clusters: [cluster("a", { observedGeneration: 1 })] }, expected: ["cluster a: observedGeneration 1 of generation 2"] },
    { name: "another identity recorded", seen: { clusters: [cluster("a", { clusterID: "chaos-a" })] }, expected: ["cluster a: status.clusterID chaos-a, want chaos--a"] },
    { name: "a pool still scaling", seen: { pools: [pool("a", 2, { readyReplicas: 1, phase: "Scaling" })] }, expected: ["pool a-w: phase Scaling", "pool a-w: 1 ready of 2 machines, want 2"] },
    { name: "a pool whose status is older than its spec", seen: { pools: [pool("a", 2, { observedGeneration: 2 })] }, expected: ["pool a-w: observedGeneration 2 of generation 3"] },
    { name: "a tenant with a NotReady Node", seen: { tenantNodes: new Map([["a", nodes("a", 1, 1)]]) }, expected: ["pool a-w: 1 Ready of 2 Nodes in the tenant, want 2"] },
    { name: "a tenant that did not answer", seen: { tenantNodes: new Map([["a", "connect ECONNREFUSED"]]) }, expected: ["pool a-w: tenant Nodes unknown (connect ECONNREFUSED)"] },
    { name: "a missing component", seen: { processes: processes(id, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) }, expected: ["cluster a: no kwok process"] },
    {
      name: "what remains of a deleted cluster",
      seen: { clusters: [cluster("a"), cluster("gone", { deleting: true })], secrets: [{ name: "gone-pki", cluster: "gone" }], dirs: new Set([id, "chaos--gone"]), processes: [...processes(id), { clusterId: "chaos--gone", component: "etcd", pid: 7 }] },
      expected: ["deleted cluster gone: object remains (phase Running, finalizers seedbed.dev/cluster)", "deleted cluster gone: Secret gone-pki remains", "deleted cluster gone: directory clusters/chaos--gone remains", "deleted cluster gone: etcd process 7 still runs"],
    },
  ])("reports $name", ({ seen, expected: want }) => {
    expect(pending(expected, { ...converged, ...seen })).toEqual(want);
  });
});

describe("leaks", () => {
  it.each<{ name: string; seen: Partial<Snapshot>; ports?: string[]; expected: string[] }>([
    { name: "nothing on a converged platform", seen: {}, expected: [] },
    { name: "a second copy of a component", seen: { processes: [...processes(id), { clusterId: id, component: "etcd", pid: 9 }] }, expected: ["2 copies of chaos--a/etcd (pids 1000, 9)"] },
    { name: "a process of no cluster", seen: { processes: [...processes(id), { clusterId: "chaos--x", component: "kwok", pid: 9 }] }, expected: ["kwok process 9 of chaos--x, which belongs to no Cluster"] },
    { name: "a directory of no cluster", seen: { dirs: new Set([id, "chaos--x"]) }, expected: ["directory clusters/chaos--x belongs to no Cluster"] },
    { name: "a pool without its cluster", seen: { pools: [pool("a", 2), pool("x", 1)] }, expected: ["NodePool x-w without its Cluster x"] },
    { name: "a Secret of a cluster that does not exist", seen: { secrets: [{ name: "x-pki", cluster: "x" }] }, expected: ["Secret x-pki of Cluster x, which does not exist"] },
    { name: "a pool left by a deleted cluster", seen: { pools: [pool("a", 2), pool("gone", 1)] }, expected: ["deleted cluster gone: NodePool gone-w remains (finalizers none)"] },
    { name: "a listener on a deleted cluster's port", seen: {}, ports: ["port 12345 of a deleted cluster is listened on (pids 5)"], expected: ["port 12345 of a deleted cluster is listened on (pids 5)"] },
  ])("reports $name", ({ seen, ports, expected: want }) => {
    expect(leaks(expected, { ...converged, ...seen }, ports ?? [])).toEqual(want);
  });
});
