import type { Seed } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { seedFullMessage } from "./capacity.ts";

const seed = (maxClusters?: number): Seed => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Seed", metadata: { name: "eu" }, spec: { driver: "kubernetes", default: false, ...(maxClusters === undefined ? {} : { capacity: { maxClusters } }) } });

describe("seedFullMessage", () => {
  it.each([
    { title: "no capacity set", seed: seed(), hosted: 1000, full: false },
    { title: "room left", seed: seed(3), hosted: 2, full: false },
    { title: "exactly full", seed: seed(3), hosted: 3, full: true },
    { title: "over (capacity lowered)", seed: seed(1), hosted: 4, full: true },
    { title: "a seed that takes none", seed: seed(0), hosted: 0, full: true },
  ])("$title → full: $full", ({ seed: s, hosted, full }) => {
    expect(seedFullMessage(s, hosted) !== undefined).toBe(full);
  });

  it("gives the numbers and the ways out", () => {
    expect(seedFullMessage(seed(2), 2)).toBe("Seed eu hosts 2 clusters and its spec.capacity.maxClusters is 2: this cluster waits until there is room; raise spec.capacity.maxClusters of Seed eu, delete a cluster there, or delete this Cluster and create it with spec.seed naming another seed (or spec.seedSelector.region naming a region)");
  });
});
