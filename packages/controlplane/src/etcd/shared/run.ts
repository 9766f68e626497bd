import { execFile } from "node:child_process";
import { binaryPath } from "@seedbed/binaries";
import { EtcdctlError } from "../etcdctl.ts";

/**
 * How Seedbed reaches a shared etcd as one etcd user. etcd runs with
 * --client-cert-auth, so the client certificate's Common Name IS the user:
 * no password is ever sent (a password would take precedence over the CN).
 */
export interface SharedEtcdAccess {
  /** Client URLs of the members (https://host:port); at least one. */
  readonly endpoints: readonly string[];
  /** CA that signed the members' serving certificates. */
  readonly caFile: string;
  /** Client certificate whose CN is the etcd user ("root" for Seedbed itself), and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The etcdctl to run; the pinned one (binaryPath("etcdctl")) by default. */
  readonly binary?: string;
  /** etcdctl's --command-timeout for one call, ms (default 30 s). */
  readonly timeoutMs?: number;
}

/** Options of one etcdctl call. */
export interface RunOptions {
  /** Written to etcdctl's standard input (txn reads its requests there). */
  readonly input?: string;
  readonly timeoutMs?: number;
  /**
   * The stdin and command line carry tenant data (txn values: a tenant's
   * Secrets live in its keys), so etcdctl's error, which may echo a request
   * line, is cut to its first words.
   */
  readonly redact?: boolean;
}

/** Largest stdout accepted: a page of keys with their values, as base64 JSON. */
const maxStdoutBytes = 512 * 1024 * 1024;

/** etcdctl commands whose second word is the operation ("user add", "role grant-permission"). */
const groups: ReadonlySet<string> = new Set(["user", "role", "auth", "lease"]);

/** Checks an access's fields; throws naming the field and the fix. */
export function checkAccess(access: SharedEtcdAccess, caller: string): void {
  if (access.endpoints.length === 0) throw new Error(`${caller}: endpoints is empty; give at least one client URL of the shared etcd`);
  for (const field of ["caFile", "certFile", "keyFile"] as const) {
    if (access[field] === "") throw new Error(`${caller}: ${field} is empty; give the path of the PEM file`);
  }
}

/**
 * Runs `etcdctl <args>` as the access's user and returns stdout; throws an
 * EtcdctlError with etcdctl's own error line. The environment is clean, so a
 * caller's ETCDCTL_* variables (a user, a password) cannot change the call.
 */
export function runEtcdctl(access: SharedEtcdAccess, args: readonly string[], options: RunOptions = {}): Promise<string> {
  checkAccess(access, `etcdctl ${args[0] ?? ""}`);
  const timeoutMs = options.timeoutMs ?? access.timeoutMs ?? 30_000;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const global = [
    `--endpoints=${access.endpoints.join(",")}`,
    `--cacert=${access.caFile}`,
    `--cert=${access.certFile}`,
    `--key=${access.keyFile}`,
    `--command-timeout=${seconds}s`,
    `--dial-timeout=${Math.min(seconds, 5)}s`,
  ];
  // The subcommand names the error; keys and values given as arguments never do.
  const command = groups.has(args[0] ?? "") ? args.slice(0, 2).join(" ") : (args[0] ?? "");
  const binary = access.binary ?? binaryPath("etcdctl");
  return new Promise((resolve, reject) => {
    const child = execFile(binary, [...global, ...args], { timeout: timeoutMs + 5000, maxBuffer: maxStdoutBytes, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout);
        return;
      }
      const killed = error.killed ? `killed after ${timeoutMs + 5000} ms\n` : "";
      const spawnFailure = typeof error.code === "string" ? `cannot run ${binary}: ${error.code}\n` : "";
      const detail = options.redact === true ? redacted(stderr) : stderr;
      reject(new EtcdctlError(command, `${spawnFailure}${killed}${detail}`.trim(), typeof error.code === "number" ? error.code : undefined));
    });
    // An error writing stdin (etcdctl exited early) shows in the exit status above.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
  });
}

/** etcdctl's error lines without what follows "request:" (where txn echoes the request, values included). */
function redacted(stderr: string): string {
  return stderr
    .split("\n")
    .map((line) => line.replace(/(request|comparison):.*$/, "$1: <redacted>"))
    .join("\n");
}

/** True when etcd refused the call for the user's lack of permission. */
export function isPermissionDenied(error: unknown): boolean {
  return error instanceof EtcdctlError && error.stderr.includes("permission denied");
}

/** True when etcdctl failed with one of these etcd error texts (e.g. "user name already exists"). */
export function failedWith(error: unknown, ...texts: readonly string[]): boolean {
  return error instanceof EtcdctlError && texts.some((t) => error.stderr.includes(t));
}
