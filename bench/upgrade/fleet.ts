// The fleet of the upgrade benchmark in the management API: the Clusters
// (kwok-seed ones and the real sample), the sample's node pools, the wait
// until all run the old minor, and the UpgradePlan followed to its end.
import { setTimeout as sleep } from "node:timers/promises";
import type { CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type NodePool, type UpgradePlan } from "@seedbed/api";
import { pool } from "../scale/seed-setup.ts";
import { realSeedName } from "./sample.ts";

const group = { group: "seedbed.dev", version: "v1alpha1" } as const;

/** Whether a version ("1.36.3") is of a minor ("1.36"). */
export function ofMinor(version: string | undefined, minor: string): boolean {
  return version === minor || version?.startsWith(`${minor}.`) === true;
}

/** What the fleet is made of. */
export interface FleetSpec {
  readonly namespace: string;
  /** The label every cluster gets, which the plan selects. */
  readonly label: { readonly key: string; readonly value: string };
  readonly from: string;
  /** Clusters on the kwok seed (the default Seed). */
  readonly kwok: readonly string[];
  /** Clusters on the real seed, with two API servers each. */
  readonly sample: readonly string[];
  /** A kwok NodePool of one machine for each sample cluster. */
  readonly nodePools: boolean;
}

/**
 * Creates the Clusters, 20 at a time, at the old minor without pre-upgrade
 * snapshots: kwok pods cannot be snapshotted, and a snapshot of the real
 * sample would need a backup store, which is not what this measures.
 */
export async function createFleet(objects: CustomObjectsApi, fleet: FleetSpec): Promise<void> {
  const { namespace } = fleet;
  const labels = { [fleet.label.key]: fleet.label.value };
  const create = (name: string, spec: object): Promise<unknown> =>
    objects.createNamespacedCustomObject({ ...group, plural: "clusters", namespace, body: { apiVersion, kind: "Cluster", metadata: { name, namespace, labels }, spec: { version: fleet.from, upgrade: { snapshot: "Skip" }, ...spec } } });
  await pool(fleet.sample.length, 2, (i) => create(fleet.sample[i] ?? "", { seed: realSeedName, controlPlane: { replicas: 2 } }));
  await pool(fleet.kwok.length, 20, (i) => create(fleet.kwok[i] ?? "", {}));
  if (!fleet.nodePools) return;
  for (const name of fleet.sample) {
    await objects.createNamespacedCustomObject({ ...group, plural: "nodepools", namespace, body: { apiVersion, kind: "NodePool", metadata: { name: `${name}-workers`, namespace }, spec: { clusterName: name, replicas: 1 } } });
  }
}

/** Every Cluster of the namespace. */
export async function listClusters(objects: CustomObjectsApi, namespace: string): Promise<Cluster[]> {
  return ((await objects.listNamespacedCustomObject({ ...group, plural: "clusters", namespace })) as { items: Cluster[] }).items;
}

/** A cluster that runs `minor` and is Ready. */
function runningAt(cluster: Cluster, minor: string): boolean {
  return cluster.status?.phase === "Running" && ofMinor(cluster.status.version, minor) && cluster.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/** Waits until every cluster of the fleet is Running and Ready at the old minor (and each sample pool has its machine Ready); throws past `timeoutMs` or when `alive` says the operator is gone. */
export async function waitRunning(objects: CustomObjectsApi, fleet: FleetSpec, options: { timeoutMs: number; alive: () => void; log: (message: string) => void }): Promise<void> {
  const total = fleet.kwok.length + fleet.sample.length;
  const began = performance.now();
  for (;;) {
    const clusters = await listClusters(objects, fleet.namespace);
    const running = clusters.filter((c) => runningAt(c, fleet.from)).length;
    const pools = fleet.nodePools ? ((await objects.listNamespacedCustomObject({ ...group, plural: "nodepools", namespace: fleet.namespace })) as { items: NodePool[] }).items : [];
    const poolsReady = pools.filter((p) => (p.status?.readyReplicas ?? 0) >= p.spec.replicas).length;
    if (running === total && poolsReady === (fleet.nodePools ? fleet.sample.length : 0)) return;
    options.alive();
    const seconds = (performance.now() - began) / 1000;
    if (seconds * 1000 > options.timeoutMs) {
      const behind = clusters.filter((c) => !runningAt(c, fleet.from)).slice(0, 5).map((c) => `${c.metadata.name ?? "?"}: ${c.status?.phase ?? "no phase"} ${c.status?.conditions?.find((x) => x.type === "Ready")?.message ?? ""}`);
      throw new Error(`${String(total - running)} of ${String(total)} clusters not Running at ${fleet.from} within ${String(options.timeoutMs / 1000)} s, e.g. ${behind.join("; ")}`);
    }
    options.log(`${String(running)}/${String(total)} Running at ${fleet.from}${fleet.nodePools ? `, ${String(poolsReady)}/${String(fleet.sample.length)} sample pools Ready` : ""} after ${seconds.toFixed(0)} s`);
    await sleep(5000);
  }
}

/** The plan the benchmark creates. */
export interface PlanSpec {
  readonly name: string;
  readonly to: string;
  readonly label: FleetSpec["label"];
  readonly canary: number;
  readonly batchSize: string;
  readonly soak: string;
  readonly maxFailures: number;
}

/** Creates the UpgradePlan selecting the fleet's label. */
export async function createPlan(objects: CustomObjectsApi, plan: PlanSpec): Promise<void> {
  await objects.createClusterCustomObject({
    ...group,
    plural: "upgradeplans",
    body: { apiVersion, kind: "UpgradePlan", metadata: { name: plan.name }, spec: { version: plan.to, clusterSelector: { matchLabels: { [plan.label.key]: plan.label.value } }, canary: plan.canary, batchSize: plan.batchSize, soak: plan.soak, maxFailures: plan.maxFailures } },
  });
}

/**
 * Reads the plan every second until it is Completed, or Halted with no
 * cluster still upgrading; `each` runs on every read (progress, RSS
 * samples, the operator's liveness). Throws past `timeoutMs`, or when
 * neither its wave nor its counts moved for `stallMs` (naming the clusters
 * it still waits for), rather than waiting out the whole timeout.
 */
export async function followPlan(objects: CustomObjectsApi, name: string, options: { timeoutMs: number; stallMs: number; each: (plan: UpgradePlan) => void }): Promise<UpgradePlan> {
  const deadline = performance.now() + options.timeoutMs;
  let progress = "";
  let movedAt = performance.now();
  for (;;) {
    const plan = (await objects.getClusterCustomObject({ ...group, plural: "upgradeplans", name })) as UpgradePlan;
    options.each(plan);
    const phase = plan.status?.phase;
    if (phase === "Completed" || (phase === "Halted" && plan.status?.counts?.upgrading === 0)) return plan;
    const standing = JSON.stringify([phase, plan.status?.currentWave, plan.status?.counts]);
    if (standing !== progress) [progress, movedAt] = [standing, performance.now()];
    const stalled = performance.now() - movedAt > options.stallMs;
    if (stalled || performance.now() > deadline) {
      const waiting = (plan.status?.clusters ?? []).filter((e) => e.state !== "Upgraded" && e.state !== "Pending").slice(0, 8).map((e) => `${e.name} ${e.state}: ${e.message ?? ""}`);
      const why = stalled ? `made no progress for ${String(options.stallMs / 60_000)} min` : `not finished within ${String(options.timeoutMs / 60_000)} min`;
      throw new Error(`UpgradePlan ${name} ${why}: phase ${phase ?? "none"}, counts ${JSON.stringify(plan.status?.counts ?? {})}; waiting for ${waiting.join("; ")}`);
    }
    await sleep(1000);
  }
}
