import { setTimeout as sleep } from "node:timers/promises";

/** How long and how often to poll. */
export interface EventuallyOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the error, so a failure says what was awaited. */
  readonly description?: string;
}

/**
 * Reads until `done` holds and returns that value, or fails after the
 * timeout with the last value seen: the bounded wait integration tests use
 * to assert eventual state.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 250);
  }
  const lastJSON = JSON.stringify(last) as string | undefined;
  const seen = lastError === undefined ? `last value: ${(lastJSON ?? "none").slice(0, 2000)}` : `last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
  throw new Error(`${options.description ?? "condition"} not met within ${timeoutMs} ms; ${seen}`);
}
