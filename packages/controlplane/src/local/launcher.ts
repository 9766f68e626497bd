import { isDeepStrictEqual } from "node:util";
import type { ProcessSpec } from "../render/process-spec.ts";
import { ManagedProcess } from "./process.ts";
import { SupervisedComponent, type RestartBackoff, type SupervisorEvent } from "./supervisor.ts";

/** Starts a control plane's processes one way or another, and stops them again. */
export interface Launcher {
  launch(spec: ProcessSpec, logFile: string): Promise<ManagedProcess>;
  /** Stops one component (and keeps it stopped). */
  stop(name: string): Promise<void>;
  /** Stops every component, last launched first. */
  stopAll(): Promise<void>;
}

/** Plain child processes: for throw-away instances such as the test harness. */
export class PlainLauncher implements Launcher {
  readonly #cwd: string;
  readonly #graceMs: number | undefined;
  readonly #running = new Map<string, ManagedProcess>();

  /** `graceMs`: how long a stopped process may take after SIGTERM before SIGKILL. */
  constructor(cwd: string, graceMs?: number) {
    this.#cwd = cwd;
    this.#graceMs = graceMs;
  }

  async launch(spec: ProcessSpec, logFile: string): Promise<ManagedProcess> {
    const proc = await ManagedProcess.start(spec, { logFile, cwd: this.#cwd });
    this.#running.set(spec.name, proc);
    return proc;
  }

  async stop(name: string): Promise<void> {
    await this.#running.get(name)?.stop(this.#graceMs);
    this.#running.delete(name);
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.#running.keys()].reverse()) await this.stop(name);
  }
}

/** Options for supervised processes. */
export interface SupervisingLauncherOptions {
  readonly cwd: string;
  /** Prefix of every component's marker: unique per control plane on this machine. */
  readonly markerPrefix: string;
  readonly backoff?: RestartBackoff;
  readonly onEvent?: (event: SupervisorEvent) => void;
}

/**
 * Supervised processes: restarted when they crash, adopted (never started
 * twice) when the platform itself restarts. For the management plane and
 * the local hosting driver.
 */
export class SupervisingLauncher implements Launcher {
  readonly #options: SupervisingLauncherOptions;
  readonly #components = new Map<string, SupervisedComponent>();
  /** Set by stopAll and detachAll: a launch still in flight must not start what was just stopped. */
  #closed = false;

  constructor(options: SupervisingLauncherOptions) {
    this.#options = options;
  }

  /** The components launched, first launched first. */
  names(): string[] {
    return [...this.#components.keys()];
  }

  /** The supervisor of a component, once launched. */
  component(name: string): SupervisedComponent | undefined {
    return this.#components.get(name);
  }

  /**
   * Whether this very spec's process crashed and waits out its backoff: its
   * supervisor starts it again when that ends. Launching it now would skip
   * the backoff, so a component that always fails would spin at the pace
   * of reconciles.
   */
  restartPending(spec: ProcessSpec): boolean {
    const component = this.#components.get(spec.name);
    return component !== undefined && component.restartPending && isDeepStrictEqual(component.spec, spec);
  }

  /** `requiredPath`: the process is started (and restarted) only while this path exists. */
  async launch(spec: ProcessSpec, logFile: string, options: { readonly requiredPath?: string } = {}): Promise<ManagedProcess> {
    if (this.#closed) throw new Error(`cannot launch ${spec.name}: its control plane's processes were stopped`);
    let component = this.#components.get(spec.name);
    if (component && !isDeepStrictEqual(component.spec, spec)) {
      // Re-rendered (new flags, version, certificates): the new supervisor
      // finds the old process by its marker and replaces it.
      component.detach();
      component = undefined;
    }
    if (!component) {
      component = new SupervisedComponent({
        spec,
        logFile,
        cwd: this.#options.cwd,
        marker: `${this.#options.markerPrefix}/${spec.name}`,
        backoff: this.#options.backoff,
        onEvent: this.#options.onEvent,
      });
      this.#components.set(spec.name, component);
    }
    component.requiredPath = options.requiredPath;
    return component.ensureRunning();
  }

  /** Stops one component (and keeps it stopped); `graceMs`: how long it may take after SIGTERM before SIGKILL (10 s by default). */
  async stop(name: string, graceMs?: number): Promise<void> {
    await this.#components.get(name)?.stop(graceMs);
    this.#components.delete(name);
  }

  async stopAll(): Promise<void> {
    this.#closed = true;
    for (const name of [...this.#components.keys()].reverse()) await this.stop(name);
  }

  /**
   * Kills every component at once, with `graceMs` to exit: for a control
   * plane whose data goes next, which an orderly shutdown (up to 10 s each,
   * one after another) would only keep waiting.
   */
  async killAll(graceMs: number): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#components.values()].map((component) => component.stop(graceMs)));
    this.#components.clear();
  }

  /** Leaves every process running for a later run of the platform to adopt. */
  detachAll(): void {
    this.#closed = true;
    for (const component of this.#components.values()) component.detach();
    this.#components.clear();
  }
}
