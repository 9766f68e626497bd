/** A Kubernetes version as MAJOR.MINOR[.PATCH] numbers; patch undefined when left out. */
interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number | undefined;
}

function parse(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: match[3] === undefined ? undefined : Number(match[3]) };
}

/**
 * Where a running version stands against a plan's target: "at" when it is
 * the target (a target without a patch is any patch of its minor),
 * "below" or "above" otherwise; "unknown" when either cannot be read (a
 * cluster that never ran). Pure.
 */
export function compareToTarget(target: string, running: string | undefined): "at" | "below" | "above" | "unknown" {
  const t = parse(target);
  const r = running === undefined ? undefined : parse(running);
  if (t === undefined || r === undefined) return "unknown";
  if (r.major !== t.major) return r.major < t.major ? "below" : "above";
  if (r.minor !== t.minor) return r.minor < t.minor ? "below" : "above";
  if (t.patch === undefined || r.patch === undefined || r.patch === t.patch) return "at";
  return r.patch < t.patch ? "below" : "above";
}

/** Whether `version` is the target (a target without a patch matches any patch of its minor). Pure. */
export function isTarget(target: string, version: string | undefined): boolean {
  return compareToTarget(target, version) === "at";
}
