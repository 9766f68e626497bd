import { addonRemoval, upsertAddon } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode } from "../../errors.ts";
import { outputFormat, printData, printTable } from "../../output.ts";
import { readAddonsCluster, updateAddons } from "./addons-api.ts";
import { chartFlags, enabledEntry, entryOf, withValues, type EnableRequest } from "./edit.ts";
import { addonLines, addonRows, addonTableHeader } from "./table.ts";
import { readCABundle, readValues } from "./values.ts";

/** A DNS-1123 label of at most 63 characters, as spec.addons[].name must be. */
const addonNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The add-on's name from the command line, or a usage error naming the form. */
export function addonNameArgument(name: string): string {
  if (!addonNamePattern.test(name) || name.length > 63) throw new CliError(`NAME must be an add-on's name (lowercase letters, digits and '-', at most 63 characters), got "${name}"`, ExitCode.usage);
  return name;
}

/** Options of `seedbed addon list`. */
export interface ListAddonsOptions extends GlobalOptions {
  readonly output?: string;
}

/** Lists a cluster's add-ons: what is installed (status.addons) and what is asked for but not yet (Pending). */
export async function listAddonsCommand(cluster: string, options: ListAddonsOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const lines = addonLines(await readAddonsCluster(ctx, cluster));
  if (format !== "table") {
    printData(ctx.out, format, { items: lines });
    return;
  }
  if (lines.length === 0) {
    ctx.out.write(`Cluster ${cluster} has no add-ons yet (the platform installs CoreDNS once it serves). Add one: seedbed addon enable ${cluster} metrics-server --project ${ctx.project}\n`);
    return;
  }
  printTable(ctx.out, addonTableHeader, addonRows(lines));
}

/** Options of `seedbed addon enable`. */
export interface EnableAddonOptions extends GlobalOptions {
  readonly chart?: string;
  readonly repo?: string;
  readonly version?: string;
  readonly namespace?: string;
  readonly values?: string;
  readonly caFile?: string;
}

/** What `addon enable` asks for, from its flags (and the --values file) alone: a usage error needs no management API. */
export function enableRequestOf(options: EnableAddonOptions): EnableRequest {
  const chart = chartFlags(options.chart, options.repo);
  return {
    ...(chart === undefined ? {} : { chart }),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.values === undefined ? {} : { values: readValues(options.values) }),
    ...(options.caFile === undefined ? {} : { caBundle: readCABundle(options.caFile) }),
  };
}

/** Turns a built-in add-on on, or adds (changes) a Helm chart: the entry of NAME in the cluster's spec.addons. */
export async function enableAddon(cluster: string, name: string, options: EnableAddonOptions, out?: NodeJS.WritableStream): Promise<void> {
  const addon = addonNameArgument(name);
  const request = enableRequestOf(options);
  const ctx = commandContext(options, out);
  await updateAddons(ctx, cluster, addon, ({ cluster: read, templates }) => {
    const entry = enabledEntry(addon, entryOf(read.spec.addons, addon), templates, request, cluster);
    return upsertAddon(read.spec.addons ?? [], entry);
  });
  ctx.out.write(`Add-on ${addon} of cluster ${cluster} enabled${request.chart === undefined ? "" : ` (chart ${request.chart.chart} from ${request.chart.repository})`}. Follow it: seedbed addon list ${cluster} --project ${ctx.project}\n`);
}

/** Takes an add-on away: a Helm entry is removed; a built-in (or a template's) stays as enabled: false, so that it is uninstalled and stays so. */
export async function disableAddon(cluster: string, name: string, options: GlobalOptions, out?: NodeJS.WritableStream): Promise<void> {
  const addon = addonNameArgument(name);
  const ctx = commandContext(options, out);
  const patched = await updateAddons(ctx, cluster, addon, ({ cluster: read, templates }) => {
    const change = addonRemoval(read.spec.addons ?? [], templates, addon);
    if (change === undefined) throw new CliError(`cluster ${cluster} has no add-on ${addon}: list them with seedbed addon list ${cluster} --project ${ctx.project}`, ExitCode.notFound);
    return change.addons;
  });
  ctx.out.write(
    entryOf(patched.spec.addons, addon) !== undefined
      ? `Add-on ${addon} of cluster ${cluster} disabled (enabled: false); it is uninstalled. Turn it on again: seedbed addon enable ${cluster} ${addon} --project ${ctx.project}\n`
      : `Add-on ${addon} removed from cluster ${cluster}; its release is uninstalled.\n`,
  );
}

/** Options of `seedbed addon set-values`. */
export interface SetValuesOptions extends GlobalOptions {
  readonly values: string;
}

/** Replaces a Helm add-on's values (YAML or JSON, from a file or standard input); the release is upgraded with them. */
export async function setAddonValues(cluster: string, name: string, options: SetValuesOptions, out?: NodeJS.WritableStream): Promise<void> {
  const addon = addonNameArgument(name);
  const values = readValues(options.values);
  const ctx = commandContext(options, out);
  await updateAddons(ctx, cluster, addon, ({ cluster: read, templates }) => upsertAddon(read.spec.addons ?? [], withValues(addon, entryOf(read.spec.addons, addon), templates, values, cluster)));
  ctx.out.write(`Values of add-on ${addon} of cluster ${cluster} set (${String(Object.keys(values).length)} top-level keys); its release is upgraded with them. Follow it: seedbed addon list ${cluster} --project ${ctx.project}\n`);
}
