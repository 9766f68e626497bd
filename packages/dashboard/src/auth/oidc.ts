import * as oidc from "openid-client";
import type { DashboardConfig } from "../api/types.ts";
import type { PendingLogin } from "./pending.ts";

/** The signed-in user's tokens and who they are; kept in memory only. */
export interface Session {
  /** The bearer for /api/v1. */
  idToken: string;
  refreshToken?: string;
  /** The ID token's exp, in seconds since the epoch. */
  expiresAt: number;
  user: { email: string; name?: string };
}

/** Where the issuer sends the browser back: the dashboard's own /callback. */
export function redirectURI(origin: string = location.origin): string {
  return `${origin}/callback`;
}

/** Discovers the issuer (its metadata is CORS-open) for the public client. */
export async function discover(config: DashboardConfig): Promise<oidc.Configuration> {
  const issuer = new URL(config.issuerURL);
  try {
    return await oidc.discovery(issuer, config.clientID, undefined, oidc.None(), {
      // A plain-HTTP issuer is only for local development; openid-client refuses it unless told.
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to stand out; used for http:// issuers alone
      ...(issuer.protocol === "http:" ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw new Error(`The sign-in service at ${issuer.origin} cannot be reached (${explain(error)}). If it uses a private certificate authority, open ${issuer.origin} once and accept its certificate, then try again.`, { cause: error });
  }
}

/** Builds the authorization request (code + PKCE S256, state, nonce) and the checks to keep for the callback. */
export async function authorizationRequest(config: oidc.Configuration, options: { scopes: string; returnTo: string; forceLogin: boolean }): Promise<{ url: URL; pending: PendingLogin }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI(),
    scope: options.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
    // consent: issuers grant offline_access (a refresh token) only with it,
    // as the CLI asks. login after a sign-out: the issuer's own session
    // would otherwise log the user straight back in.
    prompt: options.forceLogin ? "login consent" : "consent",
  });
  return { url, pending: { codeVerifier, state, nonce, returnTo: options.returnTo } };
}

/** Exchanges the callback's code for tokens, checking state, nonce and PKCE. */
export async function finishLogin(config: oidc.Configuration, callback: URL, pending: PendingLogin): Promise<Session> {
  const issuerError = callback.searchParams.get("error");
  if (issuerError !== null) {
    const description = callback.searchParams.get("error_description");
    throw new Error(`The sign-in service refused the sign-in: ${issuerError}${description ? ` (${description})` : ""}.`);
  }
  try {
    const response = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return toSession(response);
  } catch (error) {
    throw new Error(`Signing in failed: ${explain(error)}.`, { cause: error });
  }
}

/** Trades the refresh token for new tokens; a rotating issuer returns a new refresh token, which replaces the old. */
export async function refresh(config: oidc.Configuration, session: Session): Promise<Session> {
  if (session.refreshToken === undefined) throw new Error("the sign-in service gave no refresh token");
  try {
    const response = await oidc.refreshTokenGrant(config, session.refreshToken);
    return toSession(response, session);
  } catch (error) {
    throw new Error(`Renewing the sign-in failed: ${explain(error)}`, { cause: error });
  }
}

/** Revokes the refresh token; a failure is ignored (the tokens are dropped either way). */
export async function revoke(config: oidc.Configuration, session: Session): Promise<void> {
  if (session.refreshToken === undefined) return;
  try {
    await oidc.tokenRevocation(config, session.refreshToken, { token_type_hint: "refresh_token" });
  } catch {
    // Signing out must work even when the issuer cannot be reached.
  }
}

/** A token response as a Session; previous keeps the refresh token of an issuer that does not rotate it. */
function toSession(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previous?: Session): Session {
  const claims = response.claims();
  if (response.id_token === undefined || claims === undefined) throw new Error("the sign-in service returned no ID token");
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const email = typeof claims.email === "string" ? claims.email : claims.sub;
  const name = typeof claims.name === "string" ? claims.name : undefined;
  return {
    idToken: response.id_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresAt: claims.exp,
    user: { email, ...(name === undefined ? {} : { name }) },
  };
}

/** The OAuth error and description an issuer answered with, or the error's messages. */
export function explain(error: unknown): string {
  const oauth = error as { error?: unknown; error_description?: unknown };
  if (typeof oauth.error === "string") {
    return typeof oauth.error_description === "string" ? `${oauth.error} (${oauth.error_description})` : oauth.error;
  }
  const messages: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth++) {
    messages.push(current instanceof Error ? current.message : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(": ");
}
