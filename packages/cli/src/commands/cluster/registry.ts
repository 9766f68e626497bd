import { Option, type Command } from "commander";
import type { GlobalOptions } from "../../context.ts";
import { labelCluster } from "./label.ts";
import { listClustersCommand, type ListClustersOptions } from "./list.ts";

/** The shared options program.ts makes, so that every command words them alike. */
export interface SharedOptions {
  readonly kubeconfig: () => Option;
  readonly project: () => Option;
  readonly output: () => Option;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `seedbed cluster list [-l SELECTOR] [-L KEYS] [-A]` and `seedbed cluster
 * label NAME key=value key2-`: the cluster registry — Clusters and the
 * labels (env, region, team, …) ClusterPolicies and UpgradePlans select
 * them by.
 */
export function addClusterRegistryCommands(cluster: Command, shared: SharedOptions): void {
  cluster
    .command("list")
    .alias("ls")
    .description("list a project's clusters (-A: every project's), those a label selector matches, with label columns")
    .option("-l, --selector <selector>", "only clusters whose labels match, in Kubernetes' syntax: env=prod,region in (eu,us),!legacy")
    .option("-L, --label-columns <keys>", "show these labels as columns, e.g. env,region (repeatable)", collect)
    .option("-A, --all-projects", "every project's clusters you may list (a PROJECT column comes first)")
    .addOption(shared.project().conflicts("allProjects"))
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((options: ListClustersOptions) => listClustersCommand(options));
  cluster
    .command("label <name> <changes...>")
    .description("set (key=value) and remove (key-) a cluster's labels, e.g. seedbed cluster label web env=prod region=eu legacy-; other labels stay")
    .addOption(shared.project())
    .addOption(shared.kubeconfig())
    .action((name: string, changes: string[], options: GlobalOptions) => labelCluster(name, changes, options));
}
