import { isDeepStrictEqual } from "node:util";
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
 * How many times a change goes round when the cluster was written in
 * between: the operator writes its status all the time, so one conflict is
 * ordinary, several in a row are not.
 */
const conflictAttempts = 5;

/** What a command checked on the cluster before changing it; the change goes ahead while this part is as read. */
export type CheckedPart = (cluster: Cluster) => unknown;

/** What spec.version's checks (upgrade, rollback) look at: the version asked for and run, the last upgrade, a deletion. */
export const versionChecks: CheckedPart = (c) => [c.metadata.deletionTimestamp, c.spec.version, c.status?.version, c.status?.upgrade];

/**
 * Merge-patches a cluster as `read`: with its resourceVersion, so that a
 * write in between is a 409. Then it reads the cluster again: when only
 * what the command did not check changed (a condition, another add-on's
 * status), the patch goes again with the new resourceVersion; when what it
 * checked changed, it stops, saying so in words. A refusal of admission
 * comes back with its own message, naming the field.
 */
async function patchAsChecked(ctx: CommandContext, read: Cluster, change: { readonly metadata?: object; readonly spec?: object }, checked: CheckedPart): Promise<Cluster> {
  const name = read.metadata.name ?? "";
  const subject = { kind: "cluster", name, project: ctx.project, server: ctx.server };
  const changed = new CliError(`cluster ${name} changed while we checked it; run the command again`, ExitCode.failure);
  let current = read;
  for (let attempt = 1; ; attempt += 1) {
    const body = { ...change, metadata: { ...change.metadata, resourceVersion: current.metadata.resourceVersion } };
    try {
      return (await ctx.objects.patchNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name, body }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch))) as Cluster;
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw explain(error, subject);
      if (attempt >= conflictAttempts) throw changed;
      current = await readCluster(ctx, name).catch((readError: unknown) => {
        throw explain(readError, subject);
      });
      if (!isDeepStrictEqual(checked(current), checked(read))) throw changed;
    }
  }
}

/** Sets a cluster's spec.version, while what `versionChecks` covers is as `read` (see patchAsChecked). */
export async function setClusterVersion(ctx: CommandContext, read: Cluster, version: string): Promise<Cluster> {
  return patchAsChecked(ctx, read, { spec: { version } }, versionChecks);
}

/** Sets annotations of a cluster, while what `checked` covers is as `read` (see patchAsChecked). */
export async function setClusterAnnotations(ctx: CommandContext, read: Cluster, annotations: Record<string, string>, checked: CheckedPart): Promise<Cluster> {
  return patchAsChecked(ctx, read, { metadata: { annotations } }, checked);
}
