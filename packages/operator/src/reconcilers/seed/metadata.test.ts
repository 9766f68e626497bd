import type { Seed } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { seedMetadataPatch } from "./metadata.ts";

const finalizer = "seedbed.dev/seed-in-use";
const label = "topology.kubernetes.io/region";
const seed = (o: { region?: string; finalizers?: string[]; labels?: Record<string, string>; deleting?: boolean }): Seed => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "Seed",
  metadata: { name: "eu-1", ...(o.finalizers ? { finalizers: o.finalizers } : {}), ...(o.labels ? { labels: o.labels } : {}), ...(o.deleting ? { deletionTimestamp: new Date("2030-01-01T00:00:00Z") } : {}) },
  spec: { driver: "kubernetes", default: false, ...(o.region === undefined ? {} : { region: o.region }) },
});

describe("seedMetadataPatch", () => {
  it.each([
    { title: "a new seed without region", seed: seed({}), hosted: 0, patch: { finalizers: [finalizer] } },
    { title: "a new seed with a region", seed: seed({ region: "eu" }), hosted: 0, patch: { finalizers: [finalizer], labels: { [label]: "eu" } } },
    { title: "a seed with another finalizer", seed: seed({ finalizers: ["example.com/keep"] }), hosted: 3, patch: { finalizers: ["example.com/keep", finalizer] } },
    { title: "a seed as wanted", seed: seed({ region: "eu", finalizers: [finalizer], labels: { [label]: "eu" } }), hosted: 2, patch: undefined },
    { title: "a seed whose region changed", seed: seed({ region: "us", finalizers: [finalizer], labels: { [label]: "eu" } }), hosted: 0, patch: { labels: { [label]: "us" } } },
    { title: "a seed whose region went", seed: seed({ finalizers: [finalizer], labels: { [label]: "eu", team: "a" } }), hosted: 0, patch: { labels: { [label]: null } } },
    { title: "a region that is no label value", seed: seed({ region: "Europe (west)", finalizers: [finalizer] }), hosted: 0, patch: undefined },
    { title: "a deleted seed that hosts clusters", seed: seed({ finalizers: [finalizer], deleting: true }), hosted: 1, patch: undefined },
    { title: "a deleted seed that hosts none", seed: seed({ finalizers: ["example.com/keep", finalizer], deleting: true }), hosted: 0, patch: { finalizers: ["example.com/keep"] } },
    { title: "a deleted seed without our finalizer", seed: seed({ deleting: true }), hosted: 0, patch: undefined },
  ])("$title → $patch", ({ seed: s, hosted, patch }) => {
    expect(seedMetadataPatch(s, hosted)).toEqual(patch);
  });
});
