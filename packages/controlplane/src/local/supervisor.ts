import { existsSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { ProcessSpec } from "../render/process-spec.ts";
import { findProcessesByMarker, processMarkerVariable, readCommandLine, readEnvironment } from "./proc.ts";
import { ManagedProcess, type ExitStatus } from "./process.ts";

/** Restart pacing for a component that keeps crashing. */
export interface RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A run at least this long counts as healthy and resets the delay. */
  readonly resetAfterMs: number;
}

/** What happened to a supervised component, for logs and Events. */
export type SupervisorEvent =
  | { readonly type: "started" | "adopted"; readonly name: string; readonly pid: number }
  | { readonly type: "exited"; readonly name: string; readonly pid: number; readonly status: ExitStatus; readonly restartInMs: number }
  | { readonly type: "replaced"; readonly name: string; readonly pid: number };

/** One component to keep running. */
export interface SupervisedComponentOptions {
  readonly spec: ProcessSpec;
  readonly logFile: string;
  readonly cwd: string;
  /** Unique on this machine: finds this component's process again after the platform restarts. */
  readonly marker: string;
  readonly backoff?: RestartBackoff;
  readonly onEvent?: (event: SupervisorEvent) => void;
}

const defaultBackoff: RestartBackoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * Keeps one component running: adopts the process an earlier run of the
 * platform left (never a second copy), replaces it when the rendered command
 * line changed, and restarts it with exponential backoff when it exits.
 */
export class SupervisedComponent {
  readonly #options: SupervisedComponentOptions;
  readonly #backoff: RestartBackoff;
  #process: ManagedProcess | undefined;
  #stopping = false;
  /** Counts stop() and detach() calls: a start that resolves after one must not be supervised. */
  #epoch = 0;
  #stopped = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartPending = false;
  #delayMs: number;
  #restarts = 0;
  /**
   * A path that must exist for the process to start: an etcd member of a
   * cluster of several starts only on its data (with its data gone it would
   * start empty, or found a cluster of its own).
   */
  requiredPath: string | undefined;

  constructor(options: SupervisedComponentOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#delayMs = this.#backoff.initialMs;
  }

  /** What it runs. */
  get spec(): ProcessSpec {
    return this.#options.spec;
  }

  /** The running process, if any. */
  get process(): ManagedProcess | undefined {
    return this.#process?.exitStatus ? undefined : this.#process;
  }

  /** Whether it exited and waits out its backoff before it is started again. */
  get restartPending(): boolean {
    return this.#restartPending;
  }

  /** How often it exited on its own or failed to start again (each is followed by a restart). */
  get restarts(): number {
    return this.#restarts;
  }

  /** Makes sure the component runs with the current spec; idempotent. */
  async ensureRunning(): Promise<ManagedProcess> {
    this.#stopping = false;
    this.#stopped = false;
    const current = this.process;
    if (current) return current;
    clearTimeout(this.#restartTimer);
    this.#restartPending = false;
    const wanted = [this.#options.spec.command, ...this.#options.spec.args];
    let adopted: ManagedProcess | undefined;
    for (const pid of findProcessesByMarker(this.#options.marker)) {
      const running = ManagedProcess.adopt(this.#options.spec, this.#options.logFile, pid);
      if (!adopted && this.#matchesSpec(pid, wanted)) {
        adopted = running;
        continue;
      }
      // A copy too many, or one rendered from an older spec.
      await running.stop();
      this.#emit({ type: "replaced", name: this.#options.spec.name, pid });
    }
    if (adopted) {
      this.#watch(adopted);
      this.#emit({ type: "adopted", name: this.#options.spec.name, pid: adopted.pid });
      return adopted;
    }
    return this.#start();
  }

  /** Stops the component and keeps it stopped. */
  async stop(graceMs?: number): Promise<void> {
    this.#stopping = true;
    this.#stopped = true;
    this.#epoch++;
    clearTimeout(this.#restartTimer);
    this.#restartPending = false;
    await this.#process?.stop(graceMs);
    // A process started by an earlier run that this one never adopted.
    for (const pid of findProcessesByMarker(this.#options.marker)) {
      await ManagedProcess.adopt(this.#options.spec, this.#options.logFile, pid).stop(graceMs);
    }
  }

  /**
   * Stops supervising without stopping the process, leaving it for another
   * supervisor to adopt (what a platform killed with SIGKILL leaves behind).
   */
  detach(): void {
    this.#stopping = true;
    this.#stopped = false;
    this.#epoch++;
    clearTimeout(this.#restartTimer);
    this.#restartPending = false;
    this.#process = undefined;
  }

  async #start(): Promise<ManagedProcess> {
    const spec = this.#options.spec;
    if (this.requiredPath !== undefined && !existsSync(this.requiredPath)) throw new Error(`${spec.name} is not started: ${this.requiredPath} is missing`);
    const epoch = this.#epoch;
    const proc = await ManagedProcess.start(
      { ...spec, env: { ...spec.env, [processMarkerVariable]: this.#options.marker } },
      { logFile: this.#options.logFile, cwd: this.#options.cwd },
    );
    if (epoch !== this.#epoch) {
      // Stopped while it started: stop it too, or it would outlive every
      // supervisor (a platform shutting down would leave it running).
      // Detached: the next supervisor finds it by its marker.
      if (this.#stopped) await proc.stop();
      return proc;
    }
    this.#watch(proc);
    this.#emit({ type: "started", name: spec.name, pid: proc.pid });
    return proc;
  }

  /**
   * The process runs what the spec says: the same command line and the
   * spec's environment (which carries the checksum of its configuration
   * files, so changed certificates count as a changed spec).
   */
  #matchesSpec(pid: number, commandLine: readonly string[]): boolean {
    if (!isDeepStrictEqual(readCommandLine(pid), commandLine)) return false;
    const environment = readEnvironment(pid);
    return Object.entries(this.#options.spec.env ?? {}).every(([key, value]) => environment?.get(key) === value);
  }

  #watch(proc: ManagedProcess): void {
    this.#process = proc;
    const startedAt = Date.now();
    void proc.exited.then((status) => {
      if (this.#stopping || this.#process !== proc) return;
      if (Date.now() - startedAt >= this.#backoff.resetAfterMs) this.#delayMs = this.#backoff.initialMs;
      this.#restarts++;
      this.#emit({ type: "exited", name: this.#options.spec.name, pid: proc.pid, status, restartInMs: this.#delayMs });
      this.#scheduleRestart();
    });
  }

  /** Starts again after the current delay, doubling it for next time; a failed start is retried the same way. */
  #scheduleRestart(): void {
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxMs);
    this.#restartPending = true;
    this.#restartTimer = setTimeout(() => {
      this.#restartPending = false;
      if (this.#stopping) return;
      this.#start().catch(() => {
        this.#restarts++;
        this.#scheduleRestart();
      });
    }, delay);
  }

  #emit(event: SupervisorEvent): void {
    this.#options.onEvent?.(event);
  }
}
