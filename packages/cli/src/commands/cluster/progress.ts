import type { Cluster, Condition } from "@seedbed/api";
import { ClusterConditions } from "@seedbed/api";

/** What has been printed already, so that only changes are printed. */
export interface ProgressState {
  phase?: string;
  conditions: Map<string, string>;
}

/** A new, empty progress state. */
export function newProgress(): ProgressState {
  return { conditions: new Map() };
}

/** Lines describing what changed since the last call, and the state after it. Pure. */
export function progressLines(state: ProgressState, cluster: Cluster): string[] {
  const lines: string[] = [];
  const phase = cluster.status?.phase;
  if (phase !== undefined && phase !== state.phase) {
    lines.push(`phase ${phase}`);
    state.phase = phase;
  }
  for (const condition of cluster.status?.conditions ?? []) {
    const key = `${condition.status}|${condition.reason}|${condition.message}`;
    if (state.conditions.get(condition.type) === key) continue;
    state.conditions.set(condition.type, key);
    lines.push(describe(condition));
  }
  return lines;
}

function describe(c: Condition): string {
  const mark = c.status === "True" ? "✓" : c.status === "False" ? "…" : "?";
  return `  ${mark} ${c.type}${c.status === "True" ? "" : ` (${c.reason})`}${c.message === "" ? "" : `: ${c.message}`}`;
}

/** True when the cluster is Ready for the spec it has now. */
export function isReady(cluster: Cluster): boolean {
  const ready = cluster.status?.conditions?.find((c) => c.type === ClusterConditions.Ready);
  return ready?.status === "True" && (cluster.status?.observedGeneration ?? -1) >= (cluster.metadata.generation ?? 0);
}

/** The message of a terminal failure (a spec that cannot work), if the cluster has one. */
export function terminalFailure(cluster: Cluster): string | undefined {
  const spec = cluster.status?.conditions?.find((c) => c.type === ClusterConditions.SpecValid);
  if (spec?.status === "False") return spec.message;
  return cluster.status?.phase === "Failed" ? "the cluster failed; see its conditions" : undefined;
}
