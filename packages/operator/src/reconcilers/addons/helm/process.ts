import { spawn } from "node:child_process";

/** How one helm process ended. */
export interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It ran past the time limit and was killed. */
  readonly timedOut: boolean;
}

/** Where and how long a process may run. */
export interface ProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL (default 5 s). */
  readonly graceMs?: number;
}

/**
 * Runs a program to its end. On timeout or abort it gets SIGTERM first
 * (helm cancels its context on it and records a pending operation as
 * failed, which a SIGKILL would leave pending), then SIGKILL after the
 * grace period. An abort rejects with the signal's reason once the process
 * is gone; a timeout resolves with `timedOut`, for the caller to word.
 */
export function runProcess(binary: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let stopping: "timeout" | "abort" | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: "timeout" | "abort"): void => {
      if (stopping !== undefined) return;
      stopping = why;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), options.graceMs ?? 5000);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = (): void => stop("abort");
    signal?.addEventListener("abort", onAbort, { once: true });
    const cleanUp = (): void => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener("abort", onAbort);
    };
    child.once("error", (error) => {
      cleanUp();
      reject(error);
    });
    child.once("close", (exitCode) => {
      cleanUp();
      if (stopping === "abort" && signal) {
        reject(abortReason(signal));
        return;
      }
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), timedOut: stopping === "timeout" });
    });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}
