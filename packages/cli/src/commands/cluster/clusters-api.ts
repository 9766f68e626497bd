import { ApiException, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, group, version, type Cluster } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";

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

/** Which clusters `listClusters` lists. */
export interface ClusterListScope {
  /** A label selector in Kubernetes' syntax, passed on as labelSelector. */
  readonly labelSelector?: string;
  /** Every project's clusters the caller may list (one list across namespaces), not only ctx's project's. */
  readonly allProjects?: boolean;
}

/** Lists a project's Clusters (or every project's), those matching the selector only when one is given. */
export async function listClusters(ctx: CommandContext, scope: ClusterListScope = {}): Promise<Cluster[]> {
  const labelSelector = scope.labelSelector;
  const list = (scope.allProjects === true
    ? await ctx.objects.listClusterCustomObject({ ...clusterResource, labelSelector })
    : await ctx.objects.listNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, labelSelector })) as { items: Cluster[] };
  return list.items;
}

/** A new Cluster object. */
export function newCluster(namespace: string, name: string, spec: Partial<Cluster["spec"]>): Cluster {
  return { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec } as Cluster;
}

/**
 * Sets a cluster's spec.version, if the cluster is still as `read` (its
 * resourceVersion, in the merge patch: the checks made on it hold). A
 * refusal of admission comes back with its own message, which names
 * spec.version; a cluster changed meanwhile is a 409 said in words.
 */
export async function setClusterVersion(ctx: CommandContext, read: Cluster, version: string): Promise<Cluster> {
  const name = read.metadata.name ?? "";
  const body = { metadata: { resourceVersion: read.metadata.resourceVersion }, spec: { version } };
  try {
    return (await ctx.objects.patchNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch))) as Cluster;
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) throw new CliError(`cluster ${name} changed while we checked it; run the command again`, ExitCode.failure);
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  }
}

/**
 * Sets annotations of a cluster, if the cluster is still as `read` (its
 * resourceVersion in the merge patch: the checks made on it hold); a
 * cluster changed meanwhile is a 409 said in words.
 */
export async function setClusterAnnotations(ctx: CommandContext, read: Cluster, annotations: Record<string, string>): Promise<Cluster> {
  const name = read.metadata.name ?? "";
  const body = { metadata: { resourceVersion: read.metadata.resourceVersion, annotations } };
  try {
    return (await ctx.objects.patchNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch))) as Cluster;
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) throw new CliError(`cluster ${name} changed while we checked it; run the command again`, ExitCode.failure);
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  }
}
