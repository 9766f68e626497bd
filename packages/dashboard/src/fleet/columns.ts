// What each fleet column shows for a cluster: pure, tested in columns.test.ts.
import type { Cluster, NodePool } from "../api/types.ts";
import type { Tone } from "../ui/Badge.tsx";
import { daysUntil, formatDateTime, relativeTime } from "../ui/format.ts";

/** A cell: its text, a tone when it deserves colour, and a longer explanation. */
export interface Cell {
  text: string;
  tone?: Tone;
  title?: string;
}

/** Certificates expiring sooner than this are flagged. */
export const certificateWarningDays = 30;

/** The version running, and the one asked for while they differ ("1.32.4 → 1.33"). */
export function versionCell(cluster: Cluster): Cell {
  const running = cluster.status?.version;
  const wanted = cluster.spec.version;
  if (running === undefined) return wanted === undefined ? { text: "—", title: "No version reported yet" } : { text: wanted, title: `Asked for ${wanted}; not running yet` };
  if (wanted !== undefined && !sameVersion(running, wanted)) return { text: `${running} → ${wanted}`, tone: "info", title: `Runs ${running}; asked for ${wanted}` };
  return { text: running };
}

/** Whether a running version (1.33.2) is the one asked for (1.33 or 1.33.2). */
export function sameVersion(running: string, wanted: string): boolean {
  const strip = (v: string): string => v.replace(/^v/, "");
  const r = strip(running);
  const w = strip(wanted);
  return r === w || r.startsWith(`${w}.`);
}

/** The versions a cluster may be filtered by: the one it runs and the one asked for. */
export function clusterVersions(cluster: Cluster): string[] {
  return [cluster.status?.version, cluster.spec.version].filter((v): v is string => v !== undefined);
}

/** Ready nodes of all nodes: the cluster's own count, else summed from its node pools. */
export function nodesCell(cluster: Cluster, pools: readonly NodePool[]): Cell {
  const nodes = cluster.status?.nodes;
  if (nodes !== undefined) return { text: `${nodes.ready}/${nodes.total}`, ...(nodes.ready < nodes.total ? { tone: "warn" as const } : {}), title: `${nodes.ready} of ${nodes.total} nodes ready` };
  const own = pools.filter((p) => p.spec.clusterName === cluster.metadata.name);
  if (own.length === 0) return { text: "0", title: "No node pools" };
  const ready = own.reduce((sum, p) => sum + (p.status?.readyReplicas ?? 0), 0);
  const wanted = own.reduce((sum, p) => sum + p.spec.replicas, 0);
  return { text: `${ready}/${wanted}`, ...(ready < wanted ? { tone: "warn" as const } : {}), title: `${ready} of ${wanted} machines ready in ${own.length} node pool${own.length === 1 ? "" : "s"}` };
}

/** When the last snapshot completed ("never"), flagged when backups are failing. */
export function backupCell(cluster: Cluster, nowMs: number): Cell {
  const last = cluster.status?.lastBackupTime;
  const healthy = cluster.status?.conditions?.find((c) => c.type === "BackupsHealthy");
  const failing = healthy?.status === "False";
  const why = failing ? ` — ${healthy.reason ?? "failing"}${healthy.message === undefined ? "" : `: ${healthy.message}`}` : "";
  if (last === undefined) {
    return { text: "never", ...(failing ? { tone: "bad" as const } : {}), title: `${cluster.spec.backup === undefined ? "No backup schedule" : `Schedule ${cluster.spec.backup.schedule}`}${why}` };
  }
  return { text: relativeTime(last, nowMs), ...(failing ? { tone: "warn" as const } : {}), title: `Last snapshot ${formatDateTime(last)}${why}` };
}

/** The earliest expiry among the cluster's certificates and CAs, coloured inside 30 days. */
export function certificateCell(cluster: Cluster, nowMs: number): Cell {
  const certificates = cluster.status?.certificates;
  const dates = [
    ...(certificates?.leaves ?? []).map((l) => ({ name: l.name, notAfter: l.notAfter })),
    ...(certificates?.authorities ?? []).flatMap((a) => (a.notAfter === undefined ? [] : [{ name: `${a.name} CA`, notAfter: a.notAfter }])),
  ].filter((d) => !Number.isNaN(Date.parse(d.notAfter)));
  if (dates.length === 0) return { text: "unknown", title: "No certificate dates reported yet" };
  const first = dates.reduce((a, b) => (Date.parse(b.notAfter) < Date.parse(a.notAfter) ? b : a));
  const days = daysUntil(first.notAfter, nowMs) ?? 0;
  const title = `${first.name} expires ${formatDateTime(first.notAfter)}`;
  if (days < 0) return { text: "expired", tone: "bad", title };
  if (days < certificateWarningDays) return { text: `expires in ${days} day${days === 1 ? "" : "s"}`, tone: "warn", title };
  return { text: `expires in ${days} days`, tone: "ok", title };
}

/** The state of the last upgrade (status.upgrade), or whether one is waiting to start. */
export function upgradeCell(cluster: Cluster): Cell {
  const upgrade = cluster.status?.upgrade;
  const message = upgrade?.message === undefined ? "" : `: ${upgrade.message}`;
  switch (upgrade?.phase) {
    case "Upgrading":
      return { text: `to ${upgrade.to} (${upgrade.step})`, tone: "info", title: `Upgrading ${upgrade.from} → ${upgrade.to}, step ${upgrade.step}${message}` };
    case "RollingBack":
      return { text: `rolling back to ${upgrade.from}`, tone: "info", title: `Rolling back ${upgrade.to} → ${upgrade.from}, step ${upgrade.step}${message}` };
    case "Failed":
      return { text: `failed (${upgrade.from} → ${upgrade.to})`, tone: "bad", title: `The upgrade stopped at step ${upgrade.step}${message}` };
    case "RolledBack":
      return { text: `rolled back to ${upgrade.from}`, tone: "warn", title: `Rolled back from ${upgrade.to}${message}` };
    default:
      break;
  }
  const running = cluster.status?.version;
  const wanted = cluster.spec.version;
  if (running !== undefined && wanted !== undefined && !sameVersion(running, wanted)) return { text: `pending (to ${wanted})`, tone: "info", title: "The upgrade has not started yet" };
  if (upgrade?.phase === "Completed") return { text: "up to date", tone: "ok", title: `Upgraded ${upgrade.from} → ${upgrade.to}` };
  return { text: "—", title: "No upgrade" };
}
