import { randomBytes } from "node:crypto";
import Provider, { type Account, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { escapeHTML, page } from "../html.ts";
import { deviceConfirmPage, deviceInputPage, deviceSuccessPage } from "./pages.ts";
import { signingAlgorithm, type IssuerState } from "./state.ts";
import type { IssuerStore } from "./store.ts";
import type { DevUser } from "./users.ts";

/** The only client of the development issuer: the Seedbed CLI and dashboard, a public (native) client. */
export const devClientID = "seedbed";

/** Where the login flows receive the code; any port is accepted (RFC 8252 §7.3). */
export const loopbackRedirectURI = "http://127.0.0.1/callback";

/** The scopes the client may ask for; `groups` is ours, the others are OIDC's. */
export const devScopes = ["openid", "email", "profile", "groups", "offline_access"] as const;

/** Lifetimes in seconds. */
export interface IssuerTTLs {
  readonly idToken: number;
  readonly refreshToken: number;
}

const minute = 60;
const day = 24 * 60 * minute;

/** Where the issuer reports its own failures; a pino logger fits. */
export interface IssuerLogger {
  error(context: Record<string, unknown>, message: string): void;
}

/** Builds the oidc-provider instance for an issuer URL and its state. */
export function createProvider(issuerURL: string, state: IssuerState, store: IssuerStore, ttl: IssuerTTLs, logger: IssuerLogger): Provider {
  const provider = new Provider(issuerURL, { ...configuration(state, ttl), adapter: (model: string) => store.adapter(model) });
  // oidc-provider reports its server errors through this event; only the
  // message is logged, never the request, which may carry a password or a token.
  provider.on("server_error", (_ctx: unknown, error: Error) => {
    logger.error({ issuerURL, error: error.message }, "Development issuer failed a request");
  });
  return provider;
}

function configuration(state: IssuerState, ttl: IssuerTTLs): Configuration {
  return {
    clients: [
      {
        client_id: devClientID,
        client_name: "Seedbed",
        // "native" makes oidc-provider accept the loopback redirect on any port.
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: [loopbackRedirectURI],
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
        scope: devScopes.join(" "),
        id_token_signed_response_alg: signingAlgorithm,
      },
    ],
    jwks: { keys: state.signingKeys.keys.map((key) => ({ ...key })) },
    // Sessions need not survive a restart (the signing keys do), so fresh cookie keys are enough.
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    scopes: [...devScopes],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
      groups: ["groups"],
    },
    // kube-apiserver reads the ID token only, so the claims go there rather
    // than to the userinfo endpoint alone.
    conformIdTokenClaims: false,
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const user = state.users.find((candidate) => candidate.username === sub);
      return user === undefined ? undefined : account(user);
    },
    // oidc-provider's own error page loads web fonts; ours works offline.
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      ctx.type = "html";
      ctx.body = page("Sign-in error", `<p><code>${escapeHTML(out.error)}</code> ${escapeHTML(out.error_description ?? "")}</p>`);
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    features: {
      // Their login accepts any password; ours is in interactions.ts.
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx: KoaContextWithOIDC, form: string, _out?: unknown, error?: Error) => {
          ctx.type = "html";
          ctx.body = deviceInputPage(form, error !== undefined);
        },
        userCodeConfirmSource: (ctx: KoaContextWithOIDC, form: string, _client: unknown, _info: unknown, userCode: string) => {
          ctx.type = "html";
          ctx.body = deviceConfirmPage(form, userCode);
        },
        successSource: (ctx: KoaContextWithOIDC) => {
          ctx.type = "html";
          ctx.body = deviceSuccessPage();
        },
      },
      revocation: { enabled: true },
    },
    pkce: { required: () => true },
    // A browser app on loopback (the dashboard, served by the REST API on
    // 127.0.0.1:<port>) calls the token and revocation endpoints from its
    // own origin; the default allows only the origins of the registered
    // redirect URIs, whose loopback port is any (RFC 8252) but whose
    // origin is port 80. Nothing off this machine is let in.
    clientBasedCORS: (_ctx: KoaContextWithOIDC, origin: string) => isLoopbackOrigin(origin),
    issueRefreshToken: (_ctx: KoaContextWithOIDC, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    // A public client cannot keep a refresh token secret: each one is used once.
    rotateRefreshToken: true,
    ttl: {
      IdToken: ttl.idToken,
      // The ID token is the credential; the access token is only for userinfo.
      AccessToken: ttl.idToken,
      AuthorizationCode: minute,
      DeviceCode: 10 * minute,
      Interaction: 10 * minute,
      RefreshToken: ttl.refreshToken,
      Session: day,
      Grant: ttl.refreshToken,
    },
  };
}

/** http://127.0.0.1:<port> or http://localhost:<port>: a page served on this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]") && url.origin === origin;
  } catch {
    return false;
  }
}

function account(user: DevUser): Account {
  return {
    accountId: user.username,
    // oidc-provider keeps only the claims of the granted scopes.
    claims: () => ({
      sub: user.username,
      email: user.email,
      email_verified: true,
      name: user.name,
      preferred_username: user.username,
      groups: [...user.groups],
    }),
  };
}
