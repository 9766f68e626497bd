import type { Logger } from "pino";
import { sleep, systemClock, type Clock } from "../clock/clock.ts";
import { describeError, isConflict } from "../client/object-client.ts";
import { formatMicroTime } from "../helpers/time.ts";
import { silentLogger } from "../logging/logger.ts";
import type { LeaseLock, LeaseRecord, ObservedLease } from "./lease-lock.ts";

/** Timings, identity and callbacks of an elector. */
export interface LeaderElectorOptions {
  readonly lock: LeaseLock;
  readonly identity: string;
  /** How long a lease is valid after it was last seen renewed (default 15 s). */
  readonly leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it gives up (default 10 s). */
  readonly renewDeadlineMs?: number;
  /** How often to try (default 2 s). */
  readonly retryPeriodMs?: number;
  /** Candidates wait retryPeriod × (1 + random × jitter) between attempts (default 1.2, as client-go). */
  readonly jitter?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called once the lease is ours; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  /** Called when the lease is lost (not on `stop()`); the safe reaction is to stop working at once. */
  readonly onStoppedLeading: () => void;
  /** Called whenever another holder is observed. */
  readonly onNewLeader?: (identity: string) => void;
  /** Told whenever we start or stop leading (for the seedbed_leader_is_leader gauge). */
  readonly onLeadingChanged?: (leading: boolean) => void;
}

/**
 * Lease-based leader election with client-go's semantics, written by us on
 * purpose (STYLE.md). A candidate takes the lease when it is released or
 * when its record has not changed for leaseDuration as measured on *our*
 * clock since we first saw that record — client-go's choice: the
 * renewTime inside was written with the holder's clock, and trusting it
 * would let clock skew steal a live lease. Every write carries the
 * resourceVersion it read, so of two candidates one gets 409 and loses.
 * The leader renews every retryPeriod; if renewing keeps failing for
 * renewDeadline it stops leading (before the lease can expire for others).
 */
export class LeaderElector {
  readonly identity: string;
  readonly #o: LeaderElectorOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #abort = new AbortController();
  #leaderAbort: AbortController | undefined;
  #observedVersion = "";
  #observedHolder = "";
  #observedTime = 0;
  #run: Promise<void> | undefined;

  /** Checks the timings as client-go does: lease > renewDeadline > retryPeriod × jitter. */
  constructor(options: LeaderElectorOptions) {
    this.identity = options.identity;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger()).child({ lease: options.lock.describe(), identity: options.identity });
    this.#leaseMs = (options.leaseDurationSeconds ?? 15) * 1000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    if (!Number.isInteger(options.leaseDurationSeconds ?? 15)) throw new Error("leaseDurationSeconds must be a whole number");
    if (this.#leaseMs <= this.#renewDeadlineMs) throw new Error("the lease duration must be longer than the renew deadline");
    if (this.#renewDeadlineMs <= this.#retryMs * (options.jitter ?? 1.2)) throw new Error("the renew deadline must be longer than retryPeriod × jitter");
    if (!options.identity) throw new Error("a leader election identity is required");
  }

  /** True while we hold the lease. */
  isLeader(): boolean {
    return this.#leaderAbort !== undefined;
  }

  /** Campaigns, then leads until the lease is lost or `stop()` is called. Resolves when either happened. */
  run(): Promise<void> {
    this.#run ??= this.#campaign();
    return this.#run;
  }

  /**
   * Stops campaigning or leading. With `release` (the default), a leader
   * empties holderIdentity so another candidate takes over at once rather
   * than after the lease expires.
   */
  async stop(options: { readonly release?: boolean } = {}): Promise<void> {
    this.#abort.abort();
    await this.#run;
    const wasLeader = this.isLeader();
    this.#setLeading(undefined);
    if (wasLeader && options.release !== false) await this.#release();
  }

  async #campaign(): Promise<void> {
    const signal = this.#abort.signal;
    while (!this.#stopping() && !(await this.#tryAcquireOrRenew(this.#clock.now() + this.#renewDeadlineMs))) {
      await sleep(this.#clock, this.#retryMs * (1 + Math.random() * (this.#o.jitter ?? 1.2)), signal);
    }
    if (this.#stopping()) return;
    this.#log.info("Became the leader");
    const leaderAbort = new AbortController();
    this.#setLeading(leaderAbort);
    this.#o.onStartedLeading(leaderAbort.signal);
    await this.#renewLoop(signal);
    if (this.#stopping()) return; // stop() releases and reports
    this.#log.error({ renewDeadlineMs: this.#renewDeadlineMs }, "Lost the lease: renewing failed until the deadline");
    this.#setLeading(undefined);
    this.#o.onStoppedLeading();
  }

  /** Renews every retryPeriod; returns when a renewal failed for renewDeadline, or on stop. */
  async #renewLoop(signal: AbortSignal): Promise<void> {
    while (!this.#stopping()) {
      await sleep(this.#clock, this.#retryMs, signal);
      const deadline = this.#clock.now() + this.#renewDeadlineMs;
      let renewed = false;
      while (!renewed && !this.#stopping() && this.#clock.now() < deadline) {
        renewed = await this.#tryAcquireOrRenew(deadline);
        if (!renewed) await sleep(this.#clock, Math.min(this.#retryMs, Math.max(0, deadline - this.#clock.now())), signal);
      }
      if (!renewed) return;
    }
  }

  /** One attempt to take or keep the lease; false on any failure. Requests are cut off at `deadline`. */
  async #tryAcquireOrRenew(deadline: number): Promise<boolean> {
    const request = new AbortController();
    const timer = this.#clock.setTimeout(() => request.abort(), Math.max(1, deadline - this.#clock.now()));
    const onStop = (): void => request.abort();
    this.#abort.signal.addEventListener("abort", onStop, { once: true });
    try {
      const now = this.#clock.now();
      const current = await this.#o.lock.get(request.signal);
      const desired: LeaseRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.#leaseMs / 1000,
        acquireTime: formatMicroTime(now),
        renewTime: formatMicroTime(now),
        leaseTransitions: 0,
      };
      if (!current) return this.#written(await this.#o.lock.create(desired, request.signal));
      this.#observe(current);
      const holder = current.record.holderIdentity;
      if (holder !== "" && holder !== this.identity && this.#observedTime + this.#leaseMs > now) return false;
      const keep = holder === this.identity;
      const record: LeaseRecord = {
        ...desired,
        acquireTime: keep ? current.record.acquireTime : desired.acquireTime,
        leaseTransitions: keep ? current.record.leaseTransitions : current.record.leaseTransitions + 1,
      };
      return this.#written(await this.#o.lock.update(record, current.resourceVersion, request.signal));
    } catch (error) {
      // 409: another candidate wrote first. Anything else: the API is unreachable or slow.
      if (isConflict(error)) this.#log.debug("Lease changed under us; will retry");
      else if (!this.#abort.signal.aborted) this.#log.warn({ error: describeError(error) }, "Acquiring or renewing the lease failed");
      return false;
    } finally {
      timer.cancel();
      this.#abort.signal.removeEventListener("abort", onStop);
    }
  }

  /** A method, not `signal.aborted`, so the check is not narrowed away across awaits. */
  #stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  #written(resourceVersion: string): boolean {
    this.#observedVersion = resourceVersion;
    this.#observedHolder = this.identity;
    this.#observedTime = this.#clock.now();
    return true;
  }

  /** Restarts the expiry countdown whenever the record changed since we last looked. */
  #observe(current: ObservedLease): void {
    if (current.resourceVersion === this.#observedVersion) return;
    this.#observedVersion = current.resourceVersion;
    this.#observedTime = this.#clock.now();
    const holder = current.record.holderIdentity;
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      if (holder !== "" && holder !== this.identity) {
        this.#log.info({ leader: holder }, "Observed a new leader");
        this.#o.onNewLeader?.(holder);
      }
    }
  }

  #setLeading(leaderAbort: AbortController | undefined): void {
    const was = this.isLeader();
    this.#leaderAbort?.abort();
    this.#leaderAbort = leaderAbort;
    if (was !== this.isLeader()) this.#o.onLeadingChanged?.(this.isLeader());
  }

  /** Empties holderIdentity if we still hold the lease (client-go's ReleaseOnCancel). */
  async #release(): Promise<void> {
    try {
      const current = await this.#o.lock.get(AbortSignal.timeout(this.#renewDeadlineMs));
      if (current?.record.holderIdentity !== this.identity) return;
      const now = formatMicroTime(this.#clock.now());
      const released: LeaseRecord = { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.record.leaseTransitions };
      await this.#o.lock.update(released, current.resourceVersion, AbortSignal.timeout(this.#renewDeadlineMs));
      this.#log.info("Released the lease");
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, "Releasing the lease failed; others take over when it expires");
    }
  }
}
