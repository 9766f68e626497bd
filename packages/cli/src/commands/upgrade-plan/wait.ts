import type { UpgradePlan } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { watchOne } from "../watch-one.ts";
import { upgradePlansPath } from "./plans-api.ts";
import { changedClusters, planEnded, summaryLine } from "./view.ts";

/**
 * Follows a plan, printing its phase and counts and each cluster whose
 * state changed, until it has ended (Completed, or Halted with nothing
 * still upgrading). Fails with a timeout, or when the plan is deleted.
 */
export async function followPlan(ctx: CommandContext, name: string, timeoutMs: number): Promise<UpgradePlan | undefined> {
  let last: UpgradePlan | undefined;
  let printed: string | undefined;
  return watchOne<UpgradePlan>(ctx, {
    path: upgradePlansPath,
    name,
    kind: "upgrade plan",
    timeoutMs,
    timeoutMessage: `gave up waiting for upgrade plan ${name} after ${String(Math.round(timeoutMs / 1000))} s; it goes on in the background: seedbed upgrade plan get ${name}`,
    onEvent: (type, plan, { resolve, reject }) => {
      if (type === "DELETED") {
        reject(new CliError(`upgrade plan ${name} was deleted while we waited`, ExitCode.failed));
        return;
      }
      const line = summaryLine(plan);
      if (line !== printed) {
        printed = line;
        ctx.out.write(`${line}\n`);
      }
      for (const change of changedClusters(last, plan)) ctx.out.write(`${change}\n`);
      last = plan;
      if (planEnded(plan) !== undefined) resolve(plan);
    },
  });
}
