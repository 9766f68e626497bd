import { connect, createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { silentLogger } from "@seedbed/runtime";
import { maxClientHelloBytes, readServerName } from "./client-hello.ts";
import { alertDescription, fatalAlert, type AlertDescription } from "./tls-alert.ts";
import { timerFor, tunnel } from "./tunnel.ts";

/** Where a server name is routed. */
export interface Backend {
  readonly host: string;
  readonly port: number;
}

/** What the proxy listens on, how it routes, and its time limits. */
export interface SNIProxyOptions {
  /** The address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** 0 for any free port. */
  readonly port: number;
  /**
   * The backend of a server name (lower-cased, without a trailing dot), or
   * undefined when the name is not routed. Only exact names are looked up:
   * the proxy never guesses by suffix or prefix.
   */
  resolve(serverName: string): Backend | undefined;
  readonly logger?: Logger;
  /** How long a client may take to send its ClientHello; default 10 s. */
  readonly helloTimeoutMs?: number;
  /** How long connecting to a backend may take; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** See TunnelOptions.halfCloseTimeoutMs; default 30 s. */
  readonly halfCloseTimeoutMs?: number;
}

/** A running proxy. */
export interface SNIProxy {
  /** The port it listens on (the one chosen when 0 was asked for). */
  readonly port: number;
  /** Sockets open now, client and backend sides both counted. */
  openSockets(): number;
  /** Stops listening and destroys every live connection; resolves once all are closed. */
  stop(): Promise<void>;
}

/** How long a rejected client may take to read its alert and close before it is destroyed. */
const rejectLingerMs = 2000;

/** Lower case, and one trailing dot dropped ("A.p1.Example.test." is "a.p1.example.test"). */
export function normalizeServerName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * A TLS pass-through proxy on one port: it reads the server name from each
 * client's ClientHello and connects the client to that name's backend
 * without terminating TLS, so the backend's certificate and client
 * certificate authentication work end to end. Unknown names, hellos
 * without SNI, malformed hellos and slow clients get a fatal TLS alert and
 * never reach a backend.
 */
export async function startSNIProxy(options: SNIProxyOptions): Promise<SNIProxy> {
  const log = options.logger ?? silentLogger();
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  // Half-open on both sides, so a client's FIN reaches the backend as a FIN (see tunnel).
  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    handleConnection(client, { ...options, log, track });
  });
  server.on("error", (error) => log.error({ error: error.message }, "SNI proxy server failed"));
  const port = await listen(server, options.host ?? "127.0.0.1", options.port);
  log.info({ host: options.host ?? "127.0.0.1", port }, "SNI proxy listening");

  let stopped: Promise<void> | undefined;
  return {
    port,
    openSockets: () => sockets.size,
    stop(): Promise<void> {
      stopped ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        const socketsClosed = [...sockets].map((socket) => new Promise<void>((resolve) => {
          if (socket.closed) resolve();
          else socket.once("close", () => resolve());
          socket.destroy();
        }));
        await Promise.all([serverClosed, ...socketsClosed]);
        log.info({ port }, "SNI proxy stopped");
      })();
      return stopped;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

interface ConnectionContext extends SNIProxyOptions {
  readonly log: Logger;
  track(socket: Socket): void;
}

/** What one connection came to, for its closing log line. */
interface Outcome {
  serverName?: string;
  outcome: "pending" | "routed" | "rejected" | "backend-failed";
  reason?: string;
  backend?: string;
}

/** Reads the hello, then rejects the client or tunnels it to its backend. */
function handleConnection(client: Socket, context: ConnectionContext): void {
  const started = performance.now();
  // Read now: a closed socket no longer knows its peer.
  const remote = `${client.remoteAddress ?? "?"}:${client.remotePort ?? "?"}`;
  const outcome: Outcome = { outcome: "pending" };
  let clientError: string | undefined;
  client.on("error", (error) => (clientError ??= error.message));
  client.once("close", () => {
    context.log.info(
      {
        remote,
        ...outcome,
        ...(clientError === undefined ? {} : { clientError }),
        durationMs: Math.round(performance.now() - started),
        bytesFromClient: client.bytesRead,
        bytesToClient: client.bytesWritten,
      },
      "Connection closed",
    );
  });

  let received = Buffer.alloc(0);
  const reject = (alert: AlertDescription, reason: string): void => {
    Object.assign(outcome, { outcome: "rejected", reason });
    stopReading();
    sendAlertAndClose(client, alert);
  };
  const clearHelloTimer = timerFor(client, context.helloTimeoutMs ?? 10_000, () => reject(alertDescription.handshakeFailure, "no ClientHello in time"));
  const onEnd = (): void => reject(alertDescription.decodeError, "client closed before its ClientHello");
  const onData = (chunk: Buffer): void => {
    received = Buffer.concat([received, chunk]);
    const hello = readServerName(received, maxClientHelloBytes);
    if (hello.status === "need-more") return;
    if (hello.status === "invalid") {
      reject(alertDescription.decodeError, `invalid ClientHello: ${hello.reason}`);
      return;
    }
    if (hello.status === "no-sni") {
      reject(alertDescription.handshakeFailure, "no server name");
      return;
    }
    const serverName = normalizeServerName(hello.serverName);
    outcome.serverName = serverName;
    const backend = lookUp(context, serverName);
    if (backend === "failed" || backend === undefined) {
      reject(backend === "failed" ? alertDescription.internalError : alertDescription.unrecognizedName, backend === "failed" ? "route lookup failed" : "unknown server name");
      return;
    }
    stopReading();
    // Hold further bytes in the socket until the backend is connected; pipe resumes it.
    client.pause();
    connectBackend(client, backend, received, outcome, context);
  };
  const stopReading = (): void => {
    clearHelloTimer();
    client.off("data", onData);
    client.off("end", onEnd);
  };
  client.on("data", onData);
  client.once("end", onEnd);
}

function lookUp(context: ConnectionContext, serverName: string): Backend | undefined | "failed" {
  try {
    return context.resolve(serverName);
  } catch (error) {
    context.log.error({ serverName, error: error instanceof Error ? error.message : String(error) }, "Route lookup failed");
    return "failed";
  }
}

/** Sends a fatal alert, reads and drops whatever else the client sends, and closes. */
function sendAlertAndClose(client: Socket, alert: AlertDescription): void {
  client.on("data", () => undefined);
  client.resume();
  if (!client.writableEnded) client.end(fatalAlert(alert));
  // A client that never closes its side is not waited for.
  timerFor(client, rejectLingerMs, () => client.destroy());
}

/** Connects to the backend, replays the hello, and joins the two sockets. */
function connectBackend(client: Socket, target: Backend, hello: Buffer, outcome: Outcome, context: ConnectionContext): void {
  outcome.backend = `${target.host}:${target.port}`;
  const backend = connect({ host: target.host, port: target.port, allowHalfOpen: true });
  context.track(backend);
  let connected = false;
  backend.on("error", (error) => {
    if (connected) return; // the tunnel's close handling deals with it
    Object.assign(outcome, { outcome: "backend-failed", reason: error.message });
    context.log.warn({ serverName: outcome.serverName, backend: outcome.backend, error: error.message }, "Backend unreachable");
    sendAlertAndClose(client, alertDescription.internalError);
  });
  const clearConnectTimer = timerFor(backend, context.connectTimeoutMs ?? 10_000, () => backend.destroy(new Error("connect timed out")));
  // A client gone while we connect takes its backend with it.
  const onClientClose = (): void => void backend.destroy();
  client.once("close", onClientClose);
  backend.once("connect", () => {
    connected = true;
    clearConnectTimer();
    client.off("close", onClientClose);
    outcome.outcome = "routed";
    for (const socket of [client, backend]) {
      socket.setNoDelay(true);
      // Watches stay idle for minutes: keep-alives find a peer that vanished.
      socket.setKeepAlive(true, 60_000);
    }
    backend.write(hello);
    tunnel(client, backend, { halfCloseTimeoutMs: context.halfCloseTimeoutMs });
  });
}
