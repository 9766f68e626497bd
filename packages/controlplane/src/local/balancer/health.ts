import { readFileSync } from "node:fs";
import { request } from "node:https";
import { isIP } from "node:net";
import { checkServerIdentity } from "node:tls";
import type { RouteAddress, RouteProbe } from "./routes.ts";

/**
 * What one probe (or one failed client connection) found out about a
 * backend: "unreachable" (nothing listens, the connection was reset or
 * timed out) takes it out at once, "failed" (a wrong answer) only when it
 * repeats.
 */
export type ProbeResult = { readonly outcome: "ok" } | { readonly outcome: "unreachable" | "failed"; readonly reason: string };

/** Whether a backend takes new connections, and why not. */
export interface BackendHealth {
  readonly up: boolean;
  /** Consecutive failed probes. */
  readonly failures: number;
  /** The last failure, for the log. */
  readonly reason?: string;
}

/** Before the first probe answers a backend counts as up: a balancer that restarts must not refuse every client for a second. */
export const initialHealth: BackendHealth = { up: true, failures: 0 };

/** Failed probes in a row that take a backend out; one slow answer alone does not. */
export const failuresToDown = 2;

/**
 * The health after one more result: up after one success; down after
 * `failuresToDown` failures in a row, or at once when it is unreachable
 * (the server is gone: waiting would only send clients to it).
 */
export function nextHealth(health: BackendHealth, result: ProbeResult): BackendHealth {
  if (result.outcome === "ok") return initialHealth;
  const failures = health.failures + 1;
  const up = result.outcome === "failed" && failures < failuresToDown && health.up;
  return { up, failures, reason: result.reason };
}

/** Where and how to probe one backend: read afresh before every probe, so a changed route applies without a restart. */
export interface ProbeTarget {
  readonly backend: RouteAddress;
  readonly probe: RouteProbe;
  /** The name the serving certificate must carry (see probeServerName). */
  readonly serverName: string;
}

/** A probe that has not answered by then counts as failed. */
const probeTimeoutMs = 2000;

/**
 * One HTTPS GET of the probe path with the probe's client certificate. The
 * files are read on every probe, so rotated certificates are picked up;
 * errors name the file, never its content.
 */
export function probeBackend(target: ProbeTarget): Promise<ProbeResult> {
  const { backend, probe, serverName } = target;
  let tls: { ca: Buffer; cert: Buffer; key: Buffer };
  try {
    tls = { ca: readProbeFile(probe.caFile, "caFile"), cert: readProbeFile(probe.certFile, "certFile"), key: readProbeFile(probe.keyFile, "keyFile") };
  } catch (error) {
    return Promise.resolve({ outcome: "failed", reason: (error as Error).message });
  }
  return new Promise((resolve) => {
    const req = request(
      {
        host: backend.host,
        port: backend.port,
        path: probe.path,
        method: "GET",
        ...tls,
        // SNI carries host names only (RFC 6066); an IP is still checked below.
        ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
        checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate),
        timeout: probeTimeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? { outcome: "ok" } : { outcome: "failed", reason: `${probe.path} answered ${res.statusCode ?? "nothing"}` });
      },
    );
    req.once("timeout", () => req.destroy(new Error(`no answer within ${probeTimeoutMs} ms`)));
    req.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "ECONNREFUSED" ? { outcome: "unreachable", reason: "connection refused" } : { outcome: "failed", reason: error.code ?? error.message });
    });
    req.end();
  });
}

function readProbeFile(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read probe.${field} ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`, { cause: error });
  }
}

/** Options of a backend monitor. */
export interface BackendMonitorOptions {
  readonly target: () => ProbeTarget;
  /** The probe interval, read before every wait. */
  readonly intervalMs: () => number;
  /** Called when the backend goes up or down (not on every probe). */
  readonly onChange: (health: BackendHealth) => void;
  /** Injected in tests; probeBackend by default. */
  readonly probe?: (target: ProbeTarget) => Promise<ProbeResult>;
}

/**
 * Probes one backend, one probe at a time, and keeps its health. Failed
 * connections of clients report here too, so a dead server is taken out
 * before its next probe.
 */
export class BackendMonitor {
  readonly #options: BackendMonitorOptions;
  #health: BackendHealth = initialHealth;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: BackendMonitorOptions) {
    this.#options = options;
  }

  /** The current health. */
  get health(): BackendHealth {
    return this.#health;
  }

  /** Probes now, then every interval until stopped. */
  start(): void {
    this.#schedule(0);
  }

  /** Stops probing; a probe under way is ignored when it answers. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Takes a result in, from a probe or from a client connection. */
  report(result: ProbeResult): void {
    if (this.#stopped) return;
    const previous = this.#health;
    this.#health = nextHealth(previous, result);
    if (previous.up !== this.#health.up) this.#options.onChange(this.#health);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const probe = this.#options.probe ?? probeBackend;
      // A bad key or certificate makes https.request throw: a failed probe, never a crash.
      const probing = Promise.resolve().then(() => probe(this.#options.target()));
      void probing.catch((error: unknown): ProbeResult => ({ outcome: "failed", reason: (error as Error).message })).then((result) => {
        this.report(result);
        this.#schedule(this.#options.intervalMs());
      });
    }, delayMs);
  }
}
