// When the chaos benchmark counts the platform as converged, and what it
// counts as leaked: pure functions of what should exist (the schedule so
// far) and what was observed, so each rule is tested with a table.
import { newClusterId, type Cluster, type NodePool } from "@seedbed/api";
import type { TenantProcess } from "./host.ts";

/** The components a cluster with a kwok pool runs on the local driver, one process each. */
export const tenantComponents = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;

/** What the schedule has done so far. */
export interface Expected {
  readonly namespace: string;
  /** Cluster → its pool's replicas. */
  readonly alive: ReadonlyMap<string, number>;
  readonly deleted: ReadonlySet<string>;
}

/** One look at the management API, the tenants and this machine. */
export interface Snapshot {
  readonly clusters: readonly Cluster[];
  readonly pools: readonly NodePool[];
  /** Secrets in the namespace: name and their seedbed.dev/cluster label. */
  readonly secrets: readonly { readonly name: string; readonly cluster?: string }[];
  /** Each alive cluster's Nodes (pool label, Ready), or why they could not be listed; absent: not looked at. */
  readonly tenantNodes: ReadonlyMap<string, readonly { readonly pool: string; readonly ready: boolean }[] | string>;
  readonly processes: readonly TenantProcess[];
  /** Cluster directories under the state directory. */
  readonly dirs: ReadonlySet<string>;
}

/** The pool the benchmark gives each cluster. */
export function poolOf(cluster: string): string {
  return `${cluster}-w`;
}

/** The identity the operator must record for a benchmark cluster (none existed under the legacy scheme). */
export function idOf(namespace: string, cluster: string): string {
  return newClusterId(namespace, cluster);
}

/** What keeps the platform from having converged; empty when it has. */
export function pending(expected: Expected, seen: Snapshot): string[] {
  const out: string[] = [];
  const clusters = new Map(seen.clusters.map((c) => [c.metadata.name ?? "", c]));
  const pools = new Map(seen.pools.map((p) => [p.metadata.name ?? "", p]));
  for (const [name, replicas] of expected.alive) {
    const id = idOf(expected.namespace, name);
    out.push(...clusterPending(name, id, clusters.get(name)));
    out.push(...poolPending(poolOf(name), replicas, pools.get(poolOf(name)), seen.tenantNodes.get(name)));
    const running = new Set(seen.processes.filter((p) => p.clusterId === id).map((p) => p.component));
    const missing = tenantComponents.filter((c) => !running.has(c));
    if (missing.length > 0) out.push(`cluster ${name}: no ${missing.join(", ")} process`);
  }
  for (const name of expected.deleted) out.push(...remainsOf(expected.namespace, name, seen));
  return out;
}

function clusterPending(name: string, id: string, cluster: Cluster | undefined): string[] {
  if (cluster === undefined) return [`cluster ${name}: missing`];
  const status = cluster.status;
  const out: string[] = [];
  if (cluster.metadata.deletionTimestamp !== undefined) out.push(`cluster ${name}: being deleted`);
  if (status?.phase !== "Running") out.push(`cluster ${name}: phase ${status?.phase ?? "none"}`);
  if (status?.observedGeneration !== cluster.metadata.generation) out.push(`cluster ${name}: observedGeneration ${String(status?.observedGeneration)} of generation ${String(cluster.metadata.generation)}`);
  if (status?.clusterID !== id) out.push(`cluster ${name}: status.clusterID ${status?.clusterID ?? "unset"}, want ${id}`);
  return out;
}

function poolPending(name: string, replicas: number, pool: NodePool | undefined, nodes: readonly { pool: string; ready: boolean }[] | string | undefined): string[] {
  if (pool === undefined) return [`pool ${name}: missing`];
  const status = pool.status;
  const out: string[] = [];
  if (pool.spec.replicas !== replicas) out.push(`pool ${name}: spec.replicas ${pool.spec.replicas}, the benchmark set ${replicas}`);
  if (status?.phase !== "Running") out.push(`pool ${name}: phase ${status?.phase ?? "none"}`);
  if (status?.observedGeneration !== pool.metadata.generation) out.push(`pool ${name}: observedGeneration ${String(status?.observedGeneration)} of generation ${String(pool.metadata.generation)}`);
  if (status?.replicas !== replicas || status.readyReplicas !== replicas) out.push(`pool ${name}: ${String(status?.readyReplicas)} ready of ${String(status?.replicas)} machines, want ${replicas}`);
  if (typeof nodes === "string") out.push(`pool ${name}: tenant Nodes unknown (${nodes})`);
  else if (nodes === undefined) out.push(`pool ${name}: tenant Nodes not looked at`);
  else {
    const mine = nodes.filter((n) => n.pool === name);
    const ready = mine.filter((n) => n.ready).length;
    if (mine.length !== replicas || ready !== replicas) out.push(`pool ${name}: ${ready} Ready of ${mine.length} Nodes in the tenant, want ${replicas}`);
  }
  return out;
}

/** What still exists of a deleted cluster. */
function remainsOf(namespace: string, name: string, seen: Snapshot): string[] {
  const id = idOf(namespace, name);
  const out: string[] = [];
  const cluster = seen.clusters.find((c) => c.metadata.name === name);
  if (cluster) out.push(`deleted cluster ${name}: object remains (phase ${cluster.status?.phase ?? "none"}, finalizers ${(cluster.metadata.finalizers ?? []).join(",") || "none"})`);
  for (const pool of seen.pools.filter((p) => p.spec.clusterName === name)) out.push(`deleted cluster ${name}: NodePool ${pool.metadata.name ?? ""} remains (finalizers ${(pool.metadata.finalizers ?? []).join(",") || "none"})`);
  for (const secret of seen.secrets.filter((s) => s.cluster === name || s.name === `${name}-pki` || s.name === `${name}-admin-kubeconfig`)) out.push(`deleted cluster ${name}: Secret ${secret.name} remains`);
  if (seen.dirs.has(id)) out.push(`deleted cluster ${name}: directory clusters/${id} remains`);
  for (const p of seen.processes.filter((p) => p.clusterId === id)) out.push(`deleted cluster ${name}: ${p.component} process ${p.pid} still runs`);
  return out;
}

/**
 * What is leaked: anything of a deleted cluster, anything that belongs to
 * no cluster, a second copy of a component, and what the caller found on
 * this machine (`found`: listeners on ports only deleted clusters recorded,
 * operator processes beside the one it runs).
 */
export function leaks(expected: Expected, seen: Snapshot, found: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of expected.deleted) out.push(...remainsOf(expected.namespace, name, seen));
  const known = new Set([...expected.alive.keys(), ...expected.deleted]);
  const knownIds = new Set([...known].map((c) => idOf(expected.namespace, c)));
  const existing = new Set(seen.clusters.map((c) => c.metadata.name ?? ""));
  for (const c of seen.clusters.filter((c) => !known.has(c.metadata.name ?? ""))) out.push(`Cluster ${c.metadata.name ?? ""} the benchmark never created`);
  for (const p of seen.pools.filter((p) => !existing.has(p.spec.clusterName) && !expected.deleted.has(p.spec.clusterName))) out.push(`NodePool ${p.metadata.name ?? ""} without its Cluster ${p.spec.clusterName}`);
  for (const s of seen.secrets.filter((s) => s.cluster !== undefined && !existing.has(s.cluster) && !expected.deleted.has(s.cluster))) out.push(`Secret ${s.name} of Cluster ${s.cluster ?? ""}, which does not exist`);
  for (const id of [...seen.dirs].filter((d) => !knownIds.has(d))) out.push(`directory clusters/${id} belongs to no Cluster`);
  const byComponent = new Map<string, number[]>();
  for (const p of seen.processes) {
    if (!knownIds.has(p.clusterId)) out.push(`${p.component} process ${p.pid} of ${p.clusterId}, which belongs to no Cluster`);
    const key = `${p.clusterId}/${p.component}`;
    byComponent.set(key, [...(byComponent.get(key) ?? []), p.pid]);
  }
  for (const [key, pids] of byComponent) if (pids.length > 1) out.push(`${pids.length} copies of ${key} (pids ${pids.join(", ")})`);
  out.push(...found);
  return out;
}
