import type { Cluster, NodePool } from "@seedbed/api";
import type { ErrorBody } from "../src/index.ts";
import type { ObjectSummary } from "../src/kube/project-watch.ts";

/** The error of an error response. */
export type ErrorDetail = ErrorBody["error"];

/** A response with its parsed JSON body. */
export interface JsonResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  /** The body, as the test expects it to be. */
  readonly body: T;
  /** The body's error; a placeholder holding the body when there is none, so a failed assertion shows it. */
  readonly error: ErrorDetail;
}

/** A call of the API: method, path under /api/v1, token and body. */
export type Call = <T = unknown>(method: string, path: string, options?: CallOptions) => Promise<JsonResponse<T>>;

function errorOf(status: number, body: unknown): ErrorDetail {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  return error ?? { status, reason: "(no error)", message: JSON.stringify(body) };
}

/** What a test request carries besides method and path. */
export interface CallOptions {
  readonly token?: string;
  /** Sent as JSON, or as is when a string. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A client of one server, as a script would call it. */
export function client(baseURL: string): Call {
  return async <T>(method: string, path: string, options: CallOptions = {}): Promise<JsonResponse<T>> => {
    const headers: Record<string, string> = { ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers };
    let sent: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] ??= "application/json";
      sent = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${baseURL}/api/v1${path}`, { method, headers, body: sent });
    const text = await response.text();
    const body: unknown = text === "" ? undefined : JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as T, error: errorOf(response.status, body) };
  };
}

/** One server-sent event. */
export interface StreamEvent {
  readonly event: string;
  readonly data: ObjectSummary & { object: Cluster | NodePool };
}

/** An open event stream: events and comments as they arrive. */
export interface EventStream {
  readonly status: number;
  readonly contentType: string | null;
  /** The error when the stream was refused. */
  readonly error: ErrorDetail;
  /** Resolves with the first event (from the start of the stream) that matches, or fails after `timeoutMs`. */
  next(match: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** Whether the server ended the stream. */
  ended(): boolean;
  /** Comment lines seen so far (heartbeats). */
  comments(): readonly string[];
  close(): void;
}

/** Opens GET `path` as server-sent events. */
export async function openStream(baseURL: string, path: string, token: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(`${baseURL}/api/v1${path}`, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, signal: abort.signal });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  let refusal: unknown;
  let ended = false;
  if (!response.ok) refusal = JSON.parse(await response.text());
  else if (response.body) {
    const decoder = new TextDecoder();
    let buffer = "";
    const pump = async (): Promise<void> => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split("\n");
          for (const line of lines.filter((l) => l.startsWith(":"))) comments.push(line.slice(1).trim());
          const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
          const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as StreamEvent["data"] });
        }
      }
    };
    pump().then(() => (ended = true), () => undefined);
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    error: errorOf(response.status, refusal),
    async next(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data.kind, e.data.name]))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    ended: () => ended,
    comments: () => comments,
    close: () => abort.abort(),
  };
}
