import type { Clock, Timer } from "@seedbed/runtime";

/** What one pass is asked to do. */
export interface PassRequest {
  /** Every policy of the ClusterSync (its spec changed, or first pass). */
  readonly all: boolean;
  /** Policy uids (selected or being pruned) to go over. */
  readonly uids: ReadonlySet<string>;
}

/** How the scheduler runs passes. */
export interface SchedulerOptions {
  readonly clock: Clock;
  /** Quiet time after the last mark before a pass starts: a burst of events makes one pass. */
  readonly debounceMs: number;
  readonly run: (request: PassRequest) => Promise<void>;
  /** First retry delay (default 1 s), doubled per failure up to `maxRetryMs` (default 60 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

/**
 * One pass at a time, merging everything marked meanwhile into the next
 * one (as controller-runtime's queue merges keys), with a per-key retry
 * backoff. Timers exist only while something is due: an idle agent has none.
 */
export class PassScheduler {
  readonly #options: SchedulerOptions;
  #all = false;
  #marked = false;
  readonly #uids = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #retryAt = new Map<string, number>();
  #debounce: Timer | undefined;
  #retryTimer: Timer | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #idleWaiters = new Set<() => void>();

  /** Nothing runs until something is marked. */
  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Asks for a pass over every policy. */
  markAll(): void {
    this.#all = true;
    this.#mark();
  }

  /** Asks for a pass over one policy (a uid), or only for status ("" or no uid). */
  mark(uid?: string): void {
    if (uid) this.#uids.add(uid);
    this.#mark();
  }

  /** A key failed: mark it again after its backoff. */
  failed(key: string): void {
    if (this.#stopped) return;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = Math.min((this.#options.retryMs ?? 1000) * 2 ** (failures - 1), this.#options.maxRetryMs ?? 60_000);
    this.#retryAt.set(key, this.#options.clock.now() + delay);
    this.#armRetry();
  }

  /** A key succeeded: its backoff starts over and no retry is due. */
  succeeded(key: string): void {
    this.#failures.delete(key);
    if (this.#retryAt.delete(key)) this.#armRetry();
  }

  /** Keys waiting for a retry. */
  retrying(): number {
    return this.#retryAt.size;
  }

  /** Resolves once no pass runs or is waiting to (retries due later do not count). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.add(resolve));
  }

  /** Cancels timers and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#debounce?.cancel();
    this.#debounce = undefined;
    this.#retryTimer?.cancel();
    this.#retryTimer = undefined;
    await this.#running;
    this.#settle();
  }

  #mark(): void {
    this.#marked = true;
    if (this.#stopped || this.#running || this.#debounce) return;
    this.#debounce = this.#options.clock.setTimeout(() => {
      this.#debounce = undefined;
      this.#running = this.#loop().finally(() => {
        this.#running = undefined;
        if (this.#marked && !this.#stopped) this.#mark();
        else this.#settle();
      });
    }, this.#options.debounceMs);
  }

  async #loop(): Promise<void> {
    const request: PassRequest = { all: this.#all, uids: new Set(this.#uids) };
    this.#all = false;
    this.#marked = false;
    this.#uids.clear();
    try {
      await this.#options.run(request);
    } catch {
      // The pass reports its own failures (per key, through failed()); nothing escapes to spin here.
    }
  }

  #armRetry(): void {
    this.#retryTimer?.cancel();
    this.#retryTimer = undefined;
    if (this.#stopped || this.#retryAt.size === 0) return;
    const next = Math.min(...this.#retryAt.values());
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      const now = this.#options.clock.now();
      for (const [key, at] of this.#retryAt) {
        if (at > now) continue;
        this.#retryAt.delete(key);
        this.mark(key);
      }
      this.#armRetry();
    }, Math.max(0, next - this.#options.clock.now()));
  }

  #isIdle(): boolean {
    return this.#stopped || (!this.#running && !this.#debounce && !this.#marked);
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters) resolve();
    this.#idleWaiters.clear();
  }
}
