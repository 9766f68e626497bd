import { Option, type Command } from "commander";
import { getPolicyCommand, listPoliciesCommand, policyStatusCommand, type ListPoliciesOptions, type PolicyOptions } from "./commands.ts";

/** The shared options program.ts makes, so that every command words them alike. */
export interface SharedOptions {
  readonly kubeconfig: () => Option;
  readonly project: () => Option;
  readonly output: () => Option;
}

const platformOption = (): Option => new Option("--platform", "a platform-wide policy (namespace seedbed-system) instead of a project's").conflicts("project");

/**
 * `seedbed policy list|get|status`: ClusterPolicies (namespaces, RBAC and
 * manifests kept on the clusters a selector matches) and how each stands
 * on every cluster it selects. Policies are written as YAML and applied
 * with kubectl (the README has an example); these commands read.
 */
export function addPolicyCommands(root: Command, shared: SharedOptions): void {
  const policy = root.command("policy").alias("policies").description("list ClusterPolicies and show how each stands on the clusters it selects");
  policy
    .command("list")
    .alias("ls")
    .description("list a project's ClusterPolicies (--platform: the platform's; -A: all you may list): selected, in sync, conflicted and failed clusters, phase")
    .option("-A, --all-namespaces", "every namespace you may list: projects' and the platform's")
    .addOption(shared.project())
    .addOption(platformOption())
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((options: ListPoliciesOptions) => listPoliciesCommand(options));
  policy
    .command("get <name>")
    .description("show a policy: its selectors, what it keeps, its conflict rules and prune choice, phase and counts (-o yaml: the object)")
    .addOption(shared.project())
    .addOption(platformOption())
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((name: string, options: PolicyOptions) => getPolicyCommand(name, options));
  policy
    .command("status <name>")
    .description("show how a policy stands: counts, the worst-off clusters, and each cluster's state, objects and problems as its agent reports them")
    .addOption(shared.project())
    .addOption(platformOption())
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((name: string, options: PolicyOptions) => policyStatusCommand(name, options));
}
