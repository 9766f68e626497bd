import type { Addon, AddonStatus, Cluster } from "@seedbed/api";

/** The columns of `seedbed addon list`. */
export const addonTableHeader = ["NAME", "SOURCE", "VERSION", "PHASE", "READY", "MESSAGE"] as const;

/**
 * One add-on of a cluster as `addon list` shows it (and prints with -o
 * json|yaml), in the same shape as the REST API's GET …/addons: the
 * controller's phase once it has acted, else Pending (asked for, not
 * installed yet) or Disabled (enabled: false, not installed).
 */
export interface AddonLine {
  readonly name: string;
  readonly source: AddonStatus["source"];
  readonly phase: AddonStatus["phase"] | "Pending" | "Disabled";
  readonly ready: boolean;
  /** The cluster's own entry in spec.addons (absent for the platform's CoreDNS, a template's, the CNI). */
  readonly spec?: Addon;
  /** The add-on controller's entry in status.addons (absent until it has acted). */
  readonly status?: AddonStatus;
}

/**
 * A cluster's add-ons: status.addons (what is installed, whoever asked for
 * it), and the entries of spec.addons not in it yet, by name. Pure.
 */
export function addonLines(cluster: Cluster): AddonLine[] {
  const specs = new Map((cluster.spec.addons ?? []).map((a) => [a.name, a]));
  const statuses = new Map((cluster.status?.addons ?? []).map((a) => [a.name, a]));
  return [...new Set([...specs.keys(), ...statuses.keys()])].sort().map((name) => {
    const spec = specs.get(name);
    const status = statuses.get(name);
    return {
      name,
      source: status?.source ?? (spec?.helm === undefined ? "BuiltIn" : "Helm"),
      phase: status?.phase ?? (spec?.enabled === false ? "Disabled" : "Pending"),
      ready: status?.ready ?? false,
      ...(spec === undefined ? {} : { spec }),
      ...(status === undefined ? {} : { status }),
    };
  });
}

/** A message on one line of the table: the first line of a long helm error, cut at `max` characters. */
export function oneLine(message: string | undefined, max = 100): string {
  const first = (message ?? "").trim().split("\n")[0] ?? "";
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/** The rows of `seedbed addon list`. Pure. */
export function addonRows(lines: readonly AddonLine[]): string[][] {
  return lines.map((line) => [
    line.name,
    line.source,
    line.status?.version ?? line.spec?.helm?.version ?? "",
    line.phase,
    line.phase === "Disabled" ? "-" : line.ready ? "True" : "False",
    oneLine(line.status?.message ?? (line.phase === "Pending" ? "not installed yet" : "")),
  ]);
}
