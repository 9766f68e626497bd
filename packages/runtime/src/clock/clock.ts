/** A scheduled callback that can be cancelled before it runs. */
export interface Timer {
  /** Stops the callback from running; harmless after it ran. */
  cancel(): void;
}

/**
 * Time and timers, injected everywhere the runtime waits, so that unit
 * tests drive the queue, backoff and leader election with a fake clock
 * instead of sleeping (STYLE.md habit 6: explicit dependencies).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): Timer;
}

/** The real clock: `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback: () => void, delayMs: number): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * Resolves after `delayMs` on `clock`, or at once when `signal` is (or
 * becomes) aborted; never rejects, so loops check `signal.aborted` after it.
 */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
