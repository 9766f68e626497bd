import type { Configuration, KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { systemClock, type Clock } from "./clock/clock.ts";
import { makeApiClient, SharedConnection } from "./client/connection.ts";
import { ObjectClient } from "./client/object-client.ts";
import { Controller, type ControllerOptions } from "./controller/controller.ts";
import { EventRecorder } from "./helpers/events.ts";
import { InformerCache } from "./informer/informer-cache.ts";
import { LeaderElector } from "./leader/leader-elector.ts";
import { defaultIdentity, KubernetesLeaseLock } from "./leader/lease-lock.ts";
import { silentLogger } from "./logging/logger.ts";
import { RuntimeMetrics } from "./metrics/metrics.ts";
import { startMetricsServer, type MetricsServer } from "./metrics/server.ts";

/** Where the lease lives and how it is timed (client-go's defaults: 15 s, 10 s, 2 s). */
export interface LeaderElectionConfig {
  readonly namespace: string;
  readonly name: string;
  /** Default: host name and a random suffix. */
  readonly identity?: string;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/** What a manager runs with. */
export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Serve /metrics, /healthz and /readyz on this port (0: any free port); no server when absent. */
  readonly metricsPort?: number;
  /** Default 127.0.0.1; "0.0.0.0" in a pod. */
  readonly metricsHost?: string;
  /** Also export prom-client's process metrics. */
  readonly processMetrics?: boolean;
  /** Run controllers only while holding this lease. */
  readonly leaderElection?: LeaderElectionConfig;
  /**
   * Called after the lease was lost and the controllers stopped. The
   * default exits the process with status 1: a restarted process
   * campaigns afresh with empty caches, the safest way back.
   */
  readonly onLostLeadership?: () => void;
}

/** A controller's options without what the manager provides. */
export type ManagedControllerOptions = Omit<ControllerOptions, "informers" | "clock" | "logger" | "metrics">;

/**
 * Holds what controllers share — the KubeConfig, one informer cache, one
 * metrics registry, the logger — and runs them, behind leader election
 * when configured: controllers start only once this process leads.
 */
export class Manager {
  readonly kubeConfig: KubeConfig;
  readonly client: ObjectClient;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly informers: InformerCache;
  readonly #options: ManagerOptions;
  readonly #connection = new SharedConnection();
  readonly #controllers: Controller[] = [];
  #elector: LeaderElector | undefined;
  #server: MetricsServer | undefined;
  #state: "new" | "started" | "stopped" = "new";

  /** A manager with its own registry and informer cache. */
  constructor(options: ManagerOptions) {
    this.#options = options;
    this.kubeConfig = options.kubeConfig;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger();
    this.client = ObjectClient.fromKubeConfig(options.kubeConfig, this.#connection);
    this.metrics = new RuntimeMetrics({ processMetrics: options.processMetrics });
    this.informers = new InformerCache({ kubeConfig: options.kubeConfig, client: this.client, clock: this.clock, logger: this.logger });
  }

  /** The Prometheus registry of this manager. */
  get registry(): Registry {
    return this.metrics.registry;
  }

  /** The port /metrics is served on, once started. */
  get metricsPort(): number | undefined {
    return this.#server?.port;
  }

  /** True while this process holds the lease (always true without leader election, once started). */
  isLeader(): boolean {
    return this.#state === "started" && (this.#elector?.isLeader() ?? true);
  }

  /** /readyz: started; a standby waiting for the lease is ready too, as in controller-runtime. */
  ready(): boolean {
    return this.#state === "started" && (this.#elector !== undefined || this.#controllers.every((c) => c.running));
  }

  /** A client-node API client (CoreV1Api, …) sharing this manager's connection pool. */
  apiClient<T>(apiType: new (configuration: Configuration) => T): T {
    return makeApiClient(this.kubeConfig, apiType, this.#connection);
  }

  /** Adds a controller sharing this manager's informers, clock, logger and metrics; before `start()` only. */
  addController(options: ManagedControllerOptions): Controller {
    if (this.#state !== "new") throw new Error("add controllers before starting the manager");
    if (this.#controllers.some((c) => c.name === options.name)) throw new Error(`a controller named ${options.name} exists already`);
    const controller = new Controller({ ...options, informers: this.informers, clock: this.clock, logger: this.logger, metrics: this.metrics });
    this.#controllers.push(controller);
    return controller;
  }

  /** An Event recorder reporting as "seedbed.dev/<controller>". */
  eventRecorder(controller: string): EventRecorder {
    return new EventRecorder({ client: this.client, controller, clock: this.clock, logger: this.logger, instance: this.#elector?.identity });
  }

  /**
   * Starts the metrics server, then either the controllers (resolving once
   * their informers synced) or the campaign for the lease (resolving at
   * once; controllers start when it is won).
   */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error("the manager was already started");
    this.#state = "started";
    if (this.#options.metricsPort !== undefined) {
      this.#server = await startMetricsServer({
        registry: this.registry,
        port: this.#options.metricsPort,
        host: this.#options.metricsHost,
        ready: () => this.ready(),
        healthy: () => this.#state === "started",
      });
      this.logger.info({ port: this.#server.port }, "Serving metrics and probes");
    }
    const election = this.#options.leaderElection;
    if (!election) {
      await this.#startControllers();
      return;
    }
    this.metrics.setLeader(election.name, false);
    this.#elector = new LeaderElector({
      lock: new KubernetesLeaseLock(this.client, election.namespace, election.name),
      identity: election.identity ?? defaultIdentity(),
      leaseDurationSeconds: election.leaseDurationSeconds,
      renewDeadlineMs: election.renewDeadlineMs,
      retryPeriodMs: election.retryPeriodMs,
      clock: this.clock,
      logger: this.logger,
      onStartedLeading: () => void this.#startControllers(),
      onStoppedLeading: () => void this.#lostLeadership(),
      onLeadingChanged: (leading) => this.metrics.setLeader(election.name, leading),
    });
    void this.#elector.run();
  }

  /**
   * Stops the controllers (letting reconciles in progress finish), then
   * releases the lease so a standby takes over at once — in that order, so
   * two processes never reconcile together. `releaseLease: false` leaves
   * the lease to expire, as a crash would.
   */
  async stop(options: { readonly releaseLease?: boolean } = {}): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    await Promise.all(this.#controllers.map((c) => c.stop()));
    await this.#elector?.stop({ release: options.releaseLease });
    await this.informers.stop();
    await this.#server?.close();
    await this.#connection.close();
    this.logger.info("Manager stopped");
  }

  async #startControllers(): Promise<void> {
    try {
      await Promise.all(this.#controllers.map((c) => c.start()));
    } catch (error) {
      this.logger.error({ error: error instanceof Error ? error.message : String(error) }, "Starting controllers failed");
    }
  }

  async #lostLeadership(): Promise<void> {
    await Promise.all(this.#controllers.map((c) => c.stop()));
    await this.informers.stop();
    (this.#options.onLostLeadership ?? exitProcess)();
  }
}

function exitProcess(): void {
  // Another process may already be leading: working on would mean two writers.
  process.exit(1);
}
