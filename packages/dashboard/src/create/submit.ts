// Creating a cluster and its node pools: the Cluster first, then each
// NodePool naming it. The steps are reported as they go so the wizard can
// show progress, and a partial failure says exactly what exists.
import type { Api } from "../api/client.ts";
import { clusterBody, poolBody, type ClusterForm, type PoolRow } from "./cluster-form.ts";

/** One step of the creation as the wizard shows it. */
export interface Step {
  /** "cluster" or the pool row's key. */
  id: string;
  label: string;
  state: "waiting" | "running" | "done" | "failed";
  error?: unknown;
  /** The pool row a step creates. */
  pool?: PoolRow;
}

/** The steps of creating `form`, all waiting. */
export function plannedSteps(form: ClusterForm): Step[] {
  return [
    { id: "cluster", label: `Cluster ${form.name}`, state: "waiting" },
    ...form.pools.map((pool): Step => ({ id: `pool-${pool.key}`, label: `Node pool ${pool.name}`, state: "waiting", pool })),
  ];
}

/** The steps with one of them changed. */
export function withStep(steps: readonly Step[], id: string, change: Partial<Step>): Step[] {
  return steps.map((step) => (step.id === id ? { ...step, ...change } : step));
}

/**
 * Creates the cluster, then its pools one after another, calling
 * `onSteps` after each change. Stops after a refused cluster (nothing was
 * made); goes on past a refused pool (the others may still be made).
 */
export async function createClusterAndPools(api: Api, form: ClusterForm, onSteps: (steps: Step[]) => void): Promise<Step[]> {
  const base = `/projects/${encodeURIComponent(form.project)}`;
  let steps = plannedSteps(form);
  const set = (id: string, change: Partial<Step>): void => {
    steps = withStep(steps, id, change);
    onSteps(steps);
  };
  set("cluster", { state: "running" });
  try {
    await api.send("POST", `${base}/clusters`, clusterBody(form));
    set("cluster", { state: "done" });
  } catch (error) {
    set("cluster", { state: "failed", error });
    return steps;
  }
  for (const pool of form.pools) {
    const id = `pool-${pool.key}`;
    set(id, { state: "running" });
    try {
      await api.send("POST", `${base}/nodepools`, poolBody(form.name, pool));
      set(id, { state: "done" });
    } catch (error) {
      set(id, { state: "failed", error });
    }
  }
  return steps;
}

/** How a finished creation went. */
export type Outcome =
  | { kind: "created" }
  | { kind: "refused"; error: unknown }
  | { kind: "partial"; summary: string };

/** Words for a finished run: all made, nothing made (the cluster was refused), or exactly what was made and what not. */
export function outcomeOf(steps: readonly Step[], describe: (error: unknown) => string): Outcome {
  const cluster = steps.find((s) => s.id === "cluster");
  if (cluster?.state === "failed") return { kind: "refused", error: cluster.error };
  const pools = steps.filter((s) => s.pool !== undefined);
  const failed = pools.filter((s) => s.state === "failed");
  if (failed.length === 0) return { kind: "created" };
  const made = pools.filter((s) => s.state === "done").map((s) => s.pool?.name ?? "");
  const clusterName = cluster?.label.replace(/^Cluster /, "") ?? "";
  const madeText = made.length === 0 ? "no node pool" : `node pool${made.length === 1 ? "" : "s"} ${made.join(", ")}`;
  const refused = failed.map((s) => `${s.pool?.name ?? ""} (${describe(s.error)})`).join("; ");
  return { kind: "partial", summary: `Cluster ${clusterName} was created with ${madeText}. Not created: node pool${failed.length === 1 ? "" : "s"} ${refused}. Add the missing pools on the cluster's page.` };
}
