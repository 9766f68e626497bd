import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { handleInteraction } from "./interactions.ts";
import { createProvider, devClientID, type IssuerLogger } from "./provider.ts";
import { loadOrCreateState } from "./state.ts";
import { IssuerStore } from "./store.ts";

/** Where and how the development issuer runs. */
export interface DevIssuerOptions {
  /** Keeps the CA, serving certificate, signing keys and users; created mode 0700 and reused on restart. */
  readonly dir: string;
  /** The port to listen on; 0 picks a free one (the issuer URL then names it). */
  readonly port: number;
  /** A loopback address or name; the default is 127.0.0.1. */
  readonly host?: string;
  /** ID token lifetime in seconds; the default is 10 minutes. Tests make short ones. */
  readonly idTokenTTLSeconds?: number;
  /** Refresh token lifetime in seconds; the default is 14 days. */
  readonly refreshTokenTTLSeconds?: number;
  /** Receives the issuer's own failures; the default writes one line to stderr. */
  readonly logger?: IssuerLogger;
}

/** A user of the development issuer as handed to developers and tests. */
export interface DevIssuerUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly groups: readonly string[];
}

/** A running development issuer. */
export interface DevIssuer {
  /** https://host:port, the tokens' `iss`. */
  readonly issuerURL: string;
  /** The CA that signed the serving certificate, as PEM and as the file in the issuer's directory. */
  readonly caPEM: string;
  readonly caFile: string;
  readonly clientID: string;
  readonly users: readonly DevIssuerUser[];
  /** Stops listening and closes open connections; safe to call twice. */
  stop(): Promise<void>;
}

const defaultIDTokenTTL = 10 * 60;

const stderrLogger: IssuerLogger = {
  error: (context, message) => {
    process.stderr.write(`[seedbed/identity] ${message} ${JSON.stringify(context)}\n`);
  },
};
const defaultRefreshTokenTTL = 14 * 24 * 60 * 60;

/**
 * Starts an OpenID Connect issuer for development and tests: oidc-provider
 * over HTTPS (kube-apiserver accepts only https issuers) with a private CA,
 * three users and the public client `seedbed`. Not for production: the
 * users and their passwords live in a file, and so do grants and refresh
 * tokens (sessions only in memory).
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const host = options.host ?? "127.0.0.1";
  const state = await loadOrCreateState(options.dir, host);
  const store = await IssuerStore.open(options.dir);
  const server = createServer({ cert: state.servingCertPEM, key: state.servingKeyPEM });
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  const issuerURL = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const logger = options.logger ?? stderrLogger;
  const provider = createProvider(
    issuerURL,
    state,
    store,
    { idToken: options.idTokenTTLSeconds ?? defaultIDTokenTTL, refreshToken: options.refreshTokenTTLSeconds ?? defaultRefreshTokenTTL },
    logger,
  );
  const oidc = provider.callback();
  // The server listens before the provider exists because the issuer URL
  // needs the port (0 picks one). The handler is added in the same turn of
  // the event loop as listen's callback, so no request can arrive before it.
  server.on("request", (req, res) => {
    handleInteraction(provider, state.users, req, res)
      .then(async (handled) => {
        if (!handled) await oidc(req, res);
      })
      .catch((error: unknown) => {
        logger.error({ issuerURL, error: error instanceof Error ? error.message : String(error) }, "Development issuer failed an interaction");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      });
  });

  let stopped: Promise<void> | undefined;
  return {
    issuerURL,
    caPEM: state.caPEM,
    caFile: state.caFile,
    clientID: devClientID,
    users: state.users.map(({ username, email, password, groups }) => ({ username, email, password, groups })),
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // kube-apiserver and clients keep connections alive; close them so stop() returns now.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
