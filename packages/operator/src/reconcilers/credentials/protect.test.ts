import type { NodePool } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { credentialsOf, isInUse } from "./protect.ts";

const pool = (namespace: string, provider: object, deleting = false): NodePool =>
  ({ metadata: { name: "p", namespace, ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) }, spec: { clusterName: "c", provider } }) as unknown as NodePool;

describe("credentials protection", () => {
  it("finds a pool's credentials in its own namespace unless the reference names another", () => {
    expect(credentialsOf(pool("project-a", { type: "aws", credentialsSecretRef: { name: "aws", key: "k" } }))).toEqual({ namespace: "project-a", name: "aws" });
    expect(credentialsOf(pool("project-a", { type: "openstack", credentialsSecretRef: { namespace: "shared", name: "os", key: "k" } }))).toEqual({ namespace: "shared", name: "os" });
    expect(credentialsOf(pool("project-a", { type: "kwok" }))).toBeUndefined();
  });

  const cases: { name: string; pools: NodePool[]; inUse: boolean }[] = [
    { name: "in use by a pool that names it", pools: [pool("project-a", { type: "aws", credentialsSecretRef: { name: "aws", key: "k" } })], inUse: true },
    { name: "in use by a pool still removing its machines", pools: [pool("project-a", { type: "aws", credentialsSecretRef: { name: "aws", key: "k" } }, true)], inUse: true },
    { name: "free when only a Secret of the same name elsewhere is used", pools: [pool("project-b", { type: "aws", credentialsSecretRef: { name: "aws", key: "k" } })], inUse: false },
    { name: "free when no pool is left", pools: [], inUse: false },
    { name: "free when only kwok pools are left", pools: [pool("project-a", { type: "kwok" })], inUse: false },
  ];
  for (const c of cases) {
    it(`is ${c.name}`, () => {
      expect(isInUse(c.pools, "project-a", "aws")).toBe(c.inUse);
    });
  }
});
