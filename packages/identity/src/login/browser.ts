import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authorizationRequest, discover, exchangeCode, type IssuerClient, type TokenSet } from "./client.ts";
import { escapeHTML, page } from "../html.ts";

/** Options of the browser flow. */
export interface BrowserLoginOptions extends IssuerClient {
  /** Opens the authorization URL: the CLI prints it and tries xdg-open; tests drive the pages over HTTP. */
  openURL(url: string): void | Promise<void>;
  /** How long to wait for the browser to come back; the default is five minutes. */
  readonly timeoutMs?: number;
}

const callbackPath = "/callback";
const defaultTimeoutMs = 5 * 60 * 1000;

/**
 * Logs in with the authorization-code flow and PKCE through the user's
 * browser (RFC 8252): a listener on a random loopback port receives the
 * redirect, state and nonce are checked by the code exchange, and the
 * browser is told whether it worked.
 */
export async function loginWithBrowser(options: BrowserLoginOptions): Promise<TokenSet> {
  const config = await discover(options);
  const listener = await listenOnLoopback();
  try {
    const redirectURI = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}${callbackPath}`;
    const request = await authorizationRequest(config, redirectURI);
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    // openURL may only return once the browser is done, which needs our
    // answer on the callback: wait for whichever comes first and never for
    // both in sequence.
    const opened = Promise.resolve(options.openURL(request.url.href)).then(() => new Promise<never>(() => undefined));
    const { url, res } = await Promise.race([listener.callback, opened, rejectAfter(timeoutMs)]);
    try {
      const tokens = await exchangeCode(config, options, url, request);
      answer(res, 200, "Logged in", "You are logged in to Seedbed; you can close this window and return to the terminal.");
      return tokens;
    } catch (error) {
      answer(res, 400, "Login failed", `The login did not complete: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  } finally {
    listener.server.closeAllConnections();
    listener.server.close();
  }
}

interface Callback {
  readonly url: URL;
  readonly res: ServerResponse;
}

function listenOnLoopback(): Promise<{ server: Server; callback: Promise<Callback> }> {
  let deliver: (callback: Callback) => void = () => undefined;
  const callback = new Promise<Callback>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    // Browsers also ask for /favicon.ico and the like; only the callback counts, and only once.
    if (req.method !== "GET" || url.pathname !== callbackPath) {
      answer(res, 404, "Not found", "This address only receives the login redirect.");
      return;
    }
    deliver({ url, res });
    deliver = (later) => {
      answer(later.res, 409, "Already done", "This login has already received its answer.");
    };
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, callback });
    });
  });
}

function rejectAfter(ms: number): Promise<never> {
  return new Promise((_resolve, reject) => {
    setTimeout(() => {
      reject(new Error(`no login came back from the browser within ${Math.round(ms / 1000)} s`));
    }, ms).unref();
  });
}

function answer(res: ServerResponse, status: number, title: string, message: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", connection: "close" });
  res.end(page(title, `<p>${escapeHTML(message)}</p>`));
}
