import { policyNameAnnotation, policyUIDLabel } from "@seedbed/api";
import { isSubset } from "./compare.ts";
import type { ConflictRules, TenantObject } from "./render.ts";

/** What an object in the tenant looks like to the decision: its labels, annotations and fields. */
export interface LiveObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** What to do with one desired object. */
export type Decision =
  /** As the policy says already: no request. */
  | { readonly action: "none" }
  /** Server-side apply, taking fields over from other managers when `force`. */
  | { readonly action: "apply"; readonly force: boolean; readonly adopt: boolean }
  /** Leave it and report why. */
  | { readonly action: "conflict"; readonly message: string };

/** Everything the decision depends on. */
export interface DecisionInput {
  readonly desired: TenantObject;
  readonly rules: ConflictRules;
  /** The object as it is in the tenant; undefined when absent. */
  readonly live: LiveObject | undefined;
  readonly policyUID: string;
  /** `<namespace>/<name>` of the policy. */
  readonly policyName: string;
}

/**
 * The conflict table: an absent object is created; one of ours is applied
 * only when a field differs (forcing when changed is Overwrite); one
 * another policy keeps is never touched; one nobody's policy made is
 * adopted or reported as `existing` says.
 */
export function decide(input: DecisionInput): Decision {
  const { desired, rules, live, policyUID, policyName } = input;
  const force = rules.changed === "Overwrite";
  if (live === undefined) return { action: "apply", force, adopt: false };
  const owner = live.metadata?.labels?.[policyUIDLabel];
  if (owner === policyUID) return isSubset(desired, live) ? { action: "none" } : { action: "apply", force, adopt: false };
  if (owner !== undefined) {
    const keeper = live.metadata?.annotations?.[policyNameAnnotation] ?? `with uid ${owner}`;
    return { action: "conflict", message: `kept by policy ${keeper}` };
  }
  if (rules.existing === "Report") {
    return { action: "conflict", message: `exists and was not made by policy ${policyName}; set conflicts.existing: Adopt to take it over` };
  }
  return { action: "apply", force, adopt: true };
}

/**
 * The message of a 409 from a server-side apply: which managers hold which
 * fields, and the fix. `status` is the API's Status body.
 */
export function fieldConflictMessage(status: unknown): string {
  const body = status as { message?: unknown; details?: { causes?: { message?: unknown; field?: unknown }[] } } | undefined;
  const causes = (body?.details?.causes ?? [])
    .map((cause) => [typeof cause.message === "string" ? cause.message : "", typeof cause.field === "string" ? `at ${cause.field}` : ""].filter((part) => part !== "").join(" "))
    .filter((text) => text !== "");
  const detail = causes.length > 0 ? causes.join("; ") : typeof body?.message === "string" ? body.message : "fields owned by another manager";
  return truncate(`changed by someone else (${detail}); set conflicts.changed: Overwrite to set them back`, 1024);
}

/** `text`, cut to `max` characters (the API's limit on a problem message). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
