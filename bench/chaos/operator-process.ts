// `seedbed operator --driver=local` as a child process the chaos benchmark
// kills with SIGKILL and starts again on the same state directory.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";

const cli = new URL("../../packages/cli/src/bin/seedbed.ts", import.meta.url).pathname;

/** Where the operator runs from and writes to. */
export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  readonly stateDir: string;
  /** Every run's output is appended here, each after a header line. */
  readonly logFile: string;
  /** Where it serves /readyz (a port reserved for it, the same for every run). */
  readonly metricsPort: number;
  /** trace … error; the log is kept when something went wrong. */
  readonly logLevel: string;
  /** Called when the operator exits without being killed by us. */
  readonly onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** One operator at a time: start, SIGKILL, start again. */
export class OperatorProcess {
  readonly #o: OperatorProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #runs = 0;

  constructor(options: OperatorProcessOptions) {
    this.#o = options;
  }

  /** The running operator's pid, if one runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts an operator (none may be running). */
  start(): void {
    if (this.#child !== undefined) throw new Error("an operator is already running");
    this.#runs++;
    const log = openSync(this.#o.logFile, "a");
    writeSync(log, `===== run ${this.#runs} at ${new Date().toISOString()} =====\n`);
    try {
      const child = spawn(process.execPath, [cli, "operator", "--driver=local", `--state-dir=${this.#o.stateDir}`, `--kubeconfig=${this.#o.kubeconfigPath}`, `--metrics-port=${this.#o.metricsPort}`, `--log-level=${this.#o.logLevel}`, "--unsafe-no-fsync"], {
        stdio: ["ignore", log, log],
        // Its own process group: Ctrl-C on the benchmark does not reach it
        // (cleanUp kills it), and a kill of the group takes all of it.
        detached: true,
      });
      this.#child = child;
      this.#exited = new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          if (this.#child === child) {
            this.#child = undefined;
            this.#o.onUnexpectedExit(code, signal);
          }
          resolve();
        });
      });
    } finally {
      closeSync(log);
    }
  }

  /** True when the running operator answers /readyz with 200 (its caches synced, its controllers started). */
  async ready(): Promise<boolean> {
    if (this.#child === undefined) return false;
    try {
      const response = await fetch(`http://127.0.0.1:${this.#o.metricsPort}/readyz`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGKILL to the operator's process group; resolves once it has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    this.#child = undefined;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
    await this.#exited;
  }
}
