import { Option, type Command } from "commander";
import type { CreatePlanOptions } from "./plans-api.ts";
import { createPlan, deletePlan, getPlan, listPlans, setPaused, type GetPlanOptions, type ListPlansOptions, type PlanOptions } from "./commands.ts";

/** The shared options program.ts makes, so that every command words them alike. */
export interface SharedOptions {
  readonly kubeconfig: () => Option;
  readonly output: () => Option;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `seedbed upgrade plan create|list|get|pause|resume|delete`: fleet
 * upgrades (UpgradePlans, cluster-scoped: platform admins only). `upgrade`
 * is a group of its own so that later fleet commands sit beside `plan`.
 */
export function addUpgradeCommands(root: Command, shared: SharedOptions): void {
  const upgrade = root.command("upgrade").description("upgrade many clusters at once (platform admins): UpgradePlans in waves with health gates; one cluster: seedbed cluster upgrade");
  const plan = upgrade.command("plan").description("create, follow, pause, resume and delete UpgradePlans: a canary, then batches, each soaking healthy before the next; halts after --max-failures");
  plan
    .command("create <name>")
    .description("create an UpgradePlan that moves the clusters it selects to a version, wave by wave, inside their maintenance windows")
    .option("--version <version>", "the Kubernetes version to move them to, e.g. 1.37 or 1.37.1 (one minor above theirs at most; clusters already there count as upgraded)")
    .option("--selector <labels>", "only clusters with these labels, e.g. env=prod,tier=web (default: every cluster)")
    .option("--project <name>", "only clusters of this project; repeat for several (default: every project)", collect)
    .option("--canary <count>", "clusters upgraded alone first, in wave 0 (0: no canary; default 1)")
    .option("--batch-size <size>", "clusters per wave after the canary: a count such as 3 or a percentage of the selected clusters such as 25% (default 25%)")
    .option("--soak <duration>", "how long each upgraded cluster must stay healthy before the next wave starts, e.g. 5m (default 5m)")
    .option("--max-failures <count>", "the plan halts once this many clusters failed (default 1)")
    .option("--on-failure <policy>", "Halt: leave a failed cluster as it is; Rollback: roll it back to its version before the plan (default Halt)")
    .option("--paused", "create it paused: nothing starts until seedbed upgrade plan resume NAME")
    .option("--wait", "follow the plan until it has completed (exits 8 if it halted)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90m or 6h", "6h")
    .addOption(shared.kubeconfig())
    .action((name: string, options: CreatePlanOptions) => createPlan(name, options));
  plan.command("list").alias("ls").description("list the upgrade plans: version, phase, wave and counts").addOption(shared.output()).addOption(shared.kubeconfig()).action((options: ListPlansOptions) => listPlans(options));
  plan
    .command("get <name>")
    .description("show a plan: phase, waves, and each selected cluster's state")
    .option("--watch", "then follow it until it has completed or halted (exits 8 if it halted)")
    .option("--timeout <duration>", "how long --watch follows, e.g. 90m or 6h", "6h")
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((name: string, options: GetPlanOptions) => getPlan(name, options));
  plan.command("pause <name>").description("start no new cluster (upgrades under way finish)").addOption(shared.kubeconfig()).action((name: string, options: PlanOptions) => setPaused(name, true, options));
  plan.command("resume <name>").description("let a paused plan go on").addOption(shared.kubeconfig()).action((name: string, options: PlanOptions) => setPaused(name, false, options));
  plan.command("delete <name>").description("delete a plan: no new cluster starts; upgrades it started finish on their own").addOption(shared.kubeconfig()).action((name: string, options: PlanOptions) => deletePlan(name, options));
}
