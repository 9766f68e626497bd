import { ApiException } from "@kubernetes/client-node";
import { CliError, ExitCode, loginHint } from "./cli-error.ts";

export { CliError, ExitCode, loginHint } from "./cli-error.ts";

/** What the request was about, for messages. */
export interface ErrorSubject {
  readonly kind: string;
  readonly name?: string;
  readonly project?: string;
  readonly server?: string;
}

/** Turns an API or network error into a CliError that says what to do. */
export function explain(error: unknown, subject: ErrorSubject): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ApiException) return explainAPIError(error, subject);
  // The kubeconfig's exec plugin (`seedbed token`) failed: client-node throws its stderr.
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes(loginHint)) return new CliError(message.trim().replace(/^seedbed: /, ""), ExitCode.unauthenticated);
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (code !== undefined && ["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT"].includes(code)) {
    return new CliError(`cannot reach the Seedbed management API${subject.server === undefined ? "" : ` at ${subject.server}`} (${code}): is the platform running? Start it with \`make up\``, ExitCode.unreachable);
  }
  return new CliError(error instanceof Error ? error.message : String(error));
}

function explainAPIError(error: ApiException<unknown>, subject: ErrorSubject): CliError {
  const what = `${subject.kind}${subject.name === undefined ? "" : ` ${subject.name}`}`;
  const where = subject.project === undefined ? "" : ` in project ${subject.project}`;
  const status = parseStatus(error.body);
  switch (error.code) {
    case 404:
      return status.kind === "namespaces" || /namespaces? ".*" not found/.test(status.message)
        ? new CliError(`project ${subject.project ?? "?"} does not exist: list projects with \`kubectl get projects\` or pass --project`, ExitCode.notFound)
        : new CliError(`${what} not found${where}`, ExitCode.notFound);
    case 409:
      return new CliError(`${what} already exists${where}: choose another name`, ExitCode.exists);
    case 422:
    case 400:
      return new CliError(`${what} is invalid:\n${status.causes.length > 0 ? status.causes.map((c) => `  ${c}`).join("\n") : `  ${status.message}`}`, ExitCode.invalid);
    case 401:
      return new CliError(`the management API${subject.server === undefined ? "" : ` at ${subject.server}`} did not accept your credentials (401: the session expired or was revoked, or it belongs to another platform); ${loginHint} (or check --kubeconfig)`, ExitCode.unauthenticated);
    case 403:
      return new CliError(`not allowed: ${status.message}`, ExitCode.forbidden);
    default:
      return new CliError(`the management API answered ${error.code}: ${status.message}`, ExitCode.failure);
  }
}

interface ParsedStatus {
  readonly message: string;
  readonly kind?: string;
  readonly causes: string[];
}

function parseStatus(body: unknown): ParsedStatus {
  try {
    const status = JSON.parse(String(body)) as { message?: string; details?: { kind?: string; causes?: { field?: string; message?: string }[] } };
    return {
      message: status.message ?? String(body),
      kind: status.details?.kind,
      causes: (status.details?.causes ?? []).map((c) => (c.field === undefined ? (c.message ?? "") : `${c.field}: ${c.message ?? ""}`)),
    };
  } catch {
    return { message: String(body), causes: [] };
  }
}
