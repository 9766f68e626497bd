import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What the server serves and where. */
export interface MetricsServerOptions {
  readonly registry: Registry;
  /** 0 picks a free port; the bound port is returned. */
  readonly port: number;
  /**
   * Default 127.0.0.1. In a pod, pass "0.0.0.0" so Prometheus and the
   * kubelet's probes can reach it; on a laptop nothing else should.
   */
  readonly host?: string;
  /** /healthz: is the process alive (default: always). */
  readonly healthy?: () => boolean;
  /** /readyz: has it started (default: always). */
  readonly ready?: () => boolean;
}

/** A running metrics server. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /metrics, /healthz and /readyz with node:http (no framework needed for three routes). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Scrapers keep connections open; do not let them hold close() up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function handle(options: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  switch (path) {
    case "/metrics": {
      const body = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType }).end(body);
      return;
    }
    case "/healthz":
      probe(res, options.healthy?.() ?? true);
      return;
    case "/readyz":
      probe(res, options.ready?.() ?? true);
      return;
    default:
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  }
}

function probe(res: ServerResponse, ok: boolean): void {
  res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "not ready\n");
}
