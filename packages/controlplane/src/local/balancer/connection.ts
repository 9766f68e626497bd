import { connect, type Socket } from "node:net";
import type { ProbeResult } from "./health.ts";
import type { RouteAddress } from "./routes.ts";

/** A backend a connection may go to. */
export interface ConnectionTarget extends RouteAddress {
  readonly name: string;
}

/** Options of one proxied client connection. */
export interface ProxiedConnectionOptions {
  readonly client: Socket;
  /** The listen address the client came in on (its connections close with it). */
  readonly listener: string;
  /** The next backend to try, never one of `tried`; undefined when none is left. */
  readonly pick: (tried: ReadonlySet<string>) => ConnectionTarget | undefined;
  /** A backend could not be reached, reset the connection, or did not answer in time (counted as a failed probe). */
  readonly onFailure: (backend: string, result: ProbeResult) => void;
  /** The connection is gone, on both sides. */
  readonly onClose: () => void;
  /** How long a backend may take to accept, and then to answer the first bytes. */
  readonly connectTimeoutMs: number;
}

/**
 * Bytes held from a client before a backend has answered. A TLS client
 * sends its ClientHello (a few hundred bytes) and waits; anything beyond
 * this waits in the kernel (the client is paused).
 */
const replayLimitBytes = 64 * 1024;

/** How long a client may keep its side open once the backend has closed. */
const lingerMs = 5000;

/**
 * One client connection passed through to a backend, TLS untouched. Until
 * the backend sends its first byte, everything the client sent is kept, so
 * that a backend that refuses, resets or does not answer is replaced by the
 * next one with the client none the wiser: the client saw nothing of the
 * failed attempt. After that first byte the connection is committed and
 * simply piped both ways.
 */
export class ProxiedConnection {
  readonly listener: string;
  readonly #options: ProxiedConnectionOptions;
  readonly #client: Socket;
  readonly #tried = new Set<string>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #clientEnded = false;
  #upstream: Socket | undefined;
  #backend: string | undefined;
  #connected = false;
  #committed = false;
  #closed = false;

  constructor(options: ProxiedConnectionOptions) {
    this.#options = options;
    this.#client = options.client;
    this.listener = options.listener;
  }

  /** The backend tried or used now. */
  get backend(): string | undefined {
    return this.#backend;
  }

  /** True once the backend answered: from then on the connection belongs to it. */
  get committed(): boolean {
    return this.#committed;
  }

  /** Starts reading from the client and connecting to a backend. */
  start(): void {
    const client = this.#client;
    client.setNoDelay(true);
    client.setKeepAlive(true, 30_000);
    client.on("data", this.#onClientData);
    client.once("end", this.#onClientEnd);
    client.on("error", () => this.destroy());
    client.once("close", () => this.destroy());
    this.#attempt();
  }

  /** Closes both sides at once. */
  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
    this.#upstream?.destroy();
    this.#options.onClose();
  }

  readonly #onClientData = (chunk: Buffer): void => {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#connected && this.#upstream) {
      this.#upstream.write(chunk);
      this.#upstream.setTimeout(this.#options.connectTimeoutMs);
    }
    if (this.#pendingBytes > replayLimitBytes) this.#client.pause();
  };

  readonly #onClientEnd = (): void => {
    this.#clientEnded = true;
    if (this.#connected) this.#upstream?.end();
  };

  #attempt(): void {
    if (this.#closed) return;
    const target = this.#options.pick(this.#tried);
    if (target === undefined) {
      this.destroy();
      return;
    }
    this.#tried.add(target.name);
    this.#backend = target.name;
    this.#connected = false;
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    this.#upstream = upstream;
    upstream.setNoDelay(true);
    upstream.setTimeout(this.#options.connectTimeoutMs);
    const listeners: AttemptListeners = {
      connect: (): void => {
        this.#onConnect(upstream);
      },
      timeout: (): void => {
        // Not accepting is a dead server; accepting but not answering may be a slow one, or a client that sent half a hello.
        const outcome = this.#connected ? "failed" : "unreachable";
        const reason = this.#connected ? `no answer within ${this.#options.connectTimeoutMs} ms` : `not accepting within ${this.#options.connectTimeoutMs} ms`;
        this.#fail(upstream, listeners, target.name, { outcome, reason });
      },
      data: (chunk: Buffer): void => {
        this.#commit(upstream, listeners, chunk);
      },
      error: (error: NodeJS.ErrnoException): void => {
        this.#fail(upstream, listeners, target.name, { outcome: "unreachable", reason: error.code ?? error.message });
      },
      close: (): void => {
        // Closed without a word (no reset): rather what a server does with bytes it does not take; the next one may.
        this.#fail(upstream, listeners, target.name, undefined);
      },
    };
    addListeners(upstream, listeners);
  }

  #onConnect(upstream: Socket): void {
    if (this.#closed || upstream !== this.#upstream) return;
    this.#connected = true;
    upstream.setKeepAlive(true, 30_000);
    for (const chunk of this.#pending) upstream.write(chunk);
    if (this.#clientEnded) upstream.end();
    // Nothing sent yet, so no answer to wait for: a client may connect and wait.
    if (this.#pendingBytes === 0) upstream.setTimeout(0);
  }

  /** A failure before the backend answered: report it and try the next backend, replaying what the client sent. */
  #fail(upstream: Socket, listeners: AttemptListeners, backend: string, result: ProbeResult | undefined): void {
    if (this.#closed || this.#committed || upstream !== this.#upstream) return;
    removeListeners(upstream, listeners);
    upstream.on("error", () => undefined);
    upstream.destroy();
    this.#upstream = undefined;
    if (result !== undefined) this.#options.onFailure(backend, result);
    this.#attempt();
  }

  #commit(upstream: Socket, listeners: AttemptListeners, first: Buffer): void {
    if (this.#closed || upstream !== this.#upstream) return;
    this.#committed = true;
    this.#pending = [];
    upstream.setTimeout(0);
    // Synchronously, inside the first "data" event: the pipe below takes the next chunk.
    removeListeners(upstream, listeners);
    const client = this.#client;
    client.off("data", this.#onClientData);
    client.off("end", this.#onClientEnd);
    client.write(first);
    upstream.pipe(client);
    // An ended client was already passed on (end() on connect or on its end).
    if (!this.#clientEnded) client.pipe(upstream);
    upstream.on("error", () => this.destroy());
    upstream.once("close", (hadError) => {
      if (hadError) {
        this.destroy();
        return;
      }
      // The pipe ended the client's side; let it flush, and close it if the client never closes its own.
      client.end();
      client.setTimeout(lingerMs, () => this.destroy());
    });
  }
}

/** The listeners of one attempt, removed again when it fails or commits. */
interface AttemptListeners {
  readonly connect: () => void;
  readonly timeout: () => void;
  readonly data: (chunk: Buffer) => void;
  readonly error: (error: NodeJS.ErrnoException) => void;
  readonly close: () => void;
}

function addListeners(socket: Socket, listeners: AttemptListeners): void {
  socket.on("connect", listeners.connect).on("timeout", listeners.timeout).on("data", listeners.data).on("error", listeners.error).on("close", listeners.close);
}

function removeListeners(socket: Socket, listeners: AttemptListeners): void {
  socket.off("connect", listeners.connect).off("timeout", listeners.timeout).off("data", listeners.data).off("error", listeners.error).off("close", listeners.close);
}
