import type { Seed } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { computeSeedStatus, namesOf, unsupportedSeedFields } from "./status.ts";

const seed = (spec: Partial<Seed["spec"]>, deleting = false): Seed => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Seed", metadata: { name: "eu", ...(deleting ? { deletionTimestamp: new Date("2030-01-01T00:00:00Z") } : {}) }, spec: { driver: "kubernetes", default: false, ...spec } });
const up = { ok: true as const, message: "the seed's API answers (v1.37.1)", kubernetesVersion: "v1.37.1" };
const down = { ok: false as const, reason: "SeedUnreachable", message: "the seed's API at https://10.0.0.1:6443 does not answer" };
const condition = (status: ReturnType<typeof computeSeedStatus>, type: string): { status: string; reason: string; message?: string } | undefined => status.conditions.find((c) => c.type === type);
const clusters = (n: number): string[] => Array.from({ length: n }, (_, i) => `project-a/c${String(i).padStart(2, "0")}`);

describe("computeSeedStatus", () => {
  it.each([
    { title: "a reachable seed with room", seed: seed({ capacity: { maxClusters: 3 } }), hosted: 2, reachability: up, phase: "Ready", ready: "True", full: "False", supported: "True", left: 1 },
    { title: "a reachable full seed", seed: seed({ capacity: { maxClusters: 2 } }), hosted: 2, reachability: up, phase: "Ready", ready: "True", full: "True", supported: "True", left: 0 },
    { title: "a seed over its capacity (lowered)", seed: seed({ capacity: { maxClusters: 1 } }), hosted: 3, reachability: up, phase: "Ready", ready: "True", full: "True", supported: "True", left: 0 },
    { title: "an unreachable seed", seed: seed({}), hosted: 0, reachability: down, phase: "NotReady", ready: "False", full: "False", supported: "True", left: undefined },
    { title: "a seed with an SNI domain", seed: seed({ sniDomain: "eu.example.com" }), hosted: 0, reachability: up, phase: "Ready", ready: "True", full: "False", supported: "False", left: undefined },
    { title: "a deleted seed still hosting clusters", seed: seed({}, true), hosted: 1, reachability: up, phase: "Deleting", ready: "True", full: "False", supported: "True", left: undefined },
  ])("$title → $phase, Ready=$ready, Full=$full, SpecSupported=$supported, capacity left $left", ({ seed: s, hosted, reachability, phase, ready, full, supported, left }) => {
    const status = computeSeedStatus(s, { hosted: clusters(hosted), reachability });
    expect(status.phase).toBe(phase);
    expect(status.clusters).toBe(hosted);
    expect(status.clusterNames).toEqual(clusters(hosted));
    expect(status.capacityLeft).toBe(left);
    expect(status.reachable).toBe(reachability.ok);
    expect(condition(status, "Ready")?.status).toBe(ready);
    expect(condition(status, "Full")?.status).toBe(full);
    expect(condition(status, "SpecSupported")?.status).toBe(supported);
  });

  it("gives the numbers when full", () => {
    expect(condition(computeSeedStatus(seed({ capacity: { maxClusters: 2 } }), { hosted: clusters(2), reachability: up }), "Full")?.message).toBe("hosts 2 clusters, spec.capacity.maxClusters is 2: new clusters wait in phase Pending (reason SeedFull) until there is room");
  });

  it("shows the seed's own version once reached", () => {
    expect(computeSeedStatus(seed({}), { hosted: [], reachability: up }).kubernetesVersion).toBe("v1.37.1");
    expect(computeSeedStatus(seed({}), { hosted: [], reachability: down }).kubernetesVersion).toBeUndefined();
  });

  it("lists at most 20 hosted clusters, and counts them all", () => {
    const status = computeSeedStatus(seed({}), { hosted: clusters(25), reachability: up });
    expect(status.clusters).toBe(25);
    expect(status.clusterNames).toEqual(clusters(20));
  });

  it.each([
    { title: "a live seed", deleting: false, hosted: 2, message: undefined },
    { title: "a deleted seed with no cluster left", deleting: true, hosted: 0, message: undefined },
    { title: "a deleted seed with one cluster", deleting: true, hosted: 1, message: "Seed eu is kept (finalizer seedbed.dev/seed-in-use) while it hosts 1 cluster: project-a/c00; delete that Cluster and the Seed goes (Seedbed never moves a control plane to another seed)" },
    { title: "a deleted seed with many", deleting: true, hosted: 22, message: `Seed eu is kept (finalizer seedbed.dev/seed-in-use) while it hosts 22 clusters: ${clusters(20).join(", ")} and 2 more; delete those Clusters and the Seed goes (Seedbed never moves a control plane to another seed)` },
  ])("names the clusters keeping $title: Deleting $message", ({ deleting, hosted, message }) => {
    const deletingCondition = condition(computeSeedStatus(seed({}, deleting), { hosted: clusters(hosted), reachability: up }), "Deleting");
    expect(deletingCondition?.message).toBe(message);
    if (message !== undefined) expect(deletingCondition).toMatchObject({ status: "True", reason: "HostsClusters" });
  });
});

describe("namesOf", () => {
  it.each([
    { names: [], max: 3, text: "" },
    { names: ["a/x"], max: 3, text: "a/x" },
    { names: ["a/x", "a/y", "b/z"], max: 3, text: "a/x, a/y, b/z" },
    { names: ["a/x", "a/y", "b/z", "c/w"], max: 3, text: "a/x, a/y, b/z and 1 more" },
  ])("$names (at most $max) → $text", ({ names, max, text }) => {
    expect(namesOf(names, max)).toBe(text);
  });
});

describe("unsupportedSeedFields", () => {
  it.each([
    { title: "a plain kubernetes seed", seed: seed({ region: "eu-west-1", capacity: { maxClusters: 9 } }), fields: [] as string[] },
    { title: "an SNI domain", seed: seed({ sniDomain: "eu.example.com" }), fields: ["spec.sniDomain"] },
    { title: "a storage class on a local seed", seed: seed({ driver: "local", storageClassName: "fast" }), fields: ["spec.storageClassName"] },
    { title: "a storage class on a kubernetes seed", seed: seed({ storageClassName: "fast" }), fields: [] },
    { title: "a shared datastore on a kubernetes seed", seed: seed({ sharedDatastore: { members: 3, quota: "8Gi" } }), fields: ["spec.sharedDatastore"] },
    { title: "a shared datastore on a local seed", seed: seed({ driver: "local", sharedDatastore: { members: 3, quota: "8Gi" } }), fields: [] },
  ])("$title → $fields", ({ seed: s, fields }) => {
    expect(unsupportedSeedFields(s).map((m) => m.split(" ")[0])).toEqual(fields);
  });

  it("keeps a removed shared datastore while clusters keep their data in it, naming them", () => {
    const [message] = unsupportedSeedFields(seed({ driver: "local" }), ["team-a/web", "team-b/db"]);
    expect(message).toMatch(/^spec\.sharedDatastore was removed, but the shared etcd keeps running while 2 clusters keep their data there \(team-a\/web, team-b\/db\); delete them, or put spec\.sharedDatastore back$/);
  });
});
