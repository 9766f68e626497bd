/**
 * True when `live` has every field `desired` sets, with the same value: the
 * test that decides whether an apply is needed at all. Fields only `live`
 * has (server defaults, status, other managers' fields) do not count. A
 * list must have the same length and each item must hold its counterpart
 * (lists a policy sets are atomic or keyed by position in what it renders).
 * An empty list or map in `desired` matches a missing one, as the API
 * server often drops empty collections.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null) return live === null || live === undefined;
  if (Array.isArray(desired)) {
    if (live === undefined || live === null) return desired.length === 0;
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((item, index) => isSubset(item, live[index]));
  }
  if (typeof desired === "object") {
    const entries = Object.entries(desired);
    if (live === undefined || live === null) return entries.length === 0;
    if (typeof live !== "object" || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return entries.every(([key, value]) => isSubset(value, liveRecord[key]));
  }
  return desired === live;
}
