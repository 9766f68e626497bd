import { ApiException, KubernetesObjectApi, type HttpMethod, type KubeConfig, type KubernetesObject, type ResponseContext } from "@kubernetes/client-node";
import { makeApiClient, SharedConnection } from "./connection.ts";

/** What one raw request carries besides the method and path. */
export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Content type of the body (a patch strategy); application/json when absent. */
  readonly contentType?: string;
  /** Aborts the request, e.g. when a deadline passes. */
  readonly signal?: AbortSignal;
}

/**
 * client-node's KubernetesObjectApi, made to return JSON exactly as the API
 * server sent it and to send objects as given.
 *
 * Why: KubernetesObjectApi turns built-in kinds into generated model
 * classes (`creationTimestamp` becomes a Date, unknown fields are dropped
 * on the way out), while Watch delivers plain JSON. An informer cache fed
 * by both would hold either shape depending on the path an object took,
 * and a server-side apply of a field newer than client-node's models would
 * silently lose it. We keep its authentication, TLS and discovery
 * (`specUriPath`) and replace only the (de)serialisation.
 */
export class ObjectClient extends KubernetesObjectApi {
  /**
   * A client for `kc`'s current context (its default namespace included),
   * reusing `connection` (a new pool of its own when absent).
   */
  static fromKubeConfig(kc: KubeConfig, connection: SharedConnection = new SharedConnection()): ObjectClient {
    const client = makeApiClient(kc, ObjectClient, connection);
    client.setDefaultNamespace(kc);
    return client;
  }

  /** One request; resolves with the parsed JSON body, throws ApiException on a non-2xx status. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(name, String(value));
    }
    if (options.body !== undefined) {
      ctx.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(options.body));
    }
    if (options.signal) ctx.setSignal(options.signal);
    return (await this.requestPromise(ctx)) as T;
  }

  /**
   * The path of `obj` (found through discovery, cached per apiVersion),
   * with an optional subresource such as "status".
   */
  async pathOf(obj: KubernetesObject, subresource?: string): Promise<string> {
    // specUriPath fills in defaults on the object it gets: give it a copy.
    const header = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace } };
    const path = await this.specUriPath(header, "patch");
    return subresource === undefined ? path : `${path}/${subresource}`;
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, _type?: string): Promise<T> {
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const text = await response.body.text();
      return (text === "" ? {} : JSON.parse(text)) as T;
    }
    throw new ApiException(response.httpStatusCode, "Unsuccessful HTTP Request", await response.getBodyAsAny(), response.headers);
  }
}

/** The HTTP status of a failed API call, if it was one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  return undefined;
}

/** True when an API call failed because the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/** True when an API call failed on a resourceVersion precondition or an existing name. */
export function isConflict(error: unknown): boolean {
  return statusCodeOf(error) === 409;
}

/** A short, log-safe description of an API error: status and the server's message, never headers or bodies. */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    let message = "";
    if (typeof body === "string") {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === "string") message = parsed.message;
      } catch {
        message = body.slice(0, 200);
      }
    }
    return `HTTP ${error.code}${message ? `: ${message}` : ""}`;
  }
  // fetch reports a refused connection as "fetch failed", with the reason in `cause`.
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
