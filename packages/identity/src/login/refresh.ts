import * as oidc from "openid-client";
import { discover, explainOAuthError, toTokenSet, type TokenSet } from "./client.ts";

/**
 * Trades the refresh token of a set for a new ID token (and, with a
 * rotating issuer, a new refresh token). The set names its issuer and
 * client; caPEM is the issuer's CA.
 */
export async function refreshTokens(tokenSet: TokenSet, caPEM?: string): Promise<TokenSet> {
  if (tokenSet.refreshToken === undefined) throw new Error(`the tokens from ${tokenSet.issuerURL} have no refresh token: log in again`);
  const issuer = { issuerURL: tokenSet.issuerURL, clientID: tokenSet.clientID, ...(caPEM === undefined ? {} : { caPEM }) };
  const config = await discover(issuer);
  try {
    const response = await oidc.refreshTokenGrant(config, tokenSet.refreshToken);
    return toTokenSet(issuer, response, tokenSet.refreshToken);
  } catch (error) {
    // invalid_grant here means the refresh token expired, was used already or its grant was revoked: log in again.
    throw explainOAuthError(`refresh at ${tokenSet.issuerURL}`, error);
  }
}
