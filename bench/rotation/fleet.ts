// One round of the rotation benchmark in the management API: N Clusters on
// the kwok seed created with caRotation.completeAfter 0s, the wait until
// all run, the rotate-ca annotation set on all of them at once, and the
// wait until every one reports its rotation Completed.
import { setTimeout as sleep } from "node:timers/promises";
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, rotateCAAnnotation, type Cluster } from "@seedbed/api";
import { pool } from "../scale/seed-setup.ts";
import { rotationCompleted } from "./figures.ts";

const group = { group: "seedbed.dev", version: "v1alpha1", plural: "clusters" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** The label that tells the rounds' clusters apart. */
const roundLabel = "bench.seedbed.dev/round";

/** A round: its clusters' namespace, names and label value. */
export interface Round {
  readonly namespace: string;
  readonly round: string;
  readonly names: readonly string[];
}

/** How a wait is bounded and reported. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Throws when the operator is gone. */
  readonly alive: () => void;
  readonly log: (message: string) => void;
}

/** The clusters of a round. */
export async function listRound(objects: CustomObjectsApi, round: Round): Promise<Cluster[]> {
  const list = (await objects.listNamespacedCustomObject({ ...group, namespace: round.namespace, labelSelector: `${roundLabel}=${round.round}` })) as { items: Cluster[] };
  return list.items;
}

/** Creates the round's Clusters, 20 at a time, each completing a CA rotation as soon as it is Prepared. */
export async function createRound(objects: CustomObjectsApi, round: Round): Promise<void> {
  await pool(round.names.length, 20, (i) =>
    objects.createNamespacedCustomObject({
      ...group,
      namespace: round.namespace,
      body: { apiVersion, kind: "Cluster", metadata: { name: round.names[i] ?? "", namespace: round.namespace, labels: { [roundLabel]: round.round } }, spec: { certificates: { caRotation: { completeAfter: "0s" } } } },
    }),
  );
}

/** Polls the round every `intervalMs` until `done` holds for every cluster; throws past the timeout naming a few that lag. */
async function waitForAll(objects: CustomObjectsApi, round: Round, what: string, done: (c: Cluster) => boolean, o: WaitOptions & { intervalMs: number; each?: () => void }): Promise<Cluster[]> {
  const began = performance.now();
  let lastReport = began;
  for (;;) {
    const clusters = await listRound(objects, round);
    o.each?.();
    const ready = clusters.filter(done).length;
    if (ready === round.names.length) return clusters;
    o.alive();
    const ms = performance.now() - began;
    if (ms > o.timeoutMs) {
      const behind = clusters.filter((c) => !done(c)).slice(0, 5).map((c) => `${c.metadata.name ?? "?"}: ${c.status?.phase ?? "no phase"}, rotation ${c.status?.certificates?.rotation?.phase ?? "none"} ${c.status?.certificates?.rotation?.message ?? ""}`);
      throw new Error(`${String(round.names.length - ready)} of ${String(round.names.length)} clusters not ${what} within ${String(o.timeoutMs / 1000)} s, e.g. ${behind.join("; ")}`);
    }
    if (performance.now() - lastReport >= 10_000) {
      lastReport = performance.now();
      o.log(`${String(ready)}/${String(round.names.length)} ${what} after ${(ms / 1000).toFixed(0)} s`);
    }
    await sleep(o.intervalMs);
  }
}

/** Waits until every cluster of the round is Running. */
export function waitRunning(objects: CustomObjectsApi, round: Round, o: WaitOptions): Promise<Cluster[]> {
  return waitForAll(objects, round, "Running", (c) => c.status?.phase === "Running", { ...o, intervalMs: 2000 });
}

/** Sets the rotate-ca annotation to `requested` on every cluster of the round, 50 requests at a time. */
export async function annotateRound(objects: CustomObjectsApi, round: Round, requested: string): Promise<void> {
  await pool(round.names.length, 50, (i) => objects.patchNamespacedCustomObject({ ...group, namespace: round.namespace, name: round.names[i] ?? "", body: { metadata: { annotations: { [rotateCAAnnotation]: requested } } } }, mergePatch));
}

/** Waits until every cluster of the round reports the rotation that answered `requested` Completed; `each` runs on every poll (RSS samples). */
export function waitRotated(objects: CustomObjectsApi, round: Round, requested: string, o: WaitOptions & { each: () => void }): Promise<Cluster[]> {
  return waitForAll(objects, round, "rotated", (c) => rotationCompleted(c, requested), { ...o, intervalMs: 500 });
}
