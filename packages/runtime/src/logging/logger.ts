import { randomBytes } from "node:crypto";
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

/**
 * Fields never written to logs, at the top level and up to two levels
 * down: Secret contents, tokens, passwords, keys and credentials. A
 * reconciler that logs an object or an error body cannot leak them.
 */
export const redactPaths: readonly string[] = [
  "data",
  "stringData",
  "token",
  "password",
  "privateKey",
  "authorization",
  "*.data",
  "*.stringData",
  "*.token",
  "*.password",
  "*.privateKey",
  "*.authorization",
  "*.*.token",
  "*.*.password",
  "*.*.privateKey",
  "*.*.authorization",
  "*.clientKeyData",
  "*.client-key-data",
  "*.bearerToken",
];

/** How to build the process's logger. */
export interface LoggerOptions {
  /** Default "info". */
  readonly level?: LevelWithSilent;
  /** Names the process in every line, e.g. "seedbed-operator". */
  readonly name?: string;
  /** Where lines go; stdout when absent (tests pass a memory stream). */
  readonly destination?: DestinationStream;
}

/**
 * The root logger: JSON lines, secrets redacted. Log messages start with a
 * capital letter and keys are lowerCamelCase (STYLE.md habit 8).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? "info",
    name: options.name,
    redact: { paths: [...redactPaths], censor: "[redacted]" },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that writes nothing: the default where a caller passes none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** A short random id (8 hex characters) naming one reconcile in the logs. */
export function shortId(): string {
  return randomBytes(4).toString("hex");
}

/** What identifies one reconcile in its log lines. */
export interface ReconcileLogContext {
  readonly controller: string;
  /** "namespace/name", or "name" for cluster-scoped objects. */
  readonly object: string;
  readonly reconcileId: string;
}

/** The child logger a reconcile gets: every line names the controller, the object and the reconcile. */
export function reconcileLogger(base: Logger, context: ReconcileLogContext): Logger {
  return base.child({ controller: context.controller, object: context.object, reconcileId: context.reconcileId });
}
