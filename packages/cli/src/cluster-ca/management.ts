import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { parse } from "yaml";
import { credentialsDir, managementKubeconfigOf } from "../credentials.ts";

/** How the login's kubeconfig reaches the management API (its user is the session's token plugin, so the token comes separately). */
export interface ManagementSession {
  readonly server: string;
  readonly caPEM?: string;
  readonly tlsServerName?: string;
  readonly insecure?: boolean;
}

interface ClusterEntry {
  server?: unknown;
  "certificate-authority-data"?: unknown;
  "certificate-authority"?: unknown;
  "tls-server-name"?: unknown;
  "insecure-skip-tls-verify"?: unknown;
}

/**
 * The management API of the current login (credentials/management.kubeconfig,
 * written by `seedbed login`), or undefined when nobody is logged in. The
 * exec plugin talks to it with the token it has just obtained instead of
 * through that kubeconfig's user, which would run the plugin once more.
 */
export function readManagementSession(env: NodeJS.ProcessEnv = process.env): ManagementSession | undefined {
  const path = managementKubeconfigOf(credentialsDir(env));
  if (!existsSync(path)) return undefined;
  const file = (parse(readFileSync(path, "utf8")) ?? {}) as { clusters?: { cluster?: ClusterEntry }[] };
  const cluster = file.clusters?.[0]?.cluster;
  if (typeof cluster?.server !== "string") return undefined;
  const data = cluster["certificate-authority-data"];
  const caFile = cluster["certificate-authority"];
  const caPEM = typeof data === "string" ? Buffer.from(data, "base64").toString("utf8") : typeof caFile === "string" && existsSync(caFile) ? readFileSync(caFile, "utf8") : undefined;
  return {
    server: cluster.server,
    ...(caPEM === undefined ? {} : { caPEM }),
    ...(typeof cluster["tls-server-name"] === "string" ? { tlsServerName: cluster["tls-server-name"] } : {}),
    ...(cluster["insecure-skip-tls-verify"] === true ? { insecure: true } : {}),
  };
}

/** An HTTP error of the management API; `code` is its status, as client-node's ApiException has it (the ledger code reads that). */
export class ManagementError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = "ManagementError";
    this.code = code;
  }
}

/** Raw JSON requests to the management API: what the ledger's requestLedgerClient needs, and a GET of the Cluster. */
export interface ManagementRequester {
  request<T>(method: "GET" | "POST" | "PATCH", path: string, options?: { readonly body?: unknown; readonly contentType?: string }): Promise<T>;
}

/**
 * Requests as the user (their ID token as bearer), each given up when
 * `signal` aborts. One connection per request and none kept: the plugin
 * makes a handful at most, and must exit as soon as it is done.
 */
export function managementRequester(session: ManagementSession, token: string, signal: AbortSignal): ManagementRequester {
  return {
    request: <T>(method: "GET" | "POST" | "PATCH", path: string, options: { readonly body?: unknown; readonly contentType?: string } = {}): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const body = options.body === undefined ? undefined : JSON.stringify(options.body);
        const req = request(
          new URL(`${session.server.replace(/\/+$/, "")}${path}`),
          {
            method,
            agent: false,
            signal,
            ...(session.caPEM === undefined ? {} : { ca: session.caPEM }),
            ...(session.tlsServerName === undefined ? {} : { servername: session.tlsServerName }),
            ...(session.insecure === true ? { rejectUnauthorized: false } : {}),
            headers: {
              authorization: `Bearer ${token}`,
              accept: "application/json",
              ...(body === undefined ? {} : { "content-type": options.contentType ?? "application/json", "content-length": Buffer.byteLength(body) }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const status = res.statusCode ?? 0;
              if (status < 200 || status >= 300) {
                // The API's Status message only: never the request, which carries the token.
                let message = text.slice(0, 200);
                try {
                  const parsed = (JSON.parse(text) as { message?: unknown }).message;
                  if (typeof parsed === "string") message = parsed;
                } catch {
                  // not JSON: keep the text
                }
                reject(new ManagementError(status, `${method} ${path}: HTTP ${status}: ${message}`));
                return;
              }
              try {
                resolve((text === "" ? {} : JSON.parse(text)) as T);
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      }),
  };
}
