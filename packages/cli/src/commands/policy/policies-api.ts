import { ApiException } from "@kubernetes/client-node";
import { group, platformPolicyNamespace, projectOfNamespace, version, type ClusterPolicy, type ClusterSync } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";

/** The ClusterPolicy resource's coordinates in the management API. */
export const clusterPolicyResource = { group, version, plural: "clusterpolicies" } as const;

/** The ClusterSync resource's coordinates (one per Cluster, read only for members). */
export const clusterSyncResource = { group, version, plural: "clustersyncs" } as const;

/** Where a policy command looks: a project's namespace, or seedbed-system with --platform. */
export interface PolicyScope {
  readonly namespace: string;
  /** For messages: "project a" or "the platform (seedbed-system)". */
  readonly where: string;
  /** The flags that say the same again, for hints. */
  readonly flags: string;
}

/** The scope of a policy command from its flags. */
export function policyScope(ctx: CommandContext, platform: boolean | undefined): PolicyScope {
  return platform === true
    ? { namespace: platformPolicyNamespace, where: `the platform (${platformPolicyNamespace})`, flags: "--platform" }
    : { namespace: ctx.namespace, where: `project ${ctx.project}`, flags: `--project ${ctx.project}` };
}

/** Reads one ClusterPolicy, with a 404 said in words. */
export async function readPolicy(ctx: CommandContext, scope: PolicyScope, name: string): Promise<ClusterPolicy> {
  try {
    return (await ctx.objects.getNamespacedCustomObject({ ...clusterPolicyResource, namespace: scope.namespace, name })) as ClusterPolicy;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) {
      throw new CliError(`policy ${name} not found in ${scope.where}: list them with seedbed policy list ${scope.flags} (or -A), or pass --project or --platform`, ExitCode.notFound);
    }
    throw explain(error, { kind: "policy", name, project: projectOfNamespace(scope.namespace), server: ctx.server });
  }
}

/** Lists the ClusterPolicies of one namespace, or of every namespace the caller may list. */
export async function listPolicies(ctx: CommandContext, namespace: string | undefined): Promise<ClusterPolicy[]> {
  const list = (namespace === undefined
    ? await ctx.objects.listClusterCustomObject({ ...clusterPolicyResource })
    : await ctx.objects.listNamespacedCustomObject({ ...clusterPolicyResource, namespace })) as { items: ClusterPolicy[] };
  return list.items;
}

/**
 * The ClusterSyncs that can hold a policy's per-cluster detail: those of
 * its own namespace for a project's policy (it reaches only that
 * project's clusters), of every namespace for a platform policy.
 */
export async function syncsOfPolicy(ctx: CommandContext, policy: ClusterPolicy): Promise<ClusterSync[]> {
  const namespace = policy.metadata.namespace ?? "";
  try {
    const list = (namespace === platformPolicyNamespace
      ? await ctx.objects.listClusterCustomObject({ ...clusterSyncResource })
      : await ctx.objects.listNamespacedCustomObject({ ...clusterSyncResource, namespace })) as { items: ClusterSync[] };
    return list.items;
  } catch (error) {
    throw explain(error, { kind: "clustersyncs", project: projectOfNamespace(namespace), server: ctx.server });
  }
}
