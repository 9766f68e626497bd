import type { Seed } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { computeSeedStatus, unsupportedSeedFields } from "./status.ts";

const seed = (spec: Partial<Seed["spec"]>): Seed => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Seed", metadata: { name: "eu" }, spec: { driver: "kubernetes", default: false, ...spec } });
const up = { ok: true as const, message: "the seed's API answers (v1.37.1)", kubernetesVersion: "v1.37.1" };
const down = { ok: false as const, reason: "SeedUnreachable", message: "the seed's API at https://10.0.0.1:6443 does not answer" };
const condition = (status: ReturnType<typeof computeSeedStatus>, type: string): { status: string; reason: string; message?: string } | undefined => status.conditions.find((c) => c.type === type);

describe("computeSeedStatus", () => {
  it.each([
    { title: "a reachable seed with room", seed: seed({ capacity: { maxClusters: 3 } }), hosted: 2, reachability: up, phase: "Ready", ready: "True", full: "False", supported: "True" },
    { title: "a reachable full seed", seed: seed({ capacity: { maxClusters: 2 } }), hosted: 2, reachability: up, phase: "Ready", ready: "True", full: "True", supported: "True" },
    { title: "an unreachable seed", seed: seed({}), hosted: 0, reachability: down, phase: "NotReady", ready: "False", full: "False", supported: "True" },
    { title: "a seed with an SNI domain", seed: seed({ sniDomain: "eu.example.com" }), hosted: 0, reachability: up, phase: "Ready", ready: "True", full: "False", supported: "False" },
  ])("$title → $phase, Ready=$ready, Full=$full, SpecSupported=$supported", ({ seed: s, hosted, reachability, phase, ready, full, supported }) => {
    const status = computeSeedStatus(s, { hosted, reachability });
    expect(status.phase).toBe(phase);
    expect(status.clusters).toBe(hosted);
    expect(condition(status, "Ready")?.status).toBe(ready);
    expect(condition(status, "Full")?.status).toBe(full);
    expect(condition(status, "SpecSupported")?.status).toBe(supported);
  });

  it("gives the numbers when full", () => {
    expect(condition(computeSeedStatus(seed({ capacity: { maxClusters: 2 } }), { hosted: 2, reachability: up }), "Full")?.message).toBe("hosts 2 clusters, spec.capacity.maxClusters is 2: new clusters wait in phase Pending (reason SeedFull) until there is room");
  });

  it("shows the seed's own version once reached", () => {
    expect(computeSeedStatus(seed({}), { hosted: 0, reachability: up }).kubernetesVersion).toBe("v1.37.1");
    expect(computeSeedStatus(seed({}), { hosted: 0, reachability: down }).kubernetesVersion).toBeUndefined();
  });
});

describe("unsupportedSeedFields", () => {
  it.each([
    { title: "a plain kubernetes seed", seed: seed({ region: "eu-west-1", capacity: { maxClusters: 9 } }), fields: [] as string[] },
    { title: "an SNI domain", seed: seed({ sniDomain: "eu.example.com" }), fields: ["spec.sniDomain"] },
    { title: "a storage class on a local seed", seed: seed({ driver: "local", storageClassName: "fast" }), fields: ["spec.storageClassName"] },
    { title: "a storage class on a kubernetes seed", seed: seed({ storageClassName: "fast" }), fields: [] },
  ])("$title → $fields", ({ seed: s, fields }) => {
    expect(unsupportedSeedFields(s).map((m) => m.split(" ")[0])).toEqual(fields);
  });
});
