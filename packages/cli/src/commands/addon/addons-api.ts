import { ApiException, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { addonsPatch, group, version, type Addon, type Cluster, type ClusterTemplate } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { clusterResource, readCluster } from "../cluster/clusters-api.ts";
import { templateEntry } from "./edit.ts";

/** The ClusterTemplate resource's coordinates in the management API. */
const clusterTemplateResource = { group, version, plural: "clustertemplates" } as const;

/**
 * How often a change of spec.addons is tried when the cluster changed
 * between our read and our patch (a 409): made again on the cluster read
 * anew, so that a concurrent edit is never overwritten.
 */
const conflictAttempts = 3;

/** A cluster and what its template asks for, as `addon` commands edit them. */
export interface AddonsSubject {
  readonly cluster: Cluster;
  /** The template's entry of the add-on the command is about. */
  readonly templates: Addon | undefined;
}

/** Reads a cluster, with a 404 said in words. */
export async function readAddonsCluster(ctx: CommandContext, name: string): Promise<Cluster> {
  return readCluster(ctx, name).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 404) {
      throw new CliError(`cluster ${name} not found in project ${ctx.project}: list them with seedbed cluster list --project ${ctx.project}, or pass the --project it is in`, ExitCode.notFound);
    }
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
}

/** The template's entry of `addon`; none when the cluster has no template, or one that does not exist. */
async function templatesEntry(ctx: CommandContext, cluster: Cluster, addon: string): Promise<Addon | undefined> {
  const name = cluster.spec.template;
  if (name === undefined) return undefined;
  try {
    const template = (await ctx.objects.getNamespacedCustomObject({ ...clusterTemplateResource, namespace: ctx.namespace, name })) as ClusterTemplate;
    return templateEntry(template, addon);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw explain(error, { kind: "clustertemplate", name, project: ctx.project, server: ctx.server });
  }
}

/**
 * Reads the cluster (and its template's entry of `addon`), edits
 * spec.addons and merge-patches them back with the resourceVersion read;
 * after a 409 reads and edits again. The API's refusals come back with the
 * field they name (spec.addons[2].name: unknown built-in add-on …).
 */
export async function updateAddons(ctx: CommandContext, clusterName: string, addon: string, edit: (subject: AddonsSubject) => readonly Addon[]): Promise<Cluster> {
  for (let attempt = 1; ; attempt += 1) {
    const cluster = await readAddonsCluster(ctx, clusterName);
    const addons = edit({ cluster, templates: await templatesEntry(ctx, cluster, addon) });
    try {
      return (await ctx.objects.patchNamespacedCustomObject(
        { ...clusterResource, namespace: ctx.namespace, name: clusterName, body: addonsPatch(cluster, addons) },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      )) as Cluster;
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) {
        if (attempt < conflictAttempts) continue;
        throw new CliError(`cluster ${clusterName} kept changing while we edited its add-ons; run the command again`, ExitCode.failure);
      }
      throw explain(error, { kind: "cluster", name: clusterName, project: ctx.project, server: ctx.server });
    }
  }
}
