import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { ManagedProcess } from "./process.ts";

/** TLS material for probing an endpoint that checks client certificates. */
export interface ProbeTLS {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** For components that serve a self-signed certificate on loopback. */
  readonly insecureSkipVerify?: boolean;
}

/** One GET over HTTP or HTTPS; resolves with the status code, or undefined when nothing answered. */
export function probe(url: string, tls: ProbeTLS, timeoutMs = 2000): Promise<number | undefined> {
  const request = url.startsWith("http:") ? httpRequest : httpsRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: "GET", ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.insecureSkipVerify !== true, timeout: timeoutMs, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(undefined));
    req.end();
  });
}

/** Options for waiting until a process serves a healthy endpoint. */
export interface WaitForReadyOptions {
  readonly url: string;
  readonly tls: ProbeTLS;
  readonly process: ManagedProcess;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Polls `url` until it answers 200. Fails at once, with the end of the log,
 * when the process exits first, and after `timeoutMs` otherwise.
 */
export async function waitForReady(options: WaitForReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastStatus: number | undefined;
  while (Date.now() < deadline) {
    if (options.process.exitStatus) {
      const { code, signal } = options.process.exitStatus;
      throw new Error(`${options.process.spec.name} exited (${signal ?? `code ${code}`}) before ${options.url} was ready:\n${logTail(options.process.logFile)}`);
    }
    lastStatus = await probe(options.url, options.tls);
    if (lastStatus === 200) return;
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(
    `${options.process.spec.name} was not ready at ${options.url} within ${options.timeoutMs} ms (last answer: ${lastStatus ?? "none"}):\n${logTail(options.process.logFile)}`,
  );
}

/** Each component's whole log under a header with its name and file ("(no log)" when there is none yet): what a failed test prints. */
export function componentLogs(files: Iterable<readonly [name: string, file: string]>): string {
  return [...files]
    .map(([name, file]) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        text = "(no log)";
      }
      return `===== ${name} (${file}) =====\n${text}`;
    })
    .join("\n");
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
