import { authorizationRequest, discover, exchangeCode, type IssuerClient, type TokenSet } from "./client.ts";
import { signInOverHTTP } from "./sign-in.ts";

/** A user name and password for the development issuer's login form. */
export interface PasswordLoginOptions extends IssuerClient {
  readonly caPEM: string;
  readonly username: string;
  readonly password: string;
}

/** The redirect URI of the password flow: never connected to, the code is read from the redirect itself. */
const redirectURI = "http://127.0.0.1/callback";

/**
 * Logs in without a browser, for the development issuer only: runs an
 * authorization-code flow with PKCE and fills the issuer's own login form
 * over HTTP, taking the code from the redirect to the loopback URI. A
 * wrong password fails with "login failed for <user>: invalid user name or
 * password".
 */
export async function loginWithPassword(options: PasswordLoginOptions): Promise<TokenSet> {
  const config = await discover(options);
  const request = await authorizationRequest(config, redirectURI);
  const target = new URL(redirectURI);
  const result = await signInOverHTTP({
    url: request.url,
    caPEM: options.caPEM,
    username: options.username,
    password: options.password,
    stopAt: (location) => location.origin === target.origin && location.pathname === target.pathname,
  });
  if (!(result instanceof URL)) throw new Error(`login for ${options.username} ended on ${result.url.pathname} (${result.status}) instead of redirecting back`);
  return exchangeCode(config, options, result, request);
}
