// The pure side of the rotation benchmark: its flags, the figures read from
// the Clusters' rotation status, and the kinds of failure a client loop
// can meet while certificates change under it.
import type { Cluster } from "@seedbed/api";

/** A list of cluster counts such as "1,100": each a whole number of at least 1, or an error naming the flag. */
export function parseClusterCounts(text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const counts = parts.map(Number);
  if (parts.some((p) => p === "") || counts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--clusters must be one or more whole numbers of at least 1 separated by commas (e.g. 1,100), got ${JSON.stringify(text)}`);
  }
  return counts;
}

/** A whole-number flag of at least `min`, or an error naming the flag. */
export function parseWholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of at least ${String(min)}, got ${JSON.stringify(text)}`);
  return n;
}

/** The name of cluster `i` of a round of `count`: the round's size and a zero-padded index, so that rounds never share a name. */
export function roundClusterName(i: number, count: number): string {
  return `n${String(count)}-${String(i).padStart(String(Math.max(count - 1, 0)).length, "0")}`;
}

/** Whether a cluster's CA rotation that answered the annotation value `requested` has completed. */
export function rotationCompleted(cluster: Cluster, requested: string): boolean {
  const rotation = cluster.status?.certificates?.rotation;
  return rotation?.requested === requested && rotation.phase === "Completed";
}

/** Seconds between two ISO times, to a tenth; undefined when either is missing or unreadable. */
export function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  const a = Date.parse(from ?? "");
  const b = Date.parse(to ?? "");
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.round((b - a) / 100) / 10;
}

/**
 * The median and the largest of the clusters' rotation times (status
 * rotation.startedTime to completionTime), in seconds; null for none. A
 * cluster whose rotation has no completion time is left out. Pure.
 */
export function rotationSeconds(clusters: readonly Cluster[]): { p50: number | null; max: number | null } {
  const times = clusters
    .map((c) => secondsBetween(c.status?.certificates?.rotation?.startedTime, c.status?.certificates?.rotation?.completionTime))
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  if (times.length === 0) return { p50: null, max: null };
  const middle = Math.floor(times.length / 2);
  const p50 = times.length % 2 === 1 ? (times[middle] ?? 0) : ((times[middle - 1] ?? 0) + (times[middle] ?? 0)) / 2;
  return { p50: Math.round(p50 * 10) / 10, max: times.at(-1) ?? null };
}

/**
 * What a failed request says about its cause:
 * - trust: the client refused the server's certificate, or the server
 *   refused the client's credentials (401, or 403 without naming who the
 *   client is) — what a rotation must never cause;
 * - authorization: a 403 that names the user (so the credentials were
 *   accepted; not system:anonymous) but denies the request: what kube-apiserver answers in the
 *   moment after it starts, before its RBAC cache has synced;
 * - connection: no answer at all (refused, reset, timed out) — what a
 *   restart of the one kube-apiserver of a local cluster causes;
 * - other: any other answer (e.g. 500 or 503 while kube-apiserver starts).
 */
export type FailureKind = "trust" | "authorization" | "connection" | "other";

/** kube-apiserver's RBAC denial of an authenticated user: `… is forbidden: User "system:serviceaccount:ns:name" cannot get resource …` (system:anonymous: the credentials were not accepted). */
const authorizationPattern = /^HTTP 403 .*forbidden: User "(?!system:anonymous")[^"]+" cannot /;
const trustPattern = /certificate|self[- ]signed|verify|issuer|HTTP 40[13]|HTTP-Code: 40[13]|Unauthorized|Forbidden/i;
const connectionPattern = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|timed out|closed|disconnected/i;

/** The kind of one failure, from its message (see FailureKind). Pure. */
export function classifyFailure(why: string): FailureKind {
  if (authorizationPattern.test(why)) return "authorization";
  if (trustPattern.test(why)) return "trust";
  if (connectionPattern.test(why)) return "connection";
  return "other";
}

/** Failures counted by kind (see FailureKind). Pure. */
export function countFailures(failures: readonly { readonly why: string }[]): { failedRequests: number; connectionFailures: number; trustFailures: number; authorizationFailures: number; otherFailures: number } {
  const kinds = failures.map((f) => classifyFailure(f.why));
  const of = (kind: FailureKind): number => kinds.filter((k) => k === kind).length;
  return { failedRequests: failures.length, connectionFailures: of("connection"), trustFailures: of("trust"), authorizationFailures: of("authorization"), otherFailures: of("other") };
}

/**
 * How long each phase of a rotation lasted, in seconds, from the phases a
 * poller saw and when it first saw each: Preparing, Prepared and Completing
 * (Completed ends the last; repeated sightings of a phase count from the
 * first). Phases not seen are left out. Pure.
 */
export function phaseSeconds(seen: readonly { readonly phase: string; readonly atMs: number }[]): Record<string, number> {
  const changes = seen.filter((entry, i) => entry.phase !== seen[i - 1]?.phase);
  const out: Record<string, number> = {};
  for (const [i, entry] of changes.entries()) {
    const next = changes[i + 1];
    if (next === undefined || entry.phase === "Completed") continue;
    out[entry.phase] = Math.round((next.atMs - entry.atMs) / 100) / 10;
  }
  return out;
}

/** How many processes replaced the first of a series of pid sightings (a restart each), ignoring moments with none running. Pure. */
export function restarts(pidsSeen: readonly (readonly number[])[]): number {
  const distinct = new Set(pidsSeen.flat());
  return Math.max(0, distinct.size - 1);
}

/** A run of failures in a row with the same message. */
export interface FailureRun {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly why: string;
}

/** Failures in a row with the same message merged into one run each, in order: what the log shows. Pure. */
export function failureRuns(failures: readonly { readonly at: number; readonly why: string }[]): FailureRun[] {
  const runs: FailureRun[] = [];
  for (const f of failures) {
    const last = runs.at(-1);
    if (last?.why === f.why) runs[runs.length - 1] = { ...last, to: f.at, count: last.count + 1 };
    else runs.push({ from: f.at, to: f.at, count: 1, why: f.why });
  }
  return runs;
}

/** Seconds from the first to the last failure of each run of `kind`, summed: roughly how long the server was out of reach. Pure. */
export function failingSeconds(failures: readonly { readonly at: number; readonly why: string }[], kind: FailureKind): number {
  const ms = failureRuns(failures).filter((r) => classifyFailure(r.why) === kind).reduce((sum, r) => sum + (r.to - r.from), 0);
  return Math.round(ms / 100) / 10;
}
