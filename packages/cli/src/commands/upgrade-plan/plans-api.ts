import { apiVersion, group, upgradePlanKind, version, type UpgradePlan, type UpgradePlanSpec } from "@seedbed/api";
import { CliError, ExitCode } from "../../errors.ts";
import { offeredVersionFlag } from "../cluster/upgrade-check.ts";

/** The UpgradePlan resource's coordinates in the management API (cluster-scoped). */
export const upgradePlanResource = { group, version, plural: "upgradeplans" } as const;

/** The API path of the plans, for watches. */
export const upgradePlansPath = `/apis/${group}/${version}/upgradeplans`;

/** Flags of `seedbed upgrade plan create`. */
export interface CreatePlanOptions {
  readonly kubeconfig?: string;
  readonly version?: string;
  readonly selector?: string;
  /** Repeatable: the plan's spec.projects. */
  readonly project?: readonly string[];
  readonly canary?: string;
  readonly batchSize?: string;
  readonly soak?: string;
  readonly maxFailures?: string;
  readonly onFailure?: string;
  readonly paused?: boolean;
  readonly wait?: boolean;
  readonly timeout?: string;
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A label key: an optional DNS-subdomain prefix and a name of up to 63 characters; a value: up to 63, possibly empty.
const labelKeyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const durationPattern = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** The NAME of a plan command, or a usage error naming it. */
export function planNameArgument(value: string): string {
  const max = upgradePlanKind.name.maxLength;
  if (!namePattern.test(value) || value.length > max) {
    throw new CliError(`NAME must be at most ${String(max)} lowercase letters, digits and '-', starting and ending with a letter or digit (seedbed upgrade plan list shows the plans), got "${value}"`, ExitCode.usage);
  }
  return value;
}

/** --selector env=prod,tier=web as matchLabels, or a usage error naming the pair at fault. */
export function selectorFlag(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const [key = "", label, ...rest] = pair.trim().split("=");
    if (label === undefined || rest.length > 0 || !labelKeyPattern.test(key) || key.length > 317 || !labelValuePattern.test(label)) {
      throw new CliError(`--selector must be comma-separated label pairs key=value such as env=prod,tier=web (keys and values as Kubernetes labels allow), got "${pair}" in "${value}"`, ExitCode.usage);
    }
    labels[key] = label;
  }
  return labels;
}

/** --project, repeated: each a project's name. */
export function projectsFlag(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const project of values) {
    if (!namePattern.test(project) || project.length > 24) throw new CliError(`--project must be a project's name (lowercase letters, digits and '-', at most 24 characters; repeat the flag for several projects), got "${project}"`, ExitCode.usage);
  }
  return [...new Set(values)];
}

/** An integer flag within bounds, or a usage error naming it and the range. */
function integerFlag(flag: string, value: string | undefined, min: number, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new CliError(`${flag} must be a whole number from ${String(min)} to ${String(max)} (${what}), got "${value}"`, ExitCode.usage);
  return number;
}

/** --batch-size: "3" or "25%". */
export function batchSizeFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^[1-9][0-9]{0,3}$/.test(value) || /^([1-9][0-9]?|100)%$/.test(value)) return value;
  throw new CliError(`--batch-size must be a count of clusters per wave such as 3 (1 to 9999) or a percentage of the selected clusters such as 25% (1% to 100%), got "${value}"`, ExitCode.usage);
}

/** --soak: a duration such as 5m. */
export function soakFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (durationPattern.test(value)) return value;
  throw new CliError(`--soak must be a duration such as 30s, 5m or 1h30m (how long each upgraded cluster must stay healthy before the next wave), got "${value}"`, ExitCode.usage);
}

/** --on-failure: Halt or Rollback (any case). */
export function onFailureFlag(value: string | undefined): "Halt" | "Rollback" | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === "halt") return "Halt";
  if (lower === "rollback") return "Rollback";
  throw new CliError(`--on-failure must be Halt (leave a failed cluster as it is) or Rollback (roll it back to its version before the plan), got "${value}"`, ExitCode.usage);
}

/**
 * The UpgradePlan `seedbed upgrade plan create NAME …` creates, from its
 * flags alone (a usage error needs no management API). Flags left out
 * are left out of the spec: the CRD's defaults apply (canary 1, batch
 * 25%, soak 5m, maxFailures 1, onFailure Halt). Pure.
 */
export function newUpgradePlan(nameArgument: string, options: CreatePlanOptions): UpgradePlan {
  const name = planNameArgument(nameArgument);
  const { version: target } = offeredVersionFlag(options.version);
  const matchLabels = selectorFlag(options.selector);
  const projects = projectsFlag(options.project);
  const canary = integerFlag("--canary", options.canary, 0, 100, "clusters upgraded alone first; 0 for no canary");
  const batchSize = batchSizeFlag(options.batchSize);
  const soak = soakFlag(options.soak);
  const maxFailures = integerFlag("--max-failures", options.maxFailures, 1, 10000, "failed clusters after which the plan halts");
  const onFailure = onFailureFlag(options.onFailure);
  const spec = {
    version: target,
    ...(matchLabels === undefined ? {} : { clusterSelector: { matchLabels } }),
    ...(projects === undefined ? {} : { projects }),
    ...(canary === undefined ? {} : { canary }),
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(soak === undefined ? {} : { soak }),
    ...(maxFailures === undefined ? {} : { maxFailures }),
    ...(onFailure === undefined ? {} : { onFailure }),
    ...(options.paused === true ? { paused: true } : {}),
  } as UpgradePlanSpec;
  return { apiVersion, kind: "UpgradePlan", metadata: { name }, spec };
}
