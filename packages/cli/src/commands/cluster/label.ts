import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Cluster } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { clusterResource } from "./clusters-api.ts";
import { labelChanges, type LabelChanges } from "./selector.ts";

/** The merge patch of metadata.labels: values set, null for each key removed (RFC 7386). Pure. */
export function labelsPatch(changes: LabelChanges): { metadata: { labels: Record<string, string | null> } } {
  return { metadata: { labels: { ...changes.set, ...Object.fromEntries(changes.remove.map((key) => [key, null])) } } };
}

/** What `cluster label` says it did. Pure. */
export function labelSummary(name: string, changes: LabelChanges): string {
  const parts = [...Object.entries(changes.set).map(([k, v]) => `${k}=${v}`), ...changes.remove.map((k) => `${k} removed`)];
  return `Cluster ${name} labelled: ${parts.join(", ")}.`;
}

/**
 * `seedbed cluster label NAME key=value key2-`: sets and removes a
 * Cluster's labels with one merge patch (other labels stay as they are;
 * a removed label that is not there is no error). ClusterPolicies and
 * UpgradePlans select clusters by these labels; `cluster list -l` filters
 * and `-L` shows them.
 */
export async function labelCluster(name: string, args: readonly string[], options: GlobalOptions, out?: NodeJS.WritableStream): Promise<void> {
  const changes = labelChanges(args);
  const ctx = commandContext(options, out);
  const patched = (await ctx.objects
    .patchNamespacedCustomObject({ ...clusterResource, namespace: ctx.namespace, name, body: labelsPatch(changes) }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch))
    .catch((error: unknown) => {
      throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
    })) as Cluster;
  const labels = Object.entries(patched.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).sort();
  ctx.out.write(`${labelSummary(name, changes)} Its labels: ${labels.length === 0 ? "(none)" : labels.join(",")}\n`);
}
