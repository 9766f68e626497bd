import type { Addon, ClusterTemplate } from "@seedbed/api";
import { CliError, ExitCode } from "../../errors.ts";

// The edits the REST API's add-on routes make too (upsertAddon,
// addonRemoval, addonsPatch) are @seedbed/api's; what is only the CLI's
// (its flags, set-values) is here.

/** A Helm chart as `addon enable` names it: where it is and what it is called. */
export interface ChartReference {
  readonly repository: string;
  readonly chart: string;
}

/** What `addon enable` asks for besides the add-on's name, from its flags alone. */
export interface EnableRequest {
  /** A Helm chart; absent for a built-in add-on or to keep the chart the add-on has. */
  readonly chart?: ChartReference;
  readonly version?: string;
  readonly namespace?: string;
  readonly values?: Record<string, unknown>;
  /** PEM of the CAs to trust for the chart's repository or registry (--ca-file). */
  readonly caBundle?: string;
}

/** Repository URLs the CRD accepts: a chart repository (https://, http://) or an OCI registry (oci://). */
const repositoryPattern = /^(https?|oci):\/\/[^\s/]+/;

/**
 * The chart of `--chart` (and `--repo`). With --repo, --chart is the
 * chart's name in that repository. Alone, --chart is the chart's full
 * address, URL/CHART: oci://ghcr.io/team/charts/podinfo, or
 * https://charts.example.com/podinfo for a classic repository (the last
 * segment is the chart, the rest the repository). A helm repo alias such
 * as bitnami/nginx lives in a user's own helm config, which the platform
 * cannot see. Pure.
 */
export function chartFlags(chart: string | undefined, repo: string | undefined): ChartReference | undefined {
  if (chart === undefined) {
    if (repo !== undefined) throw new CliError("--repo needs --chart: the chart's name in that repository", ExitCode.usage);
    return undefined;
  }
  if (repo !== undefined) {
    if (!repositoryPattern.test(repo)) throw new CliError(`--repo must be a chart repository URL (https://…) or an OCI registry path (oci://…), got "${repo}"`, ExitCode.usage);
    if (chart === "" || chart.includes("/")) throw new CliError(`with --repo, --chart is the chart's name in that repository (e.g. podinfo), got "${chart}"`, ExitCode.usage);
    return { repository: repo.replace(/\/+$/, ""), chart };
  }
  const at = chart.replace(/\/+$/, "").lastIndexOf("/");
  const repository = chart.slice(0, at);
  const name = chart.slice(at + 1).replace(/\/+$/, "");
  if (!repositoryPattern.test(chart) || !repositoryPattern.test(repository) || name === "") {
    throw new CliError(`--chart must be a chart's address, oci://REGISTRY/PATH/CHART or https://REPOSITORY/CHART, or a chart's name with --repo URL; got "${chart}" (a helm repo alias such as bitnami/nginx is your own helm's, unknown to the platform)`, ExitCode.usage);
  }
  return { repository, chart: name };
}

/** The entry of `name` in a list of add-ons. */
export function entryOf(addons: readonly Addon[] | undefined, name: string): Addon | undefined {
  return addons?.find((a) => a.name === name);
}

/** A Helm entry's chart settings (Addon["helm"], defined). */
type HelmChart = NonNullable<Addon["helm"]>;

/**
 * The chart `addon enable` writes: `chart` (the add-on's own when it is
 * left out), at --version (the version it has when the chart is the same
 * one), in the add-on's namespace unless --namespace moves it, with its
 * values unless given anew (those of another chart are dropped: they
 * belong to that chart). Pure.
 */
function enabledChart(current: HelmChart | undefined, request: EnableRequest): HelmChart {
  const chart = request.chart ?? current;
  const same = current !== undefined && chart !== undefined && current.repository === chart.repository && current.chart === chart.chart;
  const kept = same ? current : undefined;
  const version = request.version ?? kept?.version;
  if (chart === undefined || version === undefined) throw new CliError("--version is required with --chart: the chart's version to install, e.g. --version 6.9.0", ExitCode.usage);
  // The CRD's default, written out (the type of an entry as stored has it).
  const namespace = request.namespace ?? current?.namespace ?? "default";
  const values = request.values ?? kept?.values;
  // The CA belongs to where the chart comes from: kept for the same chart only, as the values are.
  const caBundle = request.caBundle ?? kept?.caBundle;
  return { repository: chart.repository, chart: chart.chart, version, namespace, ...(values === undefined ? {} : { values }), ...(caBundle === undefined ? {} : { caBundle }) };
}

/**
 * The entry `addon enable` writes. With a chart, or for an add-on that
 * has one (its own or its template's): that chart, as enabledChart says.
 * Without: a built-in add-on's entry, just enabled. Pure; `cluster` is
 * named in messages.
 */
export function enabledEntry(name: string, own: Addon | undefined, templates: Addon | undefined, request: EnableRequest, cluster: string): Addon {
  const current = (own ?? templates)?.helm;
  if (request.chart === undefined && current === undefined) {
    if (request.version !== undefined || request.namespace !== undefined || request.values !== undefined || request.caBundle !== undefined) {
      throw new CliError(`add-on ${name} of cluster ${cluster} has no Helm chart: --version, --namespace, --values and --ca-file go with one (--chart)`, ExitCode.usage);
    }
    return { ...(own ?? {}), name, enabled: true };
  }
  return { name, enabled: true, helm: enabledChart(current, request) };
}

/**
 * The entry `addon set-values` writes: the add-on's own Helm entry (or its
 * template's, copied into the cluster) with `values` in place of its
 * values; as enabled as it was. Pure; `cluster` is named in messages.
 */
export function withValues(name: string, own: Addon | undefined, templates: Addon | undefined, values: Record<string, unknown>, cluster: string): Addon {
  const base = own?.helm !== undefined ? own : own === undefined && templates?.helm !== undefined ? templates : undefined;
  if (base?.helm === undefined) {
    const hint = `values go to Helm add-ons: seedbed addon enable ${cluster} ${name} --chart URL/CHART --version V --values FILE`;
    if (own === undefined && templates === undefined) throw new CliError(`cluster ${cluster} has no add-on ${name}; ${hint}`, ExitCode.notFound);
    throw new CliError(`add-on ${name} of cluster ${cluster} is a built-in one, without a Helm chart; ${hint}`, ExitCode.invalid);
  }
  return { ...base, helm: { ...base.helm, values } };
}

/** The template's entry of `name`, if the cluster has a template that lists it. */
export function templateEntry(template: ClusterTemplate | undefined, name: string): Addon | undefined {
  return entryOf(template?.spec.addons, name);
}
