// What a client of a tenant does while its control plane changes under it:
// GETs with a bearer token, each on a new TCP connection, trusting the CA
// bundle it is given at that moment (a client that refreshes its kubeconfig
// from the platform does). Shared by the certificate tests and the
// rotation benchmark.
import { request } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";

/** One failed request: when, and why (an error message or "HTTP <status>"). */
export interface LoopFailure {
  readonly at: number;
  readonly why: string;
}

/** What a token loop saw. */
export interface TokenLoopResult {
  readonly ok: number;
  readonly failures: readonly LoopFailure[];
  /** Serial numbers of the serving certificates met, in the order first met: a renewal or rotation shows as a new one. */
  readonly servingSerials: readonly string[];
}

/** Stops a loop and returns what it saw. */
export interface Stoppable<T> {
  stop(): Promise<T>;
}

/** Runs `once` over and over with `pauseMs` between, until stopped. */
export function repeat(once: () => Promise<void>, pauseMs: number): { state: { running: boolean }; done: Promise<void> } {
  const state = { running: true };
  const done = (async () => {
    while (state.running) {
      await once();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return { state, done };
}

/**
 * GETs the default namespace of `server` with the token `token()` gives,
 * each on a new connection, trusting the bundle `ca()` gives at that
 * moment; records each failure and each serving certificate met.
 */
export function tokenLoop(server: string, ca: () => string, token: () => string, pauseMs = 100): Stoppable<TokenLoopResult> {
  let ok = 0;
  const failures: LoopFailure[] = [];
  const serials: string[] = [];
  const url = new URL("/api/v1/namespaces/default", server);
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const caPem = ca();
      const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token()}` }, agent: false, timeout: 10_000 }, (res) => {
        // An empty object when the socket is already gone.
        const peer: Partial<PeerCertificate> = (res.socket as TLSSocket).getPeerCertificate();
        const serial = peer.serialNumber;
        if (serial !== undefined && !serials.includes(serial)) serials.push(serial);
        // The body of a refusal says who was refused and why (the 200 body is not kept).
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (res.statusCode !== 200 && body.length < 300) body += chunk;
        });
        res.on("end", () => {
          if (res.statusCode === 200) ok++;
          else failures.push({ at: Date.now(), why: `HTTP ${String(res.statusCode)} ${refusal(body)}`.trim() });
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timed out after 10 s")));
      req.on("error", (error) => {
        failures.push({ at: Date.now(), why: error.message });
        resolve();
      });
      req.end();
    });
  const { state, done } = repeat(once, pauseMs);
  return {
    async stop() {
      state.running = false;
      await done;
      return { ok, failures, servingSerials: serials };
    },
  };
}

/** The message of a Kubernetes Status body, or the body's start. */
function refusal(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
