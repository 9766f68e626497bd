import { ApiException } from "@kubernetes/client-node";
import { CliError, ExitCode } from "./cli-error.ts";

export { CliError, ExitCode } from "./cli-error.ts";

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
      return new CliError("the management API refused our credentials (401): log in again, or check --kubeconfig", ExitCode.unreachable);
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
