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
  /** The machine provider; the API server's default (kwok) when omitted. */
  readonly provider?: CliProvider;
}

/**
 * The providers a pool can be made of from the command line alone; the
 * cloud providers need settings and a credentials Secret that are written
 * as a manifest instead.
 */
export const cliProviders = ["kwok", "local"] as const;

/** A provider `--provider` accepts. */
export type CliProvider = (typeof cliProviders)[number];

/**
 * A new NodePool object; the API server fills in the defaults (kwok
 * provider unless the request names one, 2 CPU, 4Gi). Owned by its
 * Cluster when that exists already, so that it goes with the Cluster
 * whatever happens to the operator.
 */
export function newNodePool(namespace: string, name: string, clusterName: string, request: PoolRequest, owner?: Cluster): NodePool {
  const machineTemplate = { ...(request.cpu === undefined ? {} : { cpu: request.cpu }), ...(request.memory === undefined ? {} : { memory: request.memory }) };
  const provider = request.provider === undefined ? {} : { provider: { type: request.provider } };
  const autoscaling = request.min === undefined && request.max === undefined ? undefined : { minReplicas: request.min ?? 0, maxReplicas: request.max ?? Math.max(request.replicas, 1) };
  return {
    apiVersion,
    kind: "NodePool",
    metadata: { name, namespace, ...(owner?.metadata.uid === undefined ? {} : { ownerReferences: [clusterOwnerReference(owner)] }) },
    spec: { clusterName, replicas: request.replicas, ...provider, machineTemplate, ...(autoscaling ? { autoscaling } : {}) },
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

/** The provider of `--provider`, or a usage error naming the choices (and, for a cloud, how to make its pool instead). */
export function providerFlag(value: string | undefined): CliProvider | undefined {
  if (value === undefined) return undefined;
  const known = cliProviders.find((p) => p === value);
  if (known !== undefined) return known;
  if (value === "openstack" || value === "aws") {
    throw new CliError(`--provider ${value} needs the cloud's settings and a credentials Secret, which the command line does not take: apply a NodePool with spec.provider.${value} and spec.provider.credentialsSecretRef (see examples/node-pool.yaml) with kubectl`, ExitCode.usage);
  }
  throw new CliError(`--provider must be one of ${cliProviders.join(", ")} (openstack and aws pools are applied as manifests), got "${value}"`, ExitCode.usage);
}
