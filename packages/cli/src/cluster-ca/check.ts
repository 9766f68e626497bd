import { readCAState, writeCAState, type CAFileState } from "./files.ts";
import { caCheckIntervalMs, checkDue } from "./plan.ts";
import type { TokenTarget } from "./target.ts";

/** Why the plugin did not read the cluster's CA, or what came of it. */
export type CACheckOutcome = "not-ours" | "not-due" | "no-session" | "other-platform" | "unchanged" | "refreshed" | "failed";

/** What the plugin needs to keep a CA file current. */
export interface CACheckOptions {
  readonly target: TokenTarget;
  /** The user's ID token, just obtained for kubectl: the plugin reads the Cluster with it. */
  readonly token: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Best effort, never throws: reads the cluster's status.certificateAuthority
 * and rewrites the target's CA file when it differs (see refresh.ts), at
 * most once per interval. The check's time is written before the read, so
 * concurrent kubectl runs, and runs while the management API is down,
 * skip it instead of each waiting for the timeout. Only a file with this
 * CLI's state beside it, for this project and cluster, is ever written.
 */
export async function keepClusterCACurrent(options: CACheckOptions): Promise<CACheckOutcome> {
  const now = options.now ?? new Date();
  try {
    const state = readCAState(options.target.caFile);
    if (state === undefined || state.project !== options.target.project || state.cluster !== options.target.cluster) return "not-ours";
    if (!checkDue(state.checkedAt, now, options.intervalMs ?? caCheckIntervalMs)) return "not-due";
    const claimed: CAFileState = { ...state, checkedAt: now.toISOString() };
    writeCAState(options.target.caFile, claimed);
    // Loaded only when a check is due: YAML, HTTPS and, on a change, the ledger code.
    const { refreshClusterCA } = await import("./refresh.ts");
    return await refreshClusterCA({ ...options, state: claimed, now });
  } catch {
    // The token is what kubectl needs; the CA file stays as it was.
    return "failed";
  }
}
