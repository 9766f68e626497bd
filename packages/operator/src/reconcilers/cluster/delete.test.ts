import { describe, expect, it } from "vitest";
import { deletionCondition, type DeletionStep } from "./delete.ts";

describe("deletionCondition", () => {
  const cases: { name: string; step: DeletionStep; reason: string; message: RegExp }[] = [
    { name: "names the one pool it waits for", step: { step: "nodePools", pools: ["ec2"] }, reason: "WaitingForNodePools", message: /^waiting for 1 node pool to remove its machines \(ec2\); the control plane goes after them$/ },
    { name: "counts the pools it waits for", step: { step: "nodePools", pools: ["a", "b"] }, reason: "WaitingForNodePools", message: /^waiting for 2 node pools to remove their machines \(a, b\)/ },
    { name: "shortens a long list of pools", step: { step: "nodePools", pools: Array.from({ length: 12 }, (_, i) => `p${i}`) }, reason: "WaitingForNodePools", message: /p9, and 2 more\)/ },
    {
      name: "says what to do when the recorded seed is gone",
      step: { step: "seedGone", seed: "eu-west", cluster: "web", namespace: "project-a" },
      reason: "SeedGone",
      message: /^Seed eu-west that hosts this cluster no longer exists; recreate it so the control plane can be removed, or remove the finalizer seedbed\.dev\/cluster .*kubectl patch cluster web -n project-a .*nothing is deleted on any other seed$/,
    },
    { name: "names the seed the control plane leaves", step: { step: "controlPlane", seed: "local" }, reason: "Deleting", message: /^the control plane is being removed from Seed local$/ },
    { name: "works without a recorded seed", step: { step: "controlPlane", seed: undefined }, reason: "Deleting", message: /^the control plane is being removed$/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const condition = deletionCondition(c.step);
      expect(condition).toMatchObject({ type: "Ready", status: "False", reason: c.reason });
      expect(condition.message).toMatch(c.message);
    });
  }
});
