import type { Clock } from "../clock/clock.ts";

/**
 * Decides how long a key waits before it is retried, as client-go's
 * workqueue.RateLimiter does.
 */
export interface RateLimiter {
  /** The delay in milliseconds for the key's next retry; records the retry. */
  when(key: string): number;
  /** Forgets the key's history: its next retry starts from the base delay. */
  forget(key: string): void;
  /** How many retries the key has had since it was last forgotten. */
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base, 2×base, 4×base … capped at max. */
export class ExponentialFailureRateLimiter implements RateLimiter {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  /** client-go's defaults are 5 ms and 1000 s. */
  constructor(options: { readonly baseDelayMs?: number; readonly maxDelayMs?: number } = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  /** base × 2^(retries so far), capped at the maximum. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2 ** failures reaches Infinity for huge counts; Math.min caps it either way.
    return Math.min(this.#baseDelayMs * 2 ** failures, this.#maxDelayMs);
  }

  /** Resets the key's backoff. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Failures recorded since the last forget. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * One token bucket for all keys (golang.org/x/time/rate semantics): `burst`
 * retries pass at once, then they are spread at `qps`. It protects the API
 * server when many keys fail together, which per-key backoff alone does not.
 */
export class BucketRateLimiter implements RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /** client-go's defaults are 10 qps with a burst of 100. */
  constructor(clock: Clock, options: { readonly qps?: number; readonly burst?: number } = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    if (this.#qps <= 0 || this.#burst < 1) throw new Error(`qps must be > 0 and burst >= 1, got ${this.#qps} and ${this.#burst}`);
    this.#clock = clock;
    this.#tokens = this.#burst;
    this.#last = clock.now();
  }

  /**
   * Reserves a token: 0 while tokens remain, otherwise the time until the
   * reserved token will have been refilled. Tokens may go negative, so
   * each reservation queues behind the ones before it.
   */
  when(_key: string): number {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  /** Nothing per key to forget. */
  forget(_key: string): void {
    // The bucket is shared; a key's success does not refund tokens.
  }

  /** The bucket keeps no per-key count. */
  numRequeues(_key: string): number {
    return 0;
  }
}

/** The longest delay of several limiters, like client-go's MaxOfRateLimiter. */
export class MaxOfRateLimiter implements RateLimiter {
  readonly #limiters: readonly RateLimiter[];

  /** Asks every limiter each time, so each records the retry. */
  constructor(...limiters: RateLimiter[]) {
    this.#limiters = limiters;
  }

  /** The maximum of the limiters' delays. */
  when(key: string): number {
    let delay = 0;
    for (const limiter of this.#limiters) delay = Math.max(delay, limiter.when(key));
    return delay;
  }

  /** Forgets the key in every limiter. */
  forget(key: string): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  /** The highest count any limiter keeps. */
  numRequeues(key: string): number {
    let n = 0;
    for (const limiter of this.#limiters) n = Math.max(n, limiter.numRequeues(key));
    return n;
  }
}

/** Tunables of the default controller rate limiter. */
export interface RateLimitOptions {
  /** First retry delay of a key (default 5 ms), doubled on each failure. */
  readonly baseDelayMs?: number;
  /** Cap of a key's delay (default 1000 s). */
  readonly maxDelayMs?: number;
  /** Overall retries per second (default 10). */
  readonly qps?: number;
  /** Overall retries allowed at once (default 100). */
  readonly burst?: number;
}

/**
 * client-go's DefaultControllerRateLimiter: per-key exponential backoff
 * combined with an overall token bucket; the delay is the larger of the two.
 */
export function defaultControllerRateLimiter(clock: Clock, options: RateLimitOptions = {}): RateLimiter {
  return new MaxOfRateLimiter(
    new ExponentialFailureRateLimiter({ baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs }),
    new BucketRateLimiter(clock, { qps: options.qps, burst: options.burst }),
  );
}
