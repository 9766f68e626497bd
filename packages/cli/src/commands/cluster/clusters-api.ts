import { apiVersion, group, version, type Cluster } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";

/** The Cluster resource's coordinates in the management API. */
export const clusterResource = { group, version, plural: "clusters" } as const;

/** The API path of a project's clusters, for watches. */
export function clustersPath(namespace: string): string {
  return `/apis/${group}/${version}/namespaces/${namespace}/clusters`;
}

/** Reads one Cluster. */
export async function readCluster(ctx: CommandContext, name: string): Promise<Cluster> {
  return (await ctx.objects.getNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name })) as Cluster;
}

/** Lists a project's Clusters. */
export async function listClusters(ctx: CommandContext): Promise<Cluster[]> {
  const list = (await ctx.objects.listNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace })) as { items: Cluster[] };
  return list.items;
}

/** A new Cluster object. */
export function newCluster(namespace: string, name: string, spec: Partial<Cluster["spec"]>): Cluster {
  return { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec } as Cluster;
}
