import type { Logger } from "pino";

/** What a reconcile is asked to do: only the object's name, never an event payload (STYLE.md habit 1). */
export interface ReconcileRequest {
  /** Undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
}

/** What a reconcile gets besides its request. */
export interface ReconcileContext {
  /** Names the controller, the object and this reconcile in every line. */
  readonly log: Logger;
  /** A short random id, also in the log context. */
  readonly reconcileId: string;
  /** Aborted when the controller stops: long waits should end early. */
  readonly signal?: AbortSignal;
}

/** "Come back later": the key is queued again after `requeueAfter` milliseconds. */
export interface ReconcileResult {
  readonly requeueAfter?: number;
}

/**
 * The reconcile contract (STYLE.md habit 3): resolve to finish (optionally
 * asking to come back later), throw to be retried with per-key backoff,
 * throw a TerminalError when retrying cannot help.
 */
export interface Reconciler {
  reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined>;
}

/**
 * A failure retrying cannot fix, such as an invalid spec: the key is not
 * retried and its backoff is reset. The reconciler reports it in a
 * condition itself; the controller only logs and counts it.
 */
export class TerminalError extends Error {
  /** Like Error; put the underlying error in `options.cause`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** True if `error` is a TerminalError or wraps one in its `cause` chain (as Go's errors.As would find). */
export function isTerminalError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/** The queue key of a request: "namespace/name", or "name" when cluster-scoped. */
export function requestKey(request: ReconcileRequest): string {
  return request.namespace ? `${request.namespace}/${request.name}` : request.name;
}

/** The request of a queue key (names and namespaces cannot contain "/"). */
export function parseRequestKey(key: string): ReconcileRequest {
  const slash = key.indexOf("/");
  return slash === -1 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
