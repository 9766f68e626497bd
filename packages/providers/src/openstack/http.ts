/** How the OpenStack provider reaches the network; injectable so tests can count or break calls. */
export interface HttpOptions {
  readonly fetch: typeof globalThis.fetch;
  /** Per request: a hung API must not hang the reconciler's worker. */
  readonly timeoutMs: number;
}

/** A non-2xx answer of an OpenStack API; `status` lets callers treat 404 on delete as done. */
export class OpenStackApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "OpenStackApiError";
    this.status = status;
  }
}

/** One answered request: the status, the headers and the body parsed as JSON (undefined when empty). */
export interface JsonReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * Sends one JSON request and parses the reply. Non-2xx answers become an
 * OpenStackApiError whose message carries the API's own explanation (for
 * example Nova's "Quota exceeded for instances"), since that is what the
 * user has to act on.
 */
export async function sendJson(
  http: HttpOptions,
  what: string,
  request: { method: string; url: string; token?: string; body?: unknown },
): Promise<JsonReply> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (request.token !== undefined) headers["X-Auth-Token"] = request.token;
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await http.fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(http.timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`OpenStack ${what}: ${request.method} ${request.url} failed: ${reason}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new OpenStackApiError(`OpenStack ${what}: ${request.method} ${pathOf(request.url)} answered ${response.status}: ${errorMessage(text)}`, response.status);
  }
  let body: unknown = undefined;
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`OpenStack ${what}: ${request.method} ${pathOf(request.url)} answered ${response.status} with a body that is not JSON`);
    }
  }
  return { status: response.status, headers: response.headers, body };
}

/** The path and query only: hosts of the catalog add nothing to an error message. */
function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/**
 * The explanation in an OpenStack error body. Nova wraps it as
 * {"forbidden": {"message": …}}, Keystone as {"error": {"message": …}},
 * Neutron as {"NeutronError": {"message": …}}; Glance may answer plain text.
 */
function errorMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) {
      for (const value of Object.values(parsed as Record<string, unknown>)) {
        if (typeof value === "object" && value !== null && "message" in value && typeof value.message === "string") return value.message;
      }
      if ("message" in parsed && typeof parsed.message === "string") return parsed.message;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const trimmed = text.trim();
  return trimmed === "" ? "(no body)" : trimmed.slice(0, 300);
}
