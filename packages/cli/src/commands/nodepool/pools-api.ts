import { apiVersion, clusterOwnerReference, group, version, type Cluster, type NodePool } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";

/** The NodePool resource's coordinates in the management API. */
export const nodePoolResource = { group, version, plural: "nodepools" } as const;

/** What `nodepool create` and `cluster create --nodes` ask for. */
export interface PoolRequest {
  readonly replicas: number;
  readonly min?: number;
  readonly max?: number;
  readonly cpu?: string;
  readonly memory?: string;
}

/**
 * A new NodePool object; the API server fills in the defaults (kwok
 * provider, 2 CPU, 4Gi). Owned by its Cluster when that exists already, so
 * that it goes with the Cluster whatever happens to the operator.
 */
export function newNodePool(namespace: string, name: string, clusterName: string, request: PoolRequest, owner?: Cluster): NodePool {
  const machineTemplate = { ...(request.cpu === undefined ? {} : { cpu: request.cpu }), ...(request.memory === undefined ? {} : { memory: request.memory }) };
  const autoscaling = request.min === undefined && request.max === undefined ? undefined : { minReplicas: request.min ?? 0, maxReplicas: request.max ?? Math.max(request.replicas, 1) };
  return {
    apiVersion,
    kind: "NodePool",
    metadata: { name, namespace, ...(owner?.metadata.uid === undefined ? {} : { ownerReferences: [clusterOwnerReference(owner)] }) },
    spec: { clusterName, replicas: request.replicas, machineTemplate, ...(autoscaling ? { autoscaling } : {}) },
  } as NodePool;
}

/** Lists a project's NodePools, optionally of one cluster. */
export async function listNodePools(ctx: CommandContext, cluster?: string): Promise<NodePool[]> {
  const list = (await ctx.objects.listNamespacedCustomObject({ ...nodePoolResource, namespace: ctx.namespace })) as { items: NodePool[] };
  return list.items.filter((p) => cluster === undefined || p.spec.clusterName === cluster);
}

/** A whole number from a flag, or a usage error naming the flag. */
export function countFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} must be a whole number of machines, got "${value}"`, ExitCode.usage);
  return Number(value);
}
