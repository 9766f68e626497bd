import type { Command, Option } from "commander";
import { disableAddon, enableAddon, listAddonsCommand, setAddonValues, type EnableAddonOptions, type ListAddonsOptions, type SetValuesOptions } from "./commands.ts";
import type { GlobalOptions } from "../../context.ts";

/** The shared options program.ts makes, so that every command words them alike. */
export interface SharedOptions {
  readonly kubeconfig: () => Option;
  readonly project: () => Option;
  readonly output: () => Option;
}

/**
 * `seedbed addon list|enable|disable|set-values CLUSTER …`: a cluster's
 * add-ons (spec.addons, and what the add-on controller reports in
 * status.addons), edited through the management API as the user.
 */
export function addAddonCommands(root: Command, shared: SharedOptions): void {
  const addon = root.command("addon").alias("addons").description("list, enable and disable a cluster's add-ons (CoreDNS, metrics-server, dashboard, Helm charts) and set a chart's values");
  addon
    .command("list <cluster>")
    .alias("ls")
    .description("show a cluster's add-ons: what is installed (version, phase, ready, why not) and what is asked for but not installed yet (Pending)")
    .addOption(shared.project())
    .addOption(shared.output())
    .addOption(shared.kubeconfig())
    .action((cluster: string, options: ListAddonsOptions) => listAddonsCommand(cluster, options));
  addon
    .command("enable <cluster> <name>")
    .description("turn a built-in add-on on (coredns, metrics-server, dashboard), or install a Helm chart as add-on NAME (its release name); run again to change its chart, version or values")
    .option("--chart <chart>", "a Helm chart: its address, oci://REGISTRY/PATH/CHART or https://REPOSITORY/CHART; or its name with --repo")
    .option("--repo <url>", "the chart repository (https://…) or OCI registry path (oci://…) --chart is in")
    .option("--version <version>", "the chart's version (needed with a new --chart)")
    .option("--namespace <namespace>", "where the release goes (default: default)")
    .option("--values <file>", "the chart's values, YAML or JSON (- reads standard input)")
    .option("--ca-file <file>", "PEM of the CAs that sign the repository's or registry's TLS certificate (a private mirror), trusted instead of the system's")
    .addOption(shared.project())
    .addOption(shared.kubeconfig())
    .action((cluster: string, name: string, options: EnableAddonOptions) => enableAddon(cluster, name, options));
  addon
    .command("disable <cluster> <name>")
    .description("take an add-on away: a Helm add-on's entry is removed; a built-in one (the platform's CoreDNS too) or a template's stays with enabled: false; either way it is uninstalled")
    .addOption(shared.project())
    .addOption(shared.kubeconfig())
    .action((cluster: string, name: string, options: GlobalOptions) => disableAddon(cluster, name, options));
  addon
    .command("set-values <cluster> <name>")
    .description("replace a Helm add-on's values; its release is upgraded with them")
    .requiredOption("--values <file>", "the values, YAML or JSON (- reads standard input)")
    .addOption(shared.project())
    .addOption(shared.kubeconfig())
    .action((cluster: string, name: string, options: SetValuesOptions) => setAddonValues(cluster, name, options));
}
