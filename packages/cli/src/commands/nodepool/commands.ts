import type { Cluster, NodePool } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { age, outputFormat, printData, printTable } from "../../output.ts";
import { clusterResource } from "../cluster/clusters-api.ts";
import { countFlag, listNodePools, newNodePool, nodePoolResource, providerFlag } from "./pools-api.ts";

/** Options of `seedbed nodepool create`. */
export interface CreateNodePoolOptions extends GlobalOptions {
  readonly cluster: string;
  readonly replicas?: string;
  readonly min?: string;
  readonly max?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly provider?: string;
}

/** Creates a node pool of a cluster (kwok machines unless --provider says otherwise). */
export async function createNodePool(name: string, options: CreateNodePoolOptions, out?: NodeJS.WritableStream): Promise<void> {
  // Flags first: a usage error needs no management API.
  const min = countFlag("--min", options.min);
  const max = countFlag("--max", options.max);
  const replicas = countFlag("--replicas", options.replicas) ?? min ?? 1;
  const provider = providerFlag(options.provider);
  const ctx = commandContext(options, out);
  // Owned by its cluster when that exists; a pool made first waits for it, and the operator makes it the owner then.
  const cluster = (await ctx.objects.getNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name: options.cluster }).catch(() => undefined)) as Cluster | undefined;
  const body = newNodePool(ctx.namespace, name, options.cluster, { replicas, min, max, cpu: options.cpu, memory: options.memory, provider }, cluster);
  try {
    await ctx.objects.createNamespacedCustomObject({ ...nodePoolResource, namespace: ctx.namespace, body });
  } catch (error) {
    throw explain(error, { kind: "nodepool", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Node pool ${name} of cluster ${options.cluster} created with ${replicas}${provider === undefined ? "" : ` ${provider}`} machines${max === undefined ? "" : ` (autoscaling ${min ?? 0}..${max})`}.\n`);
}

/** Sets a pool's replicas. */
export async function scaleNodePool(name: string, options: GlobalOptions & { readonly replicas: string }, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const replicas = countFlag("--replicas", options.replicas);
  try {
    await ctx.objects.patchNamespacedCustomObject({ ...nodePoolResource, namespace: ctx.namespace, name, body: [{ op: "replace", path: "/spec/replicas", value: replicas }] });
  } catch (error) {
    throw explain(error, { kind: "nodepool", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Node pool ${name} scaled to ${String(replicas)} machines.\n`);
}

/** Lists a project's node pools (of one cluster with --cluster). */
export async function listNodePoolsCommand(options: GlobalOptions & { readonly cluster?: string; readonly output?: string }, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const pools = await listNodePools(ctx, options.cluster).catch((error: unknown) => {
    throw explain(error, { kind: "nodepools", project: ctx.project, server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: pools });
    return;
  }
  if (pools.length === 0) {
    ctx.out.write(`No node pools in project ${ctx.project}. Create one: seedbed nodepool create NAME --cluster CLUSTER --replicas 3 --project ${ctx.project}\n`);
    return;
  }
  const bounds = (p: NodePool): string => (p.spec.autoscaling ? `${String(p.spec.autoscaling.minReplicas)}..${String(p.spec.autoscaling.maxReplicas)}` : "");
  printTable(
    ctx.out,
    ["NAME", "CLUSTER", "PROVIDER", "DESIRED", "READY", "AUTOSCALING", "PHASE", "AGE"],
    pools.map((p) => [p.metadata.name ?? "", p.spec.clusterName, p.spec.provider.type, String(p.spec.replicas), String(p.status?.readyReplicas ?? 0), bounds(p), p.status?.phase ?? "Pending", age(p.metadata.creationTimestamp)]),
  );
}

/** Deletes a node pool: its machines are drained and removed first. */
export async function deleteNodePool(name: string, options: GlobalOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  try {
    await ctx.objects.deleteNamespacedCustomObject({ ...nodePoolResource, namespace: ctx.namespace, name });
  } catch (error) {
    throw explain(error, { kind: "nodepool", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Node pool ${name} is being deleted; its machines are drained and removed first.\n`);
}
