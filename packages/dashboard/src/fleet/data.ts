import { useQueries } from "@tanstack/react-query";
import { useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import type { Cluster, List, NodePool, Project } from "../api/types.ts";

/** The clusters and node pools of the projects the user sees, and how far loading got. */
export interface FleetData {
  /** Clusters per project name (a project still loading or failed is absent). */
  clusters: Map<string, Cluster[]>;
  pools: Map<string, NodePool[]>;
  /** Some project's clusters are still loading. */
  loading: boolean;
  /** Projects whose clusters could not be listed, with the error. */
  errors: { project: string; error: unknown }[];
}

/** Lists /projects/:p/clusters and /projects/:p/nodepools for every project (one query each, cached under queryKeys). */
export function useFleetData(projects: readonly Project[]): FleetData {
  const api = useApi();
  const names = projects.map((p) => p.metadata.name);
  const clusterQueries = useQueries({
    queries: names.map((project) => ({
      queryKey: queryKeys.clusters(project),
      queryFn: async () => (await api.get<List<Cluster>>(`/projects/${encodeURIComponent(project)}/clusters`)).items,
    })),
  });
  const poolQueries = useQueries({
    queries: names.map((project) => ({
      queryKey: queryKeys.nodePools(project),
      queryFn: async () => (await api.get<List<NodePool>>(`/projects/${encodeURIComponent(project)}/nodepools`)).items,
    })),
  });
  const clusters = new Map<string, Cluster[]>();
  const pools = new Map<string, NodePool[]>();
  const errors: FleetData["errors"] = [];
  names.forEach((project, i) => {
    const clusterQuery = clusterQueries[i];
    const poolQuery = poolQueries[i];
    if (clusterQuery?.data !== undefined) clusters.set(project, clusterQuery.data);
    else if (clusterQuery?.error) errors.push({ project, error: clusterQuery.error });
    if (poolQuery?.data !== undefined) pools.set(project, poolQuery.data);
  });
  return { clusters, pools, loading: clusterQueries.some((q) => q.isPending && q.fetchStatus !== "idle"), errors };
}
