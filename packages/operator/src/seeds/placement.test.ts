import type { Seed } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { chooseSeed, type PlacementDecision, type PlacementSpec } from "./placement.ts";

interface SeedShape {
  readonly region?: string;
  readonly max?: number;
  readonly isDefault?: boolean;
  readonly deleting?: boolean;
  readonly created?: string;
}

const seed = (name: string, o: SeedShape = {}): Seed => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "Seed",
  metadata: { name, creationTimestamp: new Date(o.created ?? "2030-01-01T00:00:00Z"), ...(o.deleting ? { deletionTimestamp: new Date("2030-02-01T00:00:00Z") } : {}) },
  spec: { driver: "kubernetes", default: o.isDefault ?? false, ...(o.region === undefined ? {} : { region: o.region }), ...(o.max === undefined ? {} : { capacity: { maxClusters: o.max } }) },
});

/** The decision in one word: the seed's name, wait:<reason> or invalid:<reason>. */
const outcome = (d: PlacementDecision): string => ("seed" in d ? (d.seed.metadata.name ?? "") : "wait" in d ? `wait:${d.wait.reason}` : `invalid:${d.invalid.reason}`);
const region = (r: string): PlacementSpec => ({ seedSelector: { region: r } });

describe("chooseSeed", () => {
  it.each([
    // spec.seed
    { title: "a named seed", spec: { seed: "us-1" }, seeds: [seed("eu-1", { isDefault: true }), seed("us-1")], hosted: {}, placed: "us-1" },
    { title: "a named seed that does not exist", spec: { seed: "ap-1" }, seeds: [seed("eu-1", { isDefault: true })], hosted: {}, placed: "invalid:SeedNotFound" },
    { title: "a named seed that is full", spec: { seed: "us-1" }, seeds: [seed("us-1", { max: 2 }), seed("us-2", { region: "us" })], hosted: { "us-1": 2 }, placed: "wait:SeedFull" },
    { title: "a named seed being deleted", spec: { seed: "us-1" }, seeds: [seed("us-1", { deleting: true })], hosted: {}, placed: "wait:SeedDeleting" },
    // the default
    { title: "no choice: the default", spec: {}, seeds: [seed("a"), seed("eu-1", { isDefault: true })], hosted: {}, placed: "eu-1" },
    { title: "no choice and two defaults: the oldest", spec: {}, seeds: [seed("a", { isDefault: true, created: "2030-05-01T00:00:00Z" }), seed("b", { isDefault: true, created: "2030-04-01T00:00:00Z" })], hosted: {}, placed: "b" },
    { title: "no choice and no default", spec: {}, seeds: [seed("a")], hosted: {}, placed: "invalid:NoDefaultSeed" },
    { title: "no choice and the default full (no other is taken)", spec: {}, seeds: [seed("d", { isDefault: true, max: 1 }), seed("e")], hosted: { d: 1 }, placed: "wait:SeedFull" },
    // a region
    { title: "a region: only its seeds", spec: region("eu"), seeds: [seed("a-us", { region: "us" }), seed("eu-2", { region: "eu" })], hosted: {}, placed: "eu-2" },
    { title: "a region: the default seed when it is there", spec: region("eu"), seeds: [seed("eu-1", { region: "eu" }), seed("eu-9", { region: "eu", isDefault: true })], hosted: { "eu-9": 5 }, placed: "eu-9" },
    { title: "a region: the default of another region does not count", spec: region("eu"), seeds: [seed("us-1", { region: "us", isDefault: true }), seed("eu-2", { region: "eu" }), seed("eu-1", { region: "eu" })], hosted: { "eu-1": 1 }, placed: "eu-2" },
    { title: "a region: the least loaded", spec: region("eu"), seeds: [seed("eu-1", { region: "eu" }), seed("eu-2", { region: "eu" }), seed("eu-3", { region: "eu" })], hosted: { "eu-1": 3, "eu-2": 1, "eu-3": 2 }, placed: "eu-2" },
    { title: "a region: equally loaded, by name", spec: region("eu"), seeds: [seed("eu-b", { region: "eu" }), seed("eu-a", { region: "eu" })], hosted: { "eu-a": 1, "eu-b": 1 }, placed: "eu-a" },
    { title: "a region: a full seed is passed over", spec: region("eu"), seeds: [seed("eu-1", { region: "eu", max: 1 }), seed("eu-2", { region: "eu", max: 5 })], hosted: { "eu-1": 1, "eu-2": 3 }, placed: "eu-2" },
    { title: "a region: the full default is passed over", spec: region("eu"), seeds: [seed("eu-1", { region: "eu", max: 1, isDefault: true }), seed("eu-2", { region: "eu" })], hosted: { "eu-1": 1, "eu-2": 7 }, placed: "eu-2" },
    { title: "a region: a seed being deleted is passed over", spec: region("eu"), seeds: [seed("eu-1", { region: "eu", deleting: true }), seed("eu-2", { region: "eu" })], hosted: { "eu-2": 4 }, placed: "eu-2" },
    { title: "a region: every seed full", spec: region("eu"), seeds: [seed("eu-1", { region: "eu", max: 1 }), seed("eu-2", { region: "eu", max: 0 })], hosted: { "eu-1": 1 }, placed: "wait:SeedFull" },
    { title: "a region with no seed", spec: region("ap"), seeds: [seed("eu-1", { region: "eu" })], hosted: {}, placed: "invalid:NoSeedInRegion" },
  ])("$title → $placed", ({ spec, seeds, hosted, placed }) => {
    const counts = new Map(Object.entries(hosted as Record<string, number>));
    expect(outcome(chooseSeed(spec, seeds, counts))).toBe(placed);
    // Deterministic: the order the cache lists seeds in does not matter.
    expect(outcome(chooseSeed(spec, [...seeds].reverse(), counts))).toBe(placed);
  });

  it("names the region and each of its seeds when all are full", () => {
    const seeds = [seed("eu-2", { region: "eu", max: 2 }), seed("eu-1", { region: "eu", max: 1 }), seed("eu-3", { region: "eu", deleting: true }), seed("us-1", { region: "us" })];
    const decision = chooseSeed(region("eu"), seeds, new Map([["eu-1", 1], ["eu-2", 2]]));
    expect(decision).toEqual({ wait: { reason: "SeedFull", message: "no Seed of region eu has room (eu-1 hosts 1 of 1, eu-2 hosts 2 of 2, eu-3 is being deleted): this cluster waits until there is room; raise spec.capacity.maxClusters of one of them, add a Seed with spec.region eu, or delete a cluster there" } });
  });

  it("names the regions there are when the one asked for has no seed", () => {
    const decision = chooseSeed(region("ap"), [seed("x", { region: "us" }), seed("y", { region: "eu" }), seed("z", { region: "eu" }), seed("local")], new Map());
    expect(decision).toEqual({ invalid: { reason: "NoSeedInRegion", message: "no Seed has spec.region ap (regions with seeds: eu, us); create a Seed in region ap, or create this Cluster with another spec.seedSelector.region" } });
  });
});
