// The benchmark's child processes (the hub and the agent workers): started
// with an IPC channel and their output in a log file, asked and answered by
// message, and stopped (SIGTERM, then SIGKILL) whatever state they are in.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { stopChild } from "../lib/stop-child.ts";
import type { AgentSpec, FromHub, FromWorker, ToWorker } from "./protocol.ts";

/** A child with IPC whose output goes to `logFile`. */
export function spawnChild(script: string, logFile: string, env: Readonly<Record<string, string>>): ChildProcess {
  const out = openSync(logFile, "a");
  // --expose-gc: a worker collects garbage before it reports its RSS.
  return spawn(process.execPath, ["--expose-gc", new URL(script, import.meta.url).pathname], { stdio: ["ignore", out, out, "ipc"], env: { ...process.env, ...env } });
}

/** The next message of `type` from `child`; rejects when the child exits first or `timeoutMs` pass. */
export function nextMessage<M extends { type: string }, T extends M["type"]>(child: ChildProcess, type: T, timeoutMs: number, what: string): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: M): void => {
      if (message.type !== type) return;
      done();
      resolve(message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`${what} exited (${String(code ?? signal)}) before it sent "${type}"`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no "${type}" within ${String(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** The last lines of a child's log, for an error message. */
export function logTail(file: string, lines = 10): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** One agent worker process. */
export class Worker {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly name: string;

  private constructor(child: ChildProcess, logFile: string, name: string) {
    this.child = child;
    this.logFile = logFile;
    this.name = name;
  }

  /** Starts a worker and waits until it has loaded the agent code. */
  static async start(name: string, logFile: string, logLevel: string): Promise<Worker> {
    const child = spawnChild("./worker.ts", logFile, { POLICY_BENCH_LOG_LEVEL: logLevel });
    const worker = new Worker(child, logFile, name);
    try {
      await nextMessage<FromWorker, "ready">(child, "ready", 60_000, name);
    } catch (error) {
      await worker.stop();
      throw error;
    }
    return worker;
  }

  /** Starts these agents; resolves once every one has listed its ClusterSync (or failed). */
  async startAgents(namespace: string, agents: readonly AgentSpec[], timeoutMs: number, debounceMs?: number): Promise<Extract<FromWorker, { type: "started" }>> {
    const started = nextMessage<FromWorker, "started">(this.child, "started", timeoutMs, this.name);
    this.#send({ type: "start", namespace, agents, debounceMs });
    return started;
  }

  /** Its RSS and heap (after a collection) and its agents' stats. */
  async stats(): Promise<Extract<FromWorker, { type: "stats" }>> {
    const answer = nextMessage<FromWorker, "stats">(this.child, "stats", 30_000, this.name);
    this.#send({ type: "stats" });
    return answer;
  }

  /** Stops its agents and the process (asks first; SIGTERM, then SIGKILL if it does not go). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.#send({ type: "stop" });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    await stopChild(this.child, 5000);
  }

  #send(message: ToWorker): void {
    this.child.send(message);
  }
}

/** Starts the hub and waits until its controllers run. */
export async function startHub(kubeconfigPath: string, logFile: string, logLevel: string): Promise<ChildProcess> {
  const child = spawnChild("./hub.ts", logFile, { POLICY_BENCH_KUBECONFIG: kubeconfigPath, POLICY_BENCH_LOG_LEVEL: logLevel });
  try {
    // A hub that cannot start logs why and exits: the wait fails with its log.
    await nextMessage<FromHub, "ready">(child, "ready", 120_000, "the hub");
  } catch (error) {
    await stopChild(child, 5000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logTail(logFile)}`);
  }
  return child;
}
