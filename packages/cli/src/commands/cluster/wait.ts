import type { Cluster } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { clustersPath } from "./clusters-api.ts";
import { isReady, newProgress, progressLines, terminalFailure } from "./progress.ts";
import { watchOne } from "../watch-one.ts";

/** What to wait for. */
export type WaitGoal = "ready" | "deleted";

/**
 * Watches one Cluster, printing each change of phase and conditions, until
 * it is Ready (or gone, for "deleted"). Fails with a timeout, or at once
 * when the cluster reports a terminal failure.
 */
export async function waitForCluster(ctx: CommandContext, name: string, goal: WaitGoal, timeoutMs: number): Promise<Cluster | undefined> {
  const state = newProgress();
  return watchOne<Cluster>(ctx, {
    path: clustersPath(ctx.namespace),
    name,
    kind: "cluster",
    timeoutMs,
    timeoutMessage: `gave up waiting for cluster ${name} after ${Math.round(timeoutMs / 1000)} s; it goes on in the background: seedbed cluster get ${name} --project ${ctx.project}`,
    onEvent: (type, object, { resolve, reject }) => {
      for (const line of progressLines(state, object)) ctx.out.write(`${line}\n`);
      if (type === "DELETED") {
        if (goal === "deleted") resolve(undefined);
        else reject(new CliError(`cluster ${name} was deleted while we waited`, ExitCode.failed));
        return;
      }
      const failure = terminalFailure(object);
      if (goal === "ready" && failure !== undefined) reject(new CliError(`cluster ${name} cannot be created: ${failure}`, ExitCode.failed));
      else if (goal === "ready" && isReady(object)) resolve(object);
    },
    ...(goal === "deleted"
      ? { exists: () => ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).then(() => true, () => false) }
      : {}),
  });
}

/** Parses a --timeout such as "90s", "5m" or "1h". */
export function parseTimeout(value: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(value);
  if (!match) throw new CliError(`--timeout must look like 90s, 5m or 1h, got "${value}"`, ExitCode.usage);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}
