// The fleet's rows and filters: pure, tested in rows.test.ts.
import type { Cluster, Role } from "../api/types.ts";
import { clusterVersions } from "./columns.ts";
import { clusterHealth, type Health } from "./health.ts";
import { matchesSelector, type Requirement } from "./label-selector.ts";

/** One cluster in the fleet table. */
export interface FleetRow {
  /** "<project>/<name>": unique across the fleet. */
  key: string;
  project: string;
  role: Role;
  editable: boolean;
  cluster: Cluster;
  health: Health;
}

/** The fleet's filters; an empty string means "all". */
export interface FleetFilter {
  project: string;
  labels: readonly Requirement[];
  version: string;
  health: string;
}

/** Rows of every project's clusters, by project then name. */
export function fleetRows(projects: readonly { name: string; role: Role; editable: boolean; clusters: readonly Cluster[] }[]): FleetRow[] {
  return projects
    .flatMap((p) => p.clusters.map((cluster) => ({
      key: `${p.name}/${cluster.metadata.name}`,
      project: p.name,
      role: p.role,
      editable: p.editable,
      cluster,
      health: clusterHealth(cluster),
    })))
    .sort((a, b) => a.project.localeCompare(b.project) || a.cluster.metadata.name.localeCompare(b.cluster.metadata.name));
}

/** The rows the filters let through. */
export function filterRows(rows: readonly FleetRow[], filter: FleetFilter): FleetRow[] {
  return rows.filter((row) =>
    (filter.project === "" || row.project === filter.project)
    && (filter.health === "" || row.health === filter.health)
    && (filter.version === "" || clusterVersions(row.cluster).includes(filter.version))
    && matchesSelector(filter.labels, row.cluster.metadata.labels));
}

/** The versions clusters run or ask for, newest first (the Version filter's options). */
export function versionOptions(rows: readonly FleetRow[]): string[] {
  const versions = new Set(rows.flatMap((r) => clusterVersions(r.cluster)));
  return [...versions].sort(compareVersionsDescending);
}

/** Orders 1.34 before 1.33.2 before 1.33. */
export function compareVersionsDescending(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pb[i] ?? -1) - (pa[i] ?? -1);
    if (diff !== 0 && !Number.isNaN(diff)) return diff;
  }
  return b.localeCompare(a);
}
