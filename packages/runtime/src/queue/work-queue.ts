import { systemClock, type Clock, type Timer } from "../clock/clock.ts";
import { DelayHeap } from "./delay-heap.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.ts";

/** What the queue reports, for metrics; every method is called synchronously. */
export interface QueueMetrics {
  /** The number of keys ready to be handed out, after each change. */
  depth(keys: number): void;
  /** A key entered the queue (adds merged into a queued key are not counted). */
  added(): void;
  /** Seconds a key waited between being added and being handed out. */
  queueLatency(seconds: number): void;
  /** Seconds between handing a key out and `done`. */
  workDuration(seconds: number): void;
  /** A rate-limited retry was scheduled. */
  retry(): void;
}

/** Dependencies of a queue. */
export interface WorkQueueOptions {
  readonly clock?: Clock;
  /** Used by `addRateLimited`; client-go's default controller limiter when absent. */
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: QueueMetrics;
}

/**
 * A work queue with client-go's semantics, written by us on purpose
 * (STYLE.md): a key added several times before it is handed out is handed
 * out once; a key being processed is never handed to a second worker — if
 * it is added meanwhile, it is queued again when `done` is called; keys can
 * be added after a delay or with per-key backoff.
 *
 * One departure from client-go: after `shutDown`, `get` resolves
 * `undefined` at once instead of draining what is queued. Work is
 * level-triggered, so whatever is left is found again by the next process
 * or leader, and stopping does not wait on a backlog.
 */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter;
  readonly #metrics: QueueMetrics | undefined;
  // FIFO of ready keys: an array with a moving head, since Array#shift is O(n).
  #queue: string[] = [];
  #head = 0;
  /** Keys that need processing: queued, or added again while processing. */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #addedAt = new Map<string, number>();
  readonly #startedAt = new Map<string, number>();
  #getters: ((key: string | undefined) => void)[] = [];
  #drainers: (() => void)[] = [];
  // Delayed keys: the earliest ready time per key, and a heap to find the next.
  readonly #waiting = new Map<string, number>();
  readonly #heap = new DelayHeap();
  #seq = 0;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #shuttingDown = false;

  /** A queue using the given clock, rate limiter and metrics. */
  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.#clock);
    this.#metrics = options.metrics;
  }

  /** The number of keys ready to be handed out (not those processing or delayed). */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** True once `shutDown` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again on `done`. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#metrics?.added();
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /**
   * Resolves with the next key, waiting until there is one, or with
   * `undefined` once the queue shuts down. The caller owns the key until it
   * calls `done(key)`.
   */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.length > 0) return Promise.resolve(this.#take());
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return;
    const started = this.#startedAt.get(key);
    this.#startedAt.delete(key);
    if (started !== undefined) this.#metrics?.workDuration((this.#clock.now() - started) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
    if (this.#processing.size === 0 && this.#shuttingDown) this.#resolveDrainers();
  }

  /**
   * Adds `key` after `delayMs`. A key already waiting keeps the earlier of
   * its two ready times, so repeated requeues do not push it back.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + delayMs;
    const current = this.#waiting.get(key);
    if (current !== undefined && current <= readyAt) return;
    this.#waiting.set(key, readyAt);
    this.#heap.push({ key, readyAt, seq: this.#seq++ });
    this.#schedule();
  }

  /** Adds `key` after the delay its rate limiter decides (backoff for failures). */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retry();
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /** Resets `key`'s backoff; call it when the key was processed successfully. */
  forget(key: string): void {
    this.#rateLimiter.forget(key);
  }

  /** How many rate-limited retries `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#rateLimiter.numRequeues(key);
  }

  /** Stops handing out keys: pending and future `get`s resolve `undefined`; delayed keys are dropped. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#waiting.clear();
    this.#heap.clear();
    const getters = this.#getters;
    this.#getters = [];
    for (const resolve of getters) resolve(undefined);
  }

  /** Shuts down and resolves once every key handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }

  #push(key: string): void {
    const getter = this.#getters.shift();
    if (getter) {
      // A worker is waiting: hand the key over directly, never via the FIFO.
      this.#queue.push(key);
      getter(this.#take());
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.length);
  }

  #take(): string {
    const key = this.#queue[this.#head] as string;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const now = this.#clock.now();
    this.#processing.add(key);
    this.#dirty.delete(key);
    const added = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (added !== undefined) this.#metrics?.queueLatency((now - added) / 1000);
    this.#startedAt.set(key, now);
    this.#metrics?.depth(this.length);
    return key;
  }

  /** Keeps exactly one timer, set for the earliest delayed key. */
  #schedule(): void {
    let top = this.#heap.peek();
    // Entries superseded by an earlier ready time for the same key are stale.
    while (top && this.#waiting.get(top.key) !== top.readyAt) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    if (!top) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#timerAt = Infinity;
      return;
    }
    if (this.#timer && this.#timerAt === top.readyAt) return;
    this.#timer?.cancel();
    this.#timerAt = top.readyAt;
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), top.readyAt - this.#clock.now());
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    for (let top = this.#heap.peek(); top && top.readyAt <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      if (this.#waiting.get(top.key) !== top.readyAt) continue;
      this.#waiting.delete(top.key);
      this.add(top.key);
    }
    this.#schedule();
  }

  #resolveDrainers(): void {
    const drainers = this.#drainers;
    this.#drainers = [];
    for (const resolve of drainers) resolve();
  }
}
