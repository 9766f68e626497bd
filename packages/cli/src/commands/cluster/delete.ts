import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { clusterResource } from "./clusters-api.ts";
import { parseTimeout, waitForCluster } from "./wait.ts";

/** Options of `seedbed cluster delete`. */
export interface DeleteClusterOptions extends GlobalOptions {
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** Deletes a cluster; with --wait, returns once its control plane and data are gone. */
export async function deleteCluster(name: string, options: DeleteClusterOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const timeoutMs = parseTimeout(options.timeout ?? "5m");
  try {
    await ctx.objects.deleteNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name });
  } catch (error) {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  }
  ctx.out.write(`Cluster ${name} is being deleted.\n`);
  if (options.wait !== true) return;
  await waitForCluster(ctx, name, "deleted", timeoutMs);
  ctx.out.write(`Cluster ${name} is gone.\n`);
}
