import { createHash } from "node:crypto";
import type { HelmChart } from "../catalog/types.ts";

// Bumped if what the digest covers changes, so old and new digests never meet by accident.
const digestFormat = "seedbed.dev/helm-release/v1";

/**
 * A sha256 (hex) of everything that decides what a release holds: where the
 * chart comes from, which version, the release's name and namespace, and
 * its values in canonical JSON (object keys sorted at every depth). The
 * reconciler stores it with the release and upgrades when it differs, so
 * the same values written in another key order never cause an upgrade.
 */
export function valuesDigest(chart: HelmChart): string {
  const covered = { repository: chart.repository, chart: chart.chart, version: chart.version, release: chart.release, namespace: chart.namespace, values: chart.values };
  return createHash("sha256").update(digestFormat).update("\n").update(canonicalJSON(covered)).digest("hex");
}

/**
 * JSON with the keys of every object sorted; arrays keep their order, which
 * means something. Entries whose value is undefined are left out, as
 * JSON.stringify leaves them out: helm never sees them either.
 */
export function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? "null" : canonicalJSON(item))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJSON(child)}`).join(",")}}`;
  }
  // Strings, numbers, booleans and null; a value JSON cannot carry (a function) is a bug upstream.
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError(`canonicalJSON: ${typeof value} is not a JSON value`);
  return json;
}
