// The CLI's error and exit codes, apart from errors.ts: `seedbed token`
// loads this without @kubernetes/client-node.
/** Exit codes scripts can rely on. */
export const ExitCode = {
  ok: 0,
  /** Anything not listed below. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** The cluster, project or object does not exist. */
  notFound: 3,
  /** It exists already. */
  exists: 4,
  /** The platform refused the request as invalid (the message says which field and what is allowed). */
  invalid: 5,
  /** The management API cannot be reached. */
  unreachable: 6,
  /** --wait gave up before the object reached the state asked for. */
  timeout: 7,
  /** The object reached a state it will not leave by itself (a terminal condition). */
  failed: 8,
  /** Not allowed for this user. */
  forbidden: 9,
  /** Not logged in, or the credentials were refused (HTTP 401: the session expired or was revoked): log in again. */
  unauthenticated: 10,
} as const;

/** What every "log in again" message ends with, so a user (and `explain`) can tell. */
export const loginHint = "log in again: seedbed login";

/** An error with the message a user reads and the exit code a script reads. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.failure) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
