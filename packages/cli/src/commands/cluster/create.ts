import type { Cluster } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { countFlag, newNodePool, nodePoolResource } from "../nodepool/pools-api.ts";
import { clusterResource, newCluster } from "./clusters-api.ts";
import { parseTimeout, waitForCluster } from "./wait.ts";

/** Options of `seedbed cluster create`. */
export interface CreateClusterOptions extends GlobalOptions {
  readonly version?: string;
  readonly template?: string;
  /** spec.seed: the Seed to host the control plane. */
  readonly seed?: string;
  /** spec.seedSelector.region: the platform chooses a Seed of this region. */
  readonly region?: string;
  readonly nodes?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** The spec `seedbed cluster create` asks for: only what its flags set, the rest left to the template and the platform. */
export function clusterSpecOf(options: Pick<CreateClusterOptions, "version" | "template" | "seed" | "region">): Partial<Cluster["spec"]> {
  // Commander refuses the two together; this is for callers that are not the command line.
  if (options.seed !== undefined && options.region !== undefined) throw new CliError("--seed and --region cannot be used together: name one Seed with --seed, or a region with --region and the platform chooses a Seed there", ExitCode.usage);
  return {
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.template === undefined ? {} : { template: options.template }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.region === undefined ? {} : { seedSelector: { region: options.region } }),
  };
}

/** Creates a Cluster; with --wait, follows it until it is Ready. */
export async function createCluster(name: string, options: CreateClusterOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const timeoutMs = parseTimeout(options.timeout ?? "5m");
  const nodes = countFlag("--nodes", options.nodes);
  const spec = clusterSpecOf(options);
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
