import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { ProcessSpec } from "../render/process-spec.ts";
import { isRunning, readStartTime } from "./proc.ts";

/** How a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options for starting a process. */
export interface StartOptions {
  /** stdout and stderr are appended to this file. */
  readonly logFile: string;
  readonly cwd?: string;
}

/** How often an adopted process (not our child, so no exit event) is checked. */
const adoptedPollMs = 500;

/**
 * A process in its own process group, its output in a log file: either our
 * child, or a process an earlier run of the platform started and this one
 * adopted. Stopping it signals the whole group, so nothing it started
 * survives it.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  readonly logFile: string;
  readonly pid: number;
  /** Identifies this process among any that reuse its pid later. */
  readonly startTime: string | undefined;
  /** True when an earlier run of the platform started it. */
  readonly adopted: boolean;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;
  readonly #child: ChildProcess | undefined;

  private constructor(spec: ProcessSpec, logFile: string, pid: number, child: ChildProcess | undefined) {
    this.spec = spec;
    this.logFile = logFile;
    this.#child = child;
    this.pid = pid;
    this.adopted = child === undefined;
    this.startTime = readStartTime(pid);
    this.exited = new Promise((resolve) => {
      const finish = (status: ExitStatus): void => {
        this.#exitStatus = status;
        resolve(status);
      };
      if (child) {
        child.once("exit", (code, signal) => finish({ code, signal }));
        return;
      }
      // Not our child: watch /proc. Its exit code is not ours to know.
      const timer = setInterval(() => {
        if (!isRunning(pid) || readStartTime(pid) !== this.startTime) {
          clearInterval(timer);
          finish({ code: null, signal: null });
        }
      }, adoptedPollMs);
      timer.unref();
    });
  }

  /**
   * Takes over a process an earlier run started (found through its pid
   * file), so that a restarted platform never starts a second copy.
   */
  static adopt(spec: ProcessSpec, logFile: string, pid: number): ManagedProcess {
    return new ManagedProcess(spec, logFile, pid, undefined);
  }

  /** Starts the process; throws if it cannot be spawned at all (missing binary, bad cwd). */
  static async start(spec: ProcessSpec, options: StartOptions): Promise<ManagedProcess> {
    const log = openSync(options.logFile, "a");
    try {
      const child = spawn(spec.command, [...spec.args], {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env },
        stdio: ["ignore", log, log],
        // Its own process group: a terminal's Ctrl-C reaches only us, and
        // we decide the order in which components stop.
        detached: true,
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once("spawn", () => resolve(child.pid ?? -1));
        child.once("error", (error) => reject(new Error(`cannot start ${spec.name} (${spec.command}): ${error.message}`)));
      });
      return new ManagedProcess(spec, options.logFile, pid, child);
    } finally {
      closeSync(log);
    }
  }

  /** Undefined while the process runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  /** Sends a signal to the whole process group, if it still exists. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exitStatus) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (this.#exitStatus) return this.#exitStatus;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // The group may hold children of the process; they go with it.
      this.#child?.unref();
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {
        // Already gone: the usual case.
      }
    }
  }
}
