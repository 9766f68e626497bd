import { describe, expect, it } from "vitest";
import type { Cluster } from "./cluster.ts";
import { isClusterServing } from "./cluster-conditions.ts";

const at = "2026-01-01T00:00:00Z";
const cluster = (phase: NonNullable<Cluster["status"]>["phase"] | undefined, conditions: Record<string, "True" | "False">, deleting = false): Pick<Cluster, "metadata" | "status"> => ({
  metadata: { name: "c", namespace: "project-p", ...(deleting ? { deletionTimestamp: new Date(at) } : {}) },
  status: { ...(phase === undefined ? {} : { phase }), conditions: Object.entries(conditions).map(([type, status]) => ({ type, status, reason: "R", message: "", lastTransitionTime: at })) },
});

describe("isClusterServing", () => {
  it.each([
    { title: "Running and Available", cluster: cluster("Running", { Available: "True", Ready: "True" }), serving: true },
    { title: "Upgrading with its API answering", cluster: cluster("Upgrading", { Available: "True", Ready: "False" }), serving: true },
    { title: "Degraded with its API answering", cluster: cluster("Degraded", { Available: "True", Ready: "False" }), serving: true },
    { title: "Degraded with its API down", cluster: cluster("Degraded", { Available: "False", APIServerReady: "True" }), serving: false },
    { title: "Provisioning", cluster: cluster("Provisioning", { Available: "False" }), serving: false },
    { title: "Pending on a full seed", cluster: cluster("Pending", { Ready: "False" }), serving: false },
    { title: "written before Available existed, its API ready", cluster: cluster("Running", { APIServerReady: "True" }), serving: true },
    { title: "being deleted", cluster: cluster("Running", { Available: "True" }, true), serving: false },
    { title: "never reconciled", cluster: cluster(undefined, {}), serving: false },
  ])("$title → $serving", ({ cluster: c, serving }) => {
    expect(isClusterServing(c)).toBe(serving);
  });
});
