import type { Clock, Timer } from "./clock.ts";

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when a test says so. Timers due at the same
 * instant run in the order they were scheduled, as Node's do.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Scheduled[] = [];

  /** Starts at `startMs` (default: a fixed instant, so runs are reproducible). */
  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.#now = startMs;
  }

  /** The fake time in milliseconds since the epoch. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at now + delayMs of fake time. */
  setTimeout(callback: () => void, delayMs: number): Timer {
    const entry: Scheduled = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback, cancelled: false };
    this.#timers.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** How many timers are waiting to run. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the
   * way, each at its own instant (a timer scheduled by a timer runs too if
   * it falls inside the window).
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let next = this.#nextDue(target); next; next = this.#nextDue(target)) {
      this.#now = Math.max(this.#now, next.at);
      next.cancelled = true;
      next.callback();
    }
    this.#now = target;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
  }

  /**
   * Like `advance`, but lets promise callbacks and I/O callbacks run after
   * each timer, for code that awaits between timers.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (let next = this.#nextDue(target); next; next = this.#nextDue(target)) {
      this.#now = Math.max(this.#now, next.at);
      next.cancelled = true;
      next.callback();
      await flush();
    }
    this.#now = target;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
  }

  #nextDue(target: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets every queued promise callback run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
