import * as oidc from "openid-client";
import { fetchTrusting } from "./http.ts";

/** The tokens a login yields; the ID token is the kube-apiserver credential. */
export interface TokenSet {
  readonly idToken: string;
  readonly refreshToken?: string;
  /** When the ID token expires, in seconds since the epoch (its `exp`). */
  readonly expiresAt: number;
  readonly issuerURL: string;
  readonly clientID: string;
}

/** Which issuer and client a flow talks to; caPEM is the issuer's CA when it is private. */
export interface IssuerClient {
  readonly issuerURL: string;
  readonly clientID: string;
  readonly caPEM?: string;
}

/** What every login asks for: an ID token with e-mail and groups, and a refresh token. */
export const loginScopes = "openid email profile groups offline_access";

/** Discovers the issuer over a fetch that trusts its CA, for a public client (PKCE, no secret). */
export async function discover(issuer: IssuerClient): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer.issuerURL), issuer.clientID, undefined, oidc.None(), {
    [oidc.customFetch]: fetchTrusting(issuer.caPEM),
  });
}

/** Turns a token endpoint response into a TokenSet; one without an ID token is an error. */
export function toTokenSet(
  issuer: IssuerClient,
  response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  previousRefreshToken?: string,
): TokenSet {
  const claims = response.claims();
  if (response.id_token === undefined || claims === undefined) throw new Error(`${issuer.issuerURL} returned no ID token`);
  // Without rotation an issuer sends no new refresh token: the old one stays valid.
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  return {
    idToken: response.id_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresAt: claims.exp,
    issuerURL: issuer.issuerURL,
    clientID: issuer.clientID,
  };
}

/** The PKCE verifier, state and nonce of one authorization request, and the URL that carries them. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly checks: { readonly pkceCodeVerifier: string; readonly expectedState: string; readonly expectedNonce: string };
}

/**
 * Names the OAuth error an issuer answered with (invalid_grant,
 * access_denied, ...) and its description: openid-client's own message
 * says only that there was one.
 */
export function explainOAuthError(action: string, error: unknown): Error {
  const oauth = error as { error?: unknown; error_description?: unknown };
  if (typeof oauth.error === "string") {
    const description = typeof oauth.error_description === "string" ? ` (${oauth.error_description})` : "";
    return new Error(`${action} failed: ${oauth.error}${description}`, { cause: error });
  }
  return new Error(`${action} failed: ${messages(error).join(": ")}`, { cause: error });
}

/** The messages of an error and its causes: openid-client's "invalid response encountered" says why only in its cause. */
function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth++) {
    found.push(current instanceof Error ? current.message : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return found;
}

/** Builds an authorization-code request with PKCE (S256), state and nonce. */
export async function authorizationRequest(config: oidc.Configuration, redirectURI: string): Promise<AuthorizationRequest> {
  const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
  const expectedState = oidc.randomState();
  const expectedNonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI,
    scope: loginScopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: "S256",
    state: expectedState,
    nonce: expectedNonce,
    // OpenID Connect grants offline_access (a refresh token) only with
    // prompt=consent; the development issuer consents for its own client
    // without a page, and other issuers ask once.
    prompt: "consent",
  });
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
}

/** Exchanges the code of a redirect for tokens, checking state, nonce and PKCE. */
export async function exchangeCode(config: oidc.Configuration, issuer: IssuerClient, callback: URL, request: AuthorizationRequest): Promise<TokenSet> {
  try {
    const response = await oidc.authorizationCodeGrant(config, callback, { ...request.checks, idTokenExpected: true });
    return toTokenSet(issuer, response);
  } catch (error) {
    throw explainOAuthError(`login at ${issuer.issuerURL}`, error);
  }
}
