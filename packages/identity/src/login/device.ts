import * as oidc from "openid-client";
import { discover, explainOAuthError, loginScopes, toTokenSet, type IssuerClient, type TokenSet } from "./client.ts";

/** What the user must be shown to approve a device login. */
export interface DeviceCodePrompt {
  /** The page to open on any device with a browser. */
  readonly verificationURI: string;
  /** The same page with the code filled in, when the issuer offers one. */
  readonly verificationURIComplete?: string;
  readonly userCode: string;
  /** Seconds until the code expires. */
  readonly expiresIn: number;
}

/** Options of the device flow. */
export interface DeviceCodeLoginOptions extends IssuerClient {
  /** Shows the code (the CLI prints it); awaited before polling starts. */
  onCode(prompt: DeviceCodePrompt): void | Promise<void>;
  /** Cancels the polling; by default it ends when the code expires. */
  readonly signal?: AbortSignal;
}

/**
 * Logs in with the OAuth device authorization grant (RFC 8628), for
 * terminals without a browser: the user approves the code on another
 * device while this polls the token endpoint at the issuer's interval.
 */
export async function loginWithDeviceCode(options: DeviceCodeLoginOptions): Promise<TokenSet> {
  const config = await discover(options);
  const authorization = await oidc.initiateDeviceAuthorization(config, { scope: loginScopes });
  await options.onCode({
    verificationURI: authorization.verification_uri,
    ...(authorization.verification_uri_complete === undefined ? {} : { verificationURIComplete: authorization.verification_uri_complete }),
    userCode: authorization.user_code,
    expiresIn: authorization.expires_in,
  });
  try {
    const response = await oidc.pollDeviceAuthorizationGrant(config, authorization, undefined, options.signal === undefined ? undefined : { signal: options.signal });
    return toTokenSet(options, response);
  } catch (error) {
    // access_denied: the user aborted; expired_token: nobody approved the code in time.
    throw explainOAuthError(`device login at ${options.issuerURL}`, error);
  }
}
