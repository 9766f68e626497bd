import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { UpgradePlan } from "@seedbed/api";
import { commandContext, type CommandContext } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { outputFormat, printData, printTable } from "../../output.ts";
import { parseTimeout } from "../cluster/wait.ts";
import { newUpgradePlan, planNameArgument, upgradePlanResource, type CreatePlanOptions } from "./plans-api.ts";
import { followPlan } from "./wait.ts";
import { planDetails, planEnded, planRows, planTableHeader, specLine, summaryLine } from "./view.ts";

/** Options every plan command takes: plans are cluster-scoped, so no --project context. */
export interface PlanOptions {
  readonly kubeconfig?: string;
}

/** What `seedbed upgrade plan create` does, from its flags alone: a usage error needs no management API. Pure. */
export function createRequestOf(name: string, options: CreatePlanOptions): { plan: UpgradePlan; timeoutMs: number } {
  return { plan: newUpgradePlan(name, options), timeoutMs: parseTimeout(options.timeout ?? "6h") };
}

/** Connects as the caller; plans belong to no project. */
function context(options: PlanOptions, out?: NodeJS.WritableStream): CommandContext {
  return commandContext({ ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }) }, out);
}

/** explain(), with what a refusal means for a cluster-scoped kind only platform admins hold. */
function explainPlan(error: unknown, ctx: CommandContext, name?: string): CliError {
  const explained = explain(error, { kind: "upgrade plan", ...(name === undefined ? {} : { name }), server: ctx.server });
  if (explained.exitCode !== ExitCode.forbidden) return explained;
  return new CliError(`${explained.message}; UpgradePlans select clusters across projects, so only platform admins may create, change or read them`, ExitCode.forbidden);
}

/** Prints how a followed plan ended; a Halted plan is a failure (exit 8). */
function reportEnd(ctx: CommandContext, plan: UpgradePlan | undefined): void {
  if (plan === undefined) return;
  const ended = planEnded(plan);
  const ready = plan.status?.conditions?.find((c) => c.type === "Ready");
  if (ended === "Halted") throw new CliError(`upgrade plan ${plan.metadata.name ?? "?"} halted: ${ready?.message ?? "too many clusters failed"}; see seedbed upgrade plan get ${plan.metadata.name ?? ""}`, ExitCode.failed);
  ctx.out.write(`UpgradePlan ${plan.metadata.name ?? "?"} completed: ${ready?.message ?? summaryLine(plan)}\n`);
}

/** Creates an UpgradePlan; with --wait, follows it until it has completed or halted. */
export async function createPlan(name: string, options: CreatePlanOptions, out?: NodeJS.WritableStream): Promise<void> {
  const { plan, timeoutMs } = createRequestOf(name, options);
  const ctx = context(options, out);
  let created: UpgradePlan;
  try {
    // As stored: with the CRD's defaults for the flags left out.
    created = (await ctx.objects.createClusterCustomObject({ ...upgradePlanResource, body: plan })) as UpgradePlan;
  } catch (error) {
    throw explainPlan(error, ctx, plan.metadata.name);
  }
  ctx.out.write(`UpgradePlan ${plan.metadata.name ?? ""} created: moves ${specLine(created)} to ${plan.spec.version}.\n`);
  if (options.wait !== true) {
    ctx.out.write(`Follow it: seedbed upgrade plan get ${plan.metadata.name ?? ""} --watch\n`);
    return;
  }
  reportEnd(ctx, await followPlan(ctx, plan.metadata.name ?? "", timeoutMs));
}

/** Options of `seedbed upgrade plan list`. */
export interface ListPlansOptions extends PlanOptions {
  readonly output?: string;
}

/** Lists the plans: version, phase, wave and counts. */
export async function listPlans(options: ListPlansOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = context(options, out);
  const list = (await ctx.objects.listClusterCustomObject({ ...upgradePlanResource }).catch((error: unknown) => {
    throw explainPlan(error, ctx);
  })) as { items: UpgradePlan[] };
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: list.items });
    return;
  }
  if (list.items.length === 0) {
    ctx.out.write("No upgrade plans. Create one: seedbed upgrade plan create NAME --version 1.37 [--selector env=prod] [--canary 1] [--batch-size 25%]\n");
    return;
  }
  printTable(ctx.out, planTableHeader, planRows(list.items, new Date()));
}

/** Options of `seedbed upgrade plan get`. */
export interface GetPlanOptions extends PlanOptions {
  readonly output?: string;
  readonly watch?: boolean;
  readonly timeout?: string;
}

async function readPlan(ctx: CommandContext, name: string): Promise<UpgradePlan> {
  return (await ctx.objects.getClusterCustomObject({ ...upgradePlanResource, name }).catch((error: unknown) => {
    throw explainPlan(error, ctx, name);
  })) as UpgradePlan;
}

/** Shows a plan: phase, counts, condition, then each cluster by wave; with --watch, follows it until it ends. */
export async function getPlan(nameArgument: string, options: GetPlanOptions, out?: NodeJS.WritableStream): Promise<void> {
  const name = planNameArgument(nameArgument);
  const format = outputFormat(options.output);
  const timeoutMs = parseTimeout(options.timeout ?? "6h");
  const ctx = context(options, out);
  const plan = await readPlan(ctx, name);
  if (format !== "table") {
    printData(ctx.out, format, plan);
    return;
  }
  const details = planDetails(plan);
  ctx.out.write(`${details.lines.join("\n")}\n\n`);
  if (details.rows.length === 0) ctx.out.write("(no clusters recorded yet: the operator records the selection when the plan starts)\n");
  else printTable(ctx.out, details.header, details.rows);
  if (options.watch !== true) return;
  // Ended already: --watch still says how (a halted plan exits 8).
  if (planEnded(plan) !== undefined) {
    reportEnd(ctx, plan);
    return;
  }
  ctx.out.write("\n");
  reportEnd(ctx, await followPlan(ctx, name, timeoutMs));
}

/** Sets spec.paused: no new cluster starts while true (upgrades under way finish). */
export async function setPaused(nameArgument: string, paused: boolean, options: PlanOptions, out?: NodeJS.WritableStream): Promise<void> {
  const name = planNameArgument(nameArgument);
  const ctx = context(options, out);
  try {
    await ctx.objects.patchClusterCustomObject({ ...upgradePlanResource, name, body: { spec: { paused } } }, mergePatch());
  } catch (error) {
    throw explainPlan(error, ctx, name);
  }
  ctx.out.write(paused ? `UpgradePlan ${name} paused: no new cluster starts; upgrades under way finish. Resume: seedbed upgrade plan resume ${name}\n` : `UpgradePlan ${name} resumed.\n`);
}

/** Deletes a plan; upgrades it started go on (the Cluster reconciler carries them out). */
export async function deletePlan(nameArgument: string, options: PlanOptions, out?: NodeJS.WritableStream): Promise<void> {
  const name = planNameArgument(nameArgument);
  const ctx = context(options, out);
  try {
    await ctx.objects.deleteClusterCustomObject({ ...upgradePlanResource, name });
  } catch (error) {
    throw explainPlan(error, ctx, name);
  }
  ctx.out.write(`UpgradePlan ${name} deleted: no new cluster starts; upgrades it started finish on their own.\n`);
}

/** The options that make client-node send a JSON merge patch. */
function mergePatch(): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
}
