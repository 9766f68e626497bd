import { setTimeout as sleep } from "node:timers/promises";

/** What is waited for and until when. */
export interface WaitOptions {
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** Named in the error, e.g. "node seed-0 Ready". */
  readonly what: string;
  /** The last lines of these logs go into the error. */
  readonly logs?: () => string;
  readonly intervalMs?: number;
}

/**
 * Polls `condition` until it holds; errors of a try count as "not yet".
 * Past the deadline it throws, naming what was awaited, the last error and
 * the tail of the logs, so a failed start says why.
 */
export async function waitUntil(condition: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  let lastError: unknown;
  while (Date.now() < options.deadline) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 500);
  }
  const why = lastError === undefined ? "" : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
  const logs = options.logs?.().split("\n").slice(-60).join("\n") ?? "";
  throw new Error(`timed out waiting for ${options.what}${why}${logs === "" ? "" : `\n${logs}`}`);
}
