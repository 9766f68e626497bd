import { CliError, ExitCode } from "../../errors.ts";

/** One requirement of a Kubernetes label selector. */
export type LabelRequirement =
  | { readonly key: string; readonly operator: "Exists" | "DoesNotExist" }
  | { readonly key: string; readonly operator: "=" | "!="; readonly value: string }
  | { readonly key: string; readonly operator: "in" | "notin"; readonly values: readonly string[] };

// A key: an optional DNS-subdomain prefix (at most 253 characters) and '/', then a name of at most 63; a value: at most 63, possibly empty.
const keyName = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const keyPrefix = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*";
const keyPattern = new RegExp(`^(?:(${keyPrefix})/)?${keyName}$`);
const valuePattern = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const forms = "key=value, key!=value, key in (a,b), key notin (a,b), key or !key, joined by commas, e.g. env=prod,region in (eu,us)";

/** Whether `key` is a label key Kubernetes accepts. */
export function isLabelKey(key: string): boolean {
  const match = keyPattern.exec(key);
  return match !== null && (match[1] ?? "").length <= 253;
}

/** Whether `value` is a label value Kubernetes accepts (empty included). */
export function isLabelValue(value: string): boolean {
  return valuePattern.test(value);
}

/** The selector's requirements, split at the commas outside parentheses. */
function requirementTexts(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i += 1) {
    const c = selector[i];
    if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    else if (c === "," && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

/** One requirement, or undefined when it has none of the forms. */
function requirementOf(text: string): LabelRequirement | undefined {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(text);
  if (set) {
    const values = (set[3] ?? "").split(",").map((v) => v.trim());
    if (values.some((v) => v === "" || !isLabelValue(v))) return undefined;
    return { key: set[1] ?? "", operator: set[2] === "in" ? "in" : "notin", values: [...new Set(values)] };
  }
  const compared = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (compared) {
    const value = compared[3] ?? "";
    return isLabelValue(value) ? { key: compared[1] ?? "", operator: compared[2] === "!=" ? "!=" : "=", value } : undefined;
  }
  const absent = /^!\s*(\S+)$/.exec(text);
  if (absent) return { key: absent[1] ?? "", operator: "DoesNotExist" };
  return /^\S+$/.test(text) ? { key: text, operator: "Exists" } : undefined;
}

/**
 * A label selector in Kubernetes' syntax (what kubectl -l takes), checked
 * here so that a typo is a usage error naming the requirement at fault
 * rather than the API server's 400. Pure.
 */
export function parseLabelSelector(selector: string, flag = "--selector"): LabelRequirement[] {
  if (selector.trim() === "") throw new CliError(`${flag} must not be empty: ${forms}`, ExitCode.usage);
  return requirementTexts(selector).map((text) => {
    const requirement = requirementOf(text);
    if (requirement === undefined) throw new CliError(`${flag}: "${text}" is not a label requirement; use ${forms}`, ExitCode.usage);
    if (!isLabelKey(requirement.key)) {
      throw new CliError(`${flag}: "${requirement.key}" in "${text}" is not a label key (an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`, ExitCode.usage);
    }
    return requirement;
  });
}

/** The requirements as the API's labelSelector parameter. Pure. */
export function selectorText(requirements: readonly LabelRequirement[]): string {
  return requirements
    .map((r) => {
      switch (r.operator) {
        case "Exists":
          return r.key;
        case "DoesNotExist":
          return `!${r.key}`;
        case "=":
        case "!=":
          return `${r.key}${r.operator}${r.value}`;
        default:
          return `${r.key} ${r.operator} (${r.values.join(",")})`;
      }
    })
    .join(",");
}

/** -L env,region (repeatable): the label keys shown as columns, in order, once each. */
export function labelColumnsFlag(values: readonly string[] | undefined): string[] {
  const keys = (values ?? []).flatMap((v) => v.split(",")).map((k) => k.trim()).filter((k) => k !== "");
  for (const key of keys) {
    if (!isLabelKey(key)) throw new CliError(`-L/--label-columns takes label keys separated by commas, e.g. env,region; "${key}" is not a label key`, ExitCode.usage);
  }
  return [...new Set(keys)];
}

/** A label column's header, as kubectl -L heads it: the key's name part, in capitals. */
export function labelColumnHeader(key: string): string {
  return (key.split("/").pop() ?? key).toUpperCase();
}

/** An object's cells of the label columns: its value of each key, empty when it has none. */
export function labelCells(labels: Readonly<Record<string, string>> | undefined, keys: readonly string[]): string[] {
  return keys.map((key) => labels?.[key] ?? "");
}

/** What `seedbed cluster label` changes: labels to set, and keys to remove (`key-`). */
export interface LabelChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

/** `key=value` and `key-` arguments, or a usage error naming the one at fault. Pure. */
export function labelChanges(args: readonly string[]): LabelChanges {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const arg of args) {
    const removal = arg.endsWith("-") && !arg.includes("=") ? arg.slice(0, -1) : undefined;
    const [key = "", value, ...rest] = removal === undefined ? arg.split("=") : [removal, undefined];
    const valid = isLabelKey(key) && (removal !== undefined || (value !== undefined && rest.length === 0 && isLabelValue(value)));
    if (!valid) throw new CliError(`"${arg}" is neither key=value (a label to set) nor key- (a label to remove); keys and values as Kubernetes labels allow, e.g. env=prod region-`, ExitCode.usage);
    if (key in set || remove.includes(key)) throw new CliError(`label ${key} is named twice; set or remove each label once`, ExitCode.usage);
    if (value === undefined) remove.push(key);
    else set[key] = value;
  }
  return { set, remove };
}
