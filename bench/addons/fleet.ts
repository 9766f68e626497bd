// The clusters of one round: N Clusters keeping their data in the seed's
// shared etcd, each with a kwok NodePool of one node for CoreDNS to run
// on; and the waits on them, bounded and reported as they go.
import { setTimeout as sleep } from "node:timers/promises";
import type { CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { pool } from "../scale/seed-setup.ts";
import { addonsReady, type ClusterFollower } from "./follow.ts";

const group = { group: "seedbed.dev", version: "v1alpha1" } as const;

/** The spec of every benchmark cluster: a prefix in the shared etcd, 256 MiB at most; everything else (add-ons: the platform's default CoreDNS) as defaulted. */
export const clusterSpec = { controlPlane: { datastore: { type: "Shared", storage: "256Mi" } } } as const;
/** The spec of each cluster's node pool (its clusterName added): one simulated node. */
export const nodePoolSpec = { replicas: 1, provider: { type: "kwok" } } as const;

/** The names of a round of `count` clusters: a-0 … a-(N-1), zero-padded so that they sort. */
export function clusterNames(count: number): string[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, i) => `a-${String(i).padStart(width, "0")}`);
}

/** Creates each Cluster, then its NodePool `<name>-w`, ten clusters at a time; tells the follower when each was asked for. */
export async function createFleet(objects: CustomObjectsApi, namespace: string, names: readonly string[], follower: ClusterFollower): Promise<void> {
  await pool(names.length, 10, async (i) => {
    const name = names[i] ?? "";
    follower.created(name);
    await objects.createNamespacedCustomObject({ ...group, namespace, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: clusterSpec } });
    await objects.createNamespacedCustomObject({ ...group, namespace, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: `${name}-w`, namespace }, spec: { clusterName: name, ...nodePoolSpec } } });
  });
}

/** How a wait is bounded and reported. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Throws when the operator is gone. */
  readonly alive: () => void;
  readonly log: (message: string) => void;
}

/** What a lagging cluster shows: its phase and, once it has one, AddonsReady and its message. */
function describeLagging(name: string, cluster: Cluster | undefined): string {
  const ready = addonsReady(cluster);
  const addons = ready === undefined ? "no AddonsReady" : `AddonsReady ${ready.status}${ready.message === undefined ? "" : ` (${ready.message})`}`;
  return `${name}: ${cluster?.status?.phase ?? "no phase"}, ${addons}`;
}

/** Waits until the follower has seen `done` of every cluster; logs progress every 10 s; throws past the timeout naming a few that lag. */
export async function waitForAll(follower: ClusterFollower, names: readonly string[], what: string, done: (name: string) => boolean, o: WaitOptions): Promise<void> {
  const began = performance.now();
  let lastReport = began;
  for (;;) {
    const count = names.filter(done).length;
    if (count === names.length) return;
    o.alive();
    const ms = performance.now() - began;
    if (ms > o.timeoutMs) {
      const behind = names.filter((n) => !done(n)).slice(0, 5).map((n) => describeLagging(n, follower.latest(n)));
      throw new Error(`${String(names.length - count)} of ${String(names.length)} clusters not ${what} within ${String(o.timeoutMs / 1000)} s, e.g. ${behind.join("; ")}`);
    }
    if (performance.now() - lastReport >= 10_000) {
      lastReport = performance.now();
      o.log(`${String(count)}/${String(names.length)} ${what} after ${(ms / 1000).toFixed(0)} s`);
    }
    await sleep(250);
  }
}
