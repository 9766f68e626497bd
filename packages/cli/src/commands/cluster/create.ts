import type { Cluster } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { countFlag, newNodePool, nodePoolResource } from "../nodepool/pools-api.ts";
import { clusterResource, newCluster } from "./clusters-api.ts";
import { parseTimeout, waitForCluster } from "./wait.ts";

/** Options of `seedbed cluster create`. */
export interface CreateClusterOptions extends GlobalOptions {
  readonly version?: string;
  readonly template?: string;
  readonly nodes?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** Creates a Cluster; with --wait, follows it until it is Ready. */
export async function createCluster(name: string, options: CreateClusterOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const timeoutMs = parseTimeout(options.timeout ?? "5m");
  const nodes = countFlag("--nodes", options.nodes);
  const spec: Partial<Cluster["spec"]> = {};
  if (options.version !== undefined) spec.version = options.version;
  if (options.template !== undefined) spec.template = options.template;
  let created: Cluster;
  try {
    created = (await ctx.objects.createNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, body: newCluster(ctx.namespace, name, spec) })) as Cluster;
  } catch (error) {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Cluster ${name} created in project ${ctx.project}.\n`);
  if (nodes !== undefined) {
    const pool = `${name}-workers`;
    try {
      await ctx.objects.createNamespacedCustomObject({ ...nodePoolResource, namespace: ctx.namespace, body: newNodePool(ctx.namespace, pool, name, { replicas: nodes }, created) });
    } catch (error) {
      throw explain(error, { kind: "nodepool", name: pool, project: ctx.project, server: ctx.server });
    }
    ctx.out.write(`Node pool ${pool} created with ${String(nodes)} machines; they join once the cluster runs.\n`);
  }
  if (options.wait !== true) return;
  const ready = await waitForCluster(ctx, name, "ready", timeoutMs);
  ctx.out.write(`Cluster ${name} is ready at ${ready?.status?.endpoint ?? "?"}. Its kubeconfig: seedbed kubeconfig ${name} --project ${ctx.project}\n`);
}
