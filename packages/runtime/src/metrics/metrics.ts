import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { QueueMetrics } from "../queue/work-queue.ts";

/** How one reconcile ended: the `result` label of seedbed_reconcile_total. */
export type ReconcileOutcome = "success" | "error" | "requeue" | "terminal";

/** What a controller reports: its queue, and each reconcile's outcome and duration. */
export interface ControllerMetrics {
  readonly queue: QueueMetrics;
  reconciled(outcome: ReconcileOutcome, seconds: number): void;
}

/** Makes the metrics of one controller; RuntimeMetrics is the Prometheus one. */
export interface ControllerMetricsFactory {
  forController(name: string): ControllerMetrics;
}

/** Options of RuntimeMetrics. */
export interface RuntimeMetricsOptions {
  /** The registry to register into; a new one when absent (never prom-client's global default). */
  readonly registry?: Registry;
  /** Also collect prom-client's process metrics (memory, CPU, event loop lag). */
  readonly processMetrics?: boolean;
}

// Reconciles take milliseconds to a minute; queue waits microseconds to minutes.
const reconcileBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const queueBuckets = [1e-5, 1e-4, 1e-3, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300];

/**
 * The runtime's Prometheus metrics in a registry of their own, passed to
 * whatever needs them (STYLE.md habit 6: no module-level singletons).
 * Labelled by controller, like controller-runtime's.
 */
export class RuntimeMetrics implements ControllerMetricsFactory {
  readonly registry: Registry;
  readonly #reconcileTotal: Counter<"controller" | "result">;
  readonly #reconcileErrors: Counter<"controller">;
  readonly #reconcileDuration: Histogram<"controller">;
  readonly #depth: Gauge<"controller">;
  readonly #adds: Counter<"controller">;
  readonly #queueDuration: Histogram<"controller">;
  readonly #workDuration: Histogram<"controller">;
  readonly #retries: Counter<"controller">;
  readonly #isLeader: Gauge<"lease">;

  /** Registers every metric in `options.registry` or a new registry. */
  constructor(options: RuntimeMetricsOptions = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.#reconcileTotal = new Counter({ name: "seedbed_reconcile_total", help: "Reconciles by controller and result (success, error, requeue, terminal).", labelNames: ["controller", "result"], registers });
    this.#reconcileErrors = new Counter({ name: "seedbed_reconcile_errors_total", help: "Reconciles that failed, terminal failures included.", labelNames: ["controller"], registers });
    this.#reconcileDuration = new Histogram({ name: "seedbed_reconcile_duration_seconds", help: "How long reconciles took.", labelNames: ["controller"], buckets: reconcileBuckets, registers });
    this.#depth = new Gauge({ name: "seedbed_workqueue_depth", help: "Keys waiting in the work queue.", labelNames: ["controller"], registers });
    this.#adds = new Counter({ name: "seedbed_workqueue_adds_total", help: "Keys added to the work queue (merged duplicates not counted).", labelNames: ["controller"], registers });
    this.#queueDuration = new Histogram({ name: "seedbed_workqueue_queue_duration_seconds", help: "How long keys waited in the queue before a worker took them.", labelNames: ["controller"], buckets: queueBuckets, registers });
    this.#workDuration = new Histogram({ name: "seedbed_workqueue_work_duration_seconds", help: "How long workers held a key.", labelNames: ["controller"], buckets: reconcileBuckets, registers });
    this.#retries = new Counter({ name: "seedbed_workqueue_retries_total", help: "Rate-limited retries scheduled.", labelNames: ["controller"], registers });
    this.#isLeader = new Gauge({ name: "seedbed_leader_is_leader", help: "1 while this process holds the lease.", labelNames: ["lease"], registers });
  }

  /** The metrics of controller `name`. */
  forController(name: string): ControllerMetrics {
    const labels = { controller: name };
    // Make the series exist at 0, so a dashboard sees the controller before its first event.
    this.#depth.set(labels, 0);
    this.#retries.inc(labels, 0);
    return {
      queue: {
        depth: (keys) => this.#depth.set(labels, keys),
        added: () => this.#adds.inc(labels),
        queueLatency: (seconds) => this.#queueDuration.observe(labels, seconds),
        workDuration: (seconds) => this.#workDuration.observe(labels, seconds),
        retry: () => this.#retries.inc(labels),
      },
      reconciled: (outcome, seconds) => {
        this.#reconcileTotal.inc({ controller: name, result: outcome });
        if (outcome === "error" || outcome === "terminal") this.#reconcileErrors.inc(labels);
        this.#reconcileDuration.observe(labels, seconds);
      },
    };
  }

  /** Sets seedbed_leader_is_leader for `lease`. */
  setLeader(lease: string, leading: boolean): void {
    this.#isLeader.set({ lease }, leading ? 1 : 0);
  }
}
