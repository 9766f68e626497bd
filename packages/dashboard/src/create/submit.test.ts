import { describe, expect, it } from "vitest";
import type { ClusterForm } from "./cluster-form.ts";
import { outcomeOf, plannedSteps, withStep } from "./submit.ts";

const form: ClusterForm = {
  name: "prod",
  project: "a",
  template: "",
  version: "",
  pools: [
    { key: 1, name: "web", replicas: "2", named: true },
    { key: 2, name: "db", replicas: "1", named: true },
  ],
  addons: {},
  exposure: "",
};
const describe_ = (error: unknown): string => (error instanceof Error ? error.message : "?");

describe("plannedSteps", () => {
  it("creates the cluster first, then each pool", () => {
    expect(plannedSteps(form).map((s) => s.label)).toEqual(["Cluster prod", "Node pool web", "Node pool db"]);
  });
});

describe("outcomeOf", () => {
  it("reports success when every step is done", () => {
    let steps = plannedSteps(form);
    for (const id of ["cluster", "pool-1", "pool-2"]) steps = withStep(steps, id, { state: "done" });
    expect(outcomeOf(steps, describe_)).toEqual({ kind: "created" });
  });

  it("reports a refused cluster with its error: nothing was made", () => {
    const error = new Error("metadata.name must match");
    const steps = withStep(plannedSteps(form), "cluster", { state: "failed", error });
    expect(outcomeOf(steps, describe_)).toEqual({ kind: "refused", error });
  });

  it("says exactly what was made when a pool is refused", () => {
    let steps = withStep(plannedSteps(form), "cluster", { state: "done" });
    steps = withStep(steps, "pool-1", { state: "done" });
    steps = withStep(steps, "pool-2", { state: "failed", error: new Error("quota exceeded") });
    const outcome = outcomeOf(steps, describe_);
    expect(outcome.kind).toBe("partial");
    expect(outcome.kind === "partial" ? outcome.summary : "").toBe("Cluster prod was created with node pool web. Not created: node pool db (quota exceeded). Add the missing pools on the cluster's page.");
  });
});
