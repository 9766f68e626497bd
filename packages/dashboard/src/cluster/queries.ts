// The cluster page's data, one TanStack Query per REST resource. The
// Cluster and the project's NodePools sit under the shared queryKeys so
// the live watch (fleet/watch.ts) updates them; the rest is polled.
import { useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { ApiError, useApi } from "../api/client.ts";
import { unfinished } from "./backups.ts";
import { queryKeys } from "../api/keys.ts";
import type { AddonStatus, Addon, Cluster, ClusterCertificatesStatus, ClusterEvent, EtcdBackup, EtcdRestore, List, NodePool } from "../api/types.ts";

/** The REST path of a project. */
export function projectPath(project: string): string {
  return `/projects/${encodeURIComponent(project)}`;
}

/** The REST path of a cluster. */
export function clusterPath(project: string, name: string): string {
  return `${projectPath(project)}/clusters/${encodeURIComponent(name)}`;
}

/** Keys of the cluster's own sub-resources, under its key so that invalidating the cluster refreshes them too. */
export const clusterKeys = {
  events: (project: string, name: string) => [...queryKeys.cluster(project, name), "events"] as const,
  certificates: (project: string, name: string) => [...queryKeys.cluster(project, name), "certificates"] as const,
  addons: (project: string, name: string) => [...queryKeys.cluster(project, name), "addons"] as const,
  policies: (project: string, name: string) => [...queryKeys.cluster(project, name), "policies"] as const,
  backups: (project: string) => ["projects", project, "etcdbackups"] as const,
  restores: (project: string) => ["projects", project, "etcdrestores"] as const,
};

/** Whether an error says the cluster does not exist, or not for this user (404, 403). */
export function unseen(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 403);
}

/** The cluster, polled every 5 s unless the live watch keeps it fresh. */
export function useCluster(project: string, name: string, live: boolean): UseQueryResult<Cluster> {
  const api = useApi();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: queryKeys.cluster(project, name),
    queryFn: () => api.get<Cluster>(clusterPath(project, name)),
    // Shown at once when the fleet's list has it, while the cluster itself is read.
    placeholderData: () => queryClient.getQueryData<Cluster[]>(queryKeys.clusters(project))?.find((c) => c.metadata.name === name),
    refetchInterval: (query) => (live || unseen(query.state.error) ? false : 5_000),
    // A cluster that is gone (or never was the caller's) stays so: no retries.
    retry: (count, error) => count < 2 && !unseen(error),
  });
}

/** The project's node pools (the list the watch keeps live), polled every 5 s without it. */
export function useProjectPools(project: string, live: boolean): UseQueryResult<NodePool[]> {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.nodePools(project),
    queryFn: async () => (await api.get<List<NodePool>>(`${projectPath(project)}/nodepools`)).items,
    refetchInterval: live ? false : 5_000,
  });
}

/** Events about the cluster and its pools (oldest first, as the API answers). */
export function useClusterEvents(project: string, name: string, intervalMs: number): UseQueryResult<ClusterEvent[]> {
  const api = useApi();
  return useQuery({
    queryKey: clusterKeys.events(project, name),
    queryFn: async () => (await api.get<List<ClusterEvent>>(`${clusterPath(project, name)}/events`)).items,
    refetchInterval: intervalMs,
  });
}

/** GET …/certificates. */
export interface CertificatesAnswer {
  certificates: ClusterCertificatesStatus;
  outstandingKubeconfigs: { holder: string; kind: string; time: string }[];
}

/** The cluster's certificates and the kubeconfigs that still trust only an old CA. */
export function useCertificates(project: string, name: string, intervalMs: number): UseQueryResult<CertificatesAnswer> {
  const api = useApi();
  return useQuery({
    queryKey: clusterKeys.certificates(project, name),
    queryFn: () => api.get<CertificatesAnswer>(`${clusterPath(project, name)}/certificates`),
    refetchInterval: intervalMs,
  });
}

/** One add-on as GET …/addons answers it (server routes/addon-view.ts). */
export interface AddonView {
  name: string;
  source: "BuiltIn" | "Helm";
  phase: "Pending" | "Installing" | "Installed" | "Failed" | "Removing" | "Disabled" | "Removed";
  ready: boolean;
  spec?: Addon;
  status?: AddonStatus;
}

/** The cluster's add-ons: its spec beside what is installed. */
export function useAddons(project: string, name: string, intervalMs: number): UseQueryResult<AddonView[]> {
  const api = useApi();
  return useQuery({
    queryKey: clusterKeys.addons(project, name),
    queryFn: async () => (await api.get<List<AddonView>>(`${clusterPath(project, name)}/addons`)).items,
    refetchInterval: intervalMs,
  });
}

/** Polls every 5 s while something in the list is under way, every 30 s otherwise. */
function pollWhileUnfinished(query: { state: { data: { status?: { phase?: string } }[] | undefined } }): number {
  return (query.state.data ?? []).some(unfinished) ? 5_000 : 30_000;
}

/** The project's backups and restores (filtered to the cluster by the section). */
export function useBackups(project: string): { backups: UseQueryResult<EtcdBackup[]>; restores: UseQueryResult<EtcdRestore[]> } {
  const api = useApi();
  const backups = useQuery({
    queryKey: clusterKeys.backups(project),
    queryFn: async () => (await api.get<List<EtcdBackup>>(`${projectPath(project)}/etcdbackups`)).items,
    refetchInterval: pollWhileUnfinished,
  });
  const restores = useQuery({
    queryKey: clusterKeys.restores(project),
    queryFn: async () => (await api.get<List<EtcdRestore>>(`${projectPath(project)}/etcdrestores`)).items,
    refetchInterval: pollWhileUnfinished,
  });
  return { backups, restores };
}
