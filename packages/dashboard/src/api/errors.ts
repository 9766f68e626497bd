/** An error the API answered with (or a failure to reach it), in words a person can act on. */
export class ApiError extends Error {
  /** The HTTP status; 0 when the API could not be reached. */
  readonly status: number;
  /** The API's reason (NotFound, Invalid, Forbidden…); "Unreachable" for a network failure. */
  readonly reason: string;
  /** The dotted path of the field at fault, such as `metadata.name`, when the API names one. */
  readonly field?: string;

  constructor(options: { status: number; reason: string; message: string; field?: string }) {
    super(options.message);
    this.name = "ApiError";
    this.status = options.status;
    this.reason = options.reason;
    if (options.field !== undefined) this.field = options.field;
  }
}

/** What a person reads when the API cannot be reached at all. */
export const unreachableMessage = "The Seedbed API cannot be reached. Check your network connection and that the server is running, then try again.";

/** Builds the ApiError of a failed response from its status and body text (JSON `{error:{…}}` or anything else). */
export function apiErrorFrom(status: number, statusText: string, bodyText: string): ApiError {
  const parsed = parseErrorBody(bodyText);
  if (parsed !== undefined) return new ApiError({ status, ...parsed });
  const text = bodyText.trim();
  const message = text !== "" && text.length < 300 && !text.startsWith("<") ? text : `The API answered ${status}${statusText === "" ? "" : ` ${statusText}`}.`;
  return new ApiError({ status, reason: reasonOf(status), message });
}

/** The reason, message and field of an error body, if the text is one. */
function parseErrorBody(text: string): { reason: string; message: string; field?: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { reason, message, field } = error as { reason?: unknown; message?: unknown; field?: unknown };
  if (typeof message !== "string") return undefined;
  return {
    reason: typeof reason === "string" ? reason : "Unknown",
    message,
    ...(typeof field === "string" ? { field } : {}),
  };
}

/** A reason for a status when the body names none. */
function reasonOf(status: number): string {
  const reasons: Record<number, string> = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "Invalid", 429: "TooManyRequests", 503: "ServiceUnavailable" };
  return reasons[status] ?? (status >= 500 ? "InternalError" : "Unknown");
}

/** Whether retrying could help: network failures and 5xx, never a 4xx. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status >= 500 || error.status === 429;
}

/** Words for any error: an ApiError's message, an Error's message, or a fallback. */
export function describeError(error: unknown): string {
  if (error instanceof Error && error.message !== "") return error.message;
  if (typeof error === "string" && error !== "") return error;
  return "Something went wrong.";
}
