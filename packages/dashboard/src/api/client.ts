import { createContext, createElement, useContext, type ReactNode } from "react";
import { ApiError, apiErrorFrom, unreachableMessage } from "./errors.ts";

export { ApiError, describeError, isRetryable } from "./errors.ts";

/** The base of every REST path: the API is served on the dashboard's own origin. */
export const apiBase = "/api/v1";

/** Methods that change something. */
export type ChangeMethod = "POST" | "PUT" | "PATCH" | "DELETE";

/** The REST API with the signed-in user's token. Paths are relative to /api/v1, e.g. `/projects/a/clusters`. */
export interface Api {
  /** GET a JSON document. */
  get: <T>(path: string) => Promise<T>;
  /** Sends a JSON body (PATCH as application/merge-patch+json) and returns the JSON answer. */
  send: <T>(method: ChangeMethod, path: string, body?: unknown) => Promise<T>;
  /** Saves what a GET returns as a file named `filename` (a `{kubeconfig}` answer saves the kubeconfig itself). */
  download: (path: string, filename: string) => Promise<void>;
  /** Opens a streaming GET (an SSE watch) and returns the response once its status is OK. */
  stream: (path: string, signal: AbortSignal) => Promise<Response>;
}

/** What the API client needs from the sign-in: a fresh ID token, and what to do on a 401. */
export interface ApiAuth {
  /** The ID token to send as the bearer (refreshed first when about to expire). */
  token: () => Promise<string>;
  /** The API refused the token: the user signs in again. */
  unauthorized: (message: string) => void;
}

/** Builds the API client over fetch. */
export function createApi(auth: ApiAuth, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): Api {
  async function request(method: string, path: string, init: { body?: unknown; accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await auth.token()}`, accept: init.accept ?? "application/json" };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
      body = JSON.stringify(init.body);
    }
    let response: Response;
    try {
      response = await fetchImpl(`${apiBase}${path}`, { method, headers, ...(body === undefined ? {} : { body }), ...(init.signal ? { signal: init.signal } : {}) });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError({ status: 0, reason: "Unreachable", message: unreachableMessage });
    }
    if (response.ok) return response;
    const error = apiErrorFrom(response.status, response.statusText, await response.text().catch(() => ""));
    if (response.status === 401) auth.unauthorized(error.message);
    throw error;
  }

  async function json<T>(response: Response): Promise<T> {
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  return {
    get: async <T,>(path: string) => json<T>(await request("GET", path)),
    send: async <T,>(method: ChangeMethod, path: string, body?: unknown) => json<T>(await request(method, path, { body })),
    download: async (path: string, filename: string) => {
      const response = await request("GET", path, { accept: "application/json, */*" });
      const blob = await downloadable(response);
      saveBlob(blob, filename);
    },
    stream: (path: string, signal: AbortSignal) => request("GET", path, { accept: "text/event-stream", signal }),
  };
}

/** The file a download saves: a kubeconfig answer's YAML, else the body as it came. */
async function downloadable(response: Response): Promise<Blob> {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return response.blob();
  const body = (await response.json()) as unknown;
  if (typeof body === "object" && body !== null && typeof (body as { kubeconfig?: unknown }).kubeconfig === "string") {
    return new Blob([(body as { kubeconfig: string }).kubeconfig], { type: "application/yaml" });
  }
  return new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
}

/** Hands a blob to the browser as a download. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start reading the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const ApiContext = createContext<Api | undefined>(undefined);

/** Provides the API client to the signed-in part of the app. */
export function ApiProvider(props: { api: Api; children: ReactNode }): ReactNode {
  return createElement(ApiContext.Provider, { value: props.api }, props.children);
}

/** The API client with the signed-in user's token. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error("useApi needs an ApiProvider (the user must be signed in)");
  return api;
}
