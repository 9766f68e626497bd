import type { Socket } from "node:net";

/** How long one side of a tunnel may stay open after the other closed. */
export interface TunnelOptions {
  /**
   * After one socket closed cleanly, the other (already told with a FIN)
   * gets this long to finish and close before it is destroyed: a peer that
   * never closes its half must not keep a socket forever. Default 30 s.
   */
  readonly halfCloseTimeoutMs?: number;
}

/**
 * Runs `fn` after `ms` unless `socket` closes first: every timer of a
 * connection dies with its socket, so none outlives it.
 */
export function timerFor(socket: Socket, ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, ms);
  const clear = (): void => {
    clearTimeout(timer);
    socket.off("close", clear);
  };
  socket.once("close", clear);
  return clear;
}

/**
 * Pipes two connected sockets into each other until both are done. Both
 * must be made with `allowHalfOpen: true`, so that a FIN from one side is
 * passed on as a FIN (pipe's end) while data still flows the other way —
 * HTTP clients and kube-apiserver both rely on half-close. An error or an
 * abortive close on one side destroys the other at once; after a clean
 * close the other side gets `halfCloseTimeoutMs` to finish. The caller
 * listens for "error" on both sockets.
 */
export function tunnel(a: Socket, b: Socket, options: TunnelOptions = {}): void {
  const halfCloseTimeoutMs = options.halfCloseTimeoutMs ?? 30_000;
  const settle = (other: Socket, hadError: boolean): void => {
    if (other.destroyed) return;
    // Not yet ended means the closed side never sent its FIN: it was reset or destroyed.
    if (hadError || !other.writableEnded) {
      other.destroy();
      return;
    }
    timerFor(other, halfCloseTimeoutMs, () => other.destroy());
  };
  a.once("close", (hadError) => settle(b, hadError));
  b.once("close", (hadError) => settle(a, hadError));
  a.pipe(b);
  b.pipe(a);
}
