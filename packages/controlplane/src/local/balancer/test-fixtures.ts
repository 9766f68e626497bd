// Test fixtures of the balancer's tests (not part of the package's API):
// HTTPS servers standing in for kube-apiservers, and a client going
// through the balancer.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from "@seedbed/pki";
import type { RouteProbe } from "./routes.ts";

/** A CA, a serving certificate for 127.0.0.1 only, and client certificates for the probe and for clients. */
export interface TestPKI {
  readonly caPem: string;
  readonly serving: IssuedCertificate;
  readonly client: IssuedCertificate;
  /** The probe's files on disk, as a route names them. */
  readonly probe: RouteProbe;
  /** Removes the files. */
  readonly remove: () => void;
}

/** Makes the PKI and writes the probe's files to a fresh directory. */
export async function createTestPKI(): Promise<TestPKI> {
  const ca = await createCertificateAuthority({ commonName: "balancer-test-ca" });
  // Like a kube-apiserver's: it names the balancer's address (127.0.0.1), not the backend's own (127.0.0.2).
  const serving = await issueCertificate(ca, { commonName: "kube-apiserver", altNames: ["127.0.0.1"], usage: "server" });
  const probeCert = await issueCertificate(ca, { commonName: "system:seedbed:lb-probe", usage: "client" });
  const client = await issueCertificate(ca, { commonName: "admin", usage: "client" });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-balancer-pki-"));
  const file = (name: string, content: string): string => {
    writeFileSync(join(dir, name), content, { mode: 0o600 });
    return join(dir, name);
  };
  return {
    caPem: ca.certificatePem,
    serving,
    client,
    probe: { path: "/readyz", caFile: file("ca.crt", ca.certificatePem), certFile: file("probe.crt", probeCert.certificatePem), keyFile: file("probe.key", probeCert.privateKeyPem) },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The host every test backend listens on: not the balancer's, so the probe must check the certificate against the listen host. */
export const backendHost = "127.0.0.2";

/**
 * An HTTPS server standing in for a kube-apiserver: it requires a client
 * certificate of the CA, answers /readyz with 200 while `ready`, and any
 * other path with its own name.
 */
export class TestBackend {
  readonly name: string;
  readonly server: Server;
  ready = true;
  /** TLS connections of clients (not of the probe) so far. */
  clientConnections = 0;

  private constructor(name: string, server: Server) {
    this.name = name;
    this.server = server;
  }

  /** Starts one on a free port of backendHost. */
  static async start(pki: TestPKI, name: string): Promise<TestBackend> {
    const server = createServer({ key: pki.serving.privateKeyPem, cert: pki.serving.certificatePem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true });
    const backend = new TestBackend(name, server);
    server.on("request", (req, res) => {
      if (req.url === "/readyz") {
        res.writeHead(backend.ready ? 200 : 500).end(backend.ready ? "ok" : "not ready");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end(name);
    });
    server.on("secureConnection", (socket) => {
      if (socket.getPeerCertificate().subject.CN === "admin") backend.clientConnections++;
    });
    await new Promise<void>((resolve) => server.listen(0, backendHost, resolve));
    return backend;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The route entry for it. */
  entry(): { name: string; host: string; port: number } {
    return { name: this.name, host: backendHost, port: this.port };
  }

  /** Stops listening at once (as a dead server would), lets requests under way finish, and drops the rest. */
  async kill(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await Promise.race([closed, sleep(2000)]);
    this.server.closeAllConnections();
  }
}

/** An answer through the balancer. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** GET https://127.0.0.1:port/path with the client certificate; a new connection unless an agent is given. */
export function get(pki: TestPKI, port: number, options: { path?: string; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: options.path ?? "/", ca: pki.caPem, cert: pki.client.certificatePem, key: pki.client.privateKeyPem, agent: options.agent ?? false, timeout: 5000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.once("timeout", () => req.destroy(new Error("timed out")));
    req.once("error", reject);
    req.end();
  });
}

/** A keep-alive agent that holds one connection, for tests of connections that stay open. */
export function keepAliveAgent(pki: TestPKI): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, ca: pki.caPem, cert: pki.client.certificatePem, key: pki.client.privateKeyPem });
}

/** Waits until `check` holds, polling; fails with `what` after timeoutMs. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Counts how often each body came back. */
export function tally(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { body } of answers) counts[body] = (counts[body] ?? 0) + 1;
  return counts;
}
