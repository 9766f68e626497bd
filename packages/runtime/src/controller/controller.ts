import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../clock/clock.ts";
import { objectKey, type KindRef } from "../client/kind.ts";
import { describeError } from "../client/object-client.ts";
import type { Informer } from "../informer/informer.ts";
import type { InformerCache } from "../informer/informer-cache.ts";
import { reconcileLogger, shortId, silentLogger } from "../logging/logger.ts";
import type { ControllerMetrics, ControllerMetricsFactory, ReconcileOutcome } from "../metrics/metrics.ts";
import { defaultControllerRateLimiter, type RateLimiter, type RateLimitOptions } from "../queue/rate-limiter.ts";
import { WorkQueue } from "../queue/work-queue.ts";
import { controllerOwnerRequest, requestFor, type OwnsSpec, type WatchSpec } from "./event-sources.ts";
import { isTerminalError, parseRequestKey, requestKey, type ReconcileRequest, type Reconciler } from "./reconciler.ts";

/** What a controller reconciles, from which events, and its dependencies. */
export interface ControllerOptions {
  /** Names it in logs, metrics and Events; unique per manager. */
  readonly name: string;
  /** The kind it reconciles. */
  readonly kind: KindRef;
  readonly reconciler: Reconciler;
  /** Where its informers come from (shared with the manager's other controllers). */
  readonly informers: InformerCache;
  /** How many reconciles may run at once (default 1); never two of one key. */
  readonly workers?: number;
  /** Only objects of this namespace (default: all). */
  readonly namespace?: string;
  /** Only objects of its kind with these labels. */
  readonly labelSelector?: string;
  /** Kinds whose objects enqueue their controlling owner of `kind`. */
  readonly owns?: readonly OwnsSpec[];
  /** Kinds whose objects enqueue what a mapping function says. */
  readonly watches?: readonly WatchSpec[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: ControllerMetricsFactory;
  /** Backoff and overall retry rate (client-go's defaults: 5 ms … 1000 s, 10 qps, burst 100). */
  readonly rateLimit?: RateLimitOptions;
  /** Replaces the limiter built from `rateLimit`. */
  readonly rateLimiter?: RateLimiter;
}

const noMetrics: ControllerMetrics = {
  queue: { depth: () => undefined, added: () => undefined, queueLatency: () => undefined, workDuration: () => undefined, retry: () => undefined },
  reconciled: () => undefined,
};

/**
 * Turns events into keys in a merging, rate-limited queue and runs the
 * reconciler on them with bounded concurrency, following the contract of
 * controller-runtime: an error means a retry with per-key backoff, a
 * TerminalError means no retry, success resets the backoff, and
 * `requeueAfter` brings the key back later.
 */
export class Controller {
  readonly name: string;
  readonly #options: ControllerOptions;
  readonly #clock: Clock;
  /** The caller's logger; each reconcile's child adds controller, object and reconcile id to it. */
  readonly #baseLog: Logger;
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #queue: WorkQueue;
  readonly #abort = new AbortController();
  #unsubscribe: (() => void)[] = [];
  #workers: Promise<void>[] = [];
  #state: "new" | "starting" | "running" | "stopped" = "new";

  /** A controller that does nothing until `start()`. */
  constructor(options: ControllerOptions) {
    if ((options.workers ?? 1) < 1) throw new Error(`controller ${options.name}: workers must be at least 1`);
    this.name = options.name;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#baseLog = options.logger ?? silentLogger();
    this.#log = this.#baseLog.child({ controller: options.name });
    this.#metrics = options.metrics?.forController(options.name) ?? noMetrics;
    this.#queue = new WorkQueue({
      clock: this.#clock,
      rateLimiter: options.rateLimiter ?? defaultControllerRateLimiter(this.#clock, options.rateLimit),
      metrics: this.#metrics.queue,
    });
  }

  /** True once the informers synced and the workers run. */
  get running(): boolean {
    return this.#state === "running";
  }

  /**
   * Subscribes to the informers, starts them, waits until every one has
   * synced — so the first reconciles see a complete cache — then starts
   * the workers. Resolves early if `stop()` is called meanwhile.
   */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`controller ${this.name} was already started`);
    this.#state = "starting";
    const { kind, namespace, informers } = this.#options;
    const sources: [Informer, (obj: KubernetesObject) => readonly ReconcileRequest[]][] = [
      [informers.informerFor(kind, { namespace, labelSelector: this.#options.labelSelector }), requestFor],
      ...(this.#options.owns ?? []).map((o): [Informer, (obj: KubernetesObject) => ReconcileRequest[]] => [
        informers.informerFor(o.kind, { namespace, labelSelector: o.labelSelector }),
        (obj) => controllerOwnerRequest(obj, kind),
      ]),
      ...(this.#options.watches ?? []).map((w): [Informer, (obj: KubernetesObject) => readonly ReconcileRequest[]] => [
        informers.informerFor(w.kind, { namespace, labelSelector: w.labelSelector }),
        (obj) => w.mapFn(obj),
      ]),
    ];
    for (const [informer, map] of sources) {
      const enqueue = (obj: KubernetesObject): void => this.#enqueue(map, obj);
      this.#unsubscribe.push(informer.addHandlers({ add: enqueue, update: enqueue, delete: enqueue }));
      informer.start();
    }
    const synced = await Promise.all(sources.map(([informer]) => informer.waitForSync(this.#abort.signal)));
    // stop() may have been called while we waited.
    if (this.#abort.signal.aborted || !synced.every(Boolean)) return;
    const workers = this.#options.workers ?? 1;
    this.#log.info({ workers, queued: this.#queue.length }, "Informers synced; starting workers");
    for (let i = 0; i < workers; i++) this.#workers.push(this.#work());
    this.#state = "running";
  }

  /**
   * Stops taking keys, aborts the reconciles' signal and waits for the
   * reconciles in progress to finish. Informers belong to the cache and
   * keep running.
   */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#abort.abort();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    await this.#queue.shutDownWithDrain();
    await Promise.all(this.#workers);
    this.#log.info("Controller stopped");
  }

  /** Queues a request by hand, e.g. from a trigger outside the informers. */
  enqueue(request: ReconcileRequest): void {
    this.#queue.add(requestKey(request));
  }

  #enqueue(map: (obj: KubernetesObject) => readonly ReconcileRequest[], obj: KubernetesObject): void {
    let requests: readonly ReconcileRequest[];
    try {
      requests = map(obj);
    } catch (error) {
      this.#log.error({ error: describeError(error), object: objectKey(obj) }, "Mapping an event to requests failed");
      return;
    }
    for (const request of requests) this.#queue.add(requestKey(request));
  }

  async #work(): Promise<void> {
    for (let key = await this.#queue.get(); key !== undefined; key = await this.#queue.get()) {
      try {
        await this.#reconcile(key);
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #reconcile(key: string): Promise<void> {
    const reconcileId = shortId();
    const log = reconcileLogger(this.#baseLog, { controller: this.name, object: key, reconcileId });
    const began = this.#clock.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await this.#options.reconciler.reconcile(parseRequestKey(key), { log, reconcileId, signal: this.#abort.signal });
      // Success resets the backoff either way; a wait is not a failure.
      this.#queue.forget(key);
      const after = result?.requeueAfter ?? 0;
      if (after > 0) this.#queue.addAfter(key, after);
      outcome = after > 0 ? "requeue" : "success";
      log.debug({ requeueAfterMs: after > 0 ? after : undefined }, "Reconciled");
    } catch (error) {
      outcome = this.#failed(key, error, log);
    }
    this.#metrics.reconciled(outcome, (this.#clock.now() - began) / 1000);
  }

  #failed(key: string, error: unknown, log: Logger): ReconcileOutcome {
    const details = { error: describeError(error), stack: error instanceof Error ? error.stack : undefined };
    if (isTerminalError(error)) {
      this.#queue.forget(key);
      log.error(details, "Reconcile failed terminally; not retrying");
      return "terminal";
    }
    this.#queue.addRateLimited(key);
    log.error({ ...details, retries: this.#queue.numRequeues(key) }, "Reconcile failed; retrying with backoff");
    return "error";
  }
}
