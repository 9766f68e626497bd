import { generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { readSigningKeys, signingAlgorithm } from "./issuer/state.ts";

/** What a test token says; anything left out is taken from a valid token of alice's. */
export interface TestTokenInput {
  /** The development issuer's directory, whose private key signs (unless forged). */
  readonly dir: string;
  readonly issuerURL: string;
  readonly audience: string;
  readonly claims?: JWTPayload;
  /** Seconds since the epoch; the default is ten minutes from now. */
  readonly expiresAt?: number;
  readonly issuedAt?: number;
  /** Sign with a fresh key under the real key's kid: a forged signature and nothing else wrong. */
  readonly forgeSignature?: boolean;
}

const tenMinutes = 10 * 60;

/**
 * Signs an ID token the way the development issuer would, with one
 * property changed on purpose (audience, expiry, claims or signature), so
 * a test of a verifier can show it rejects exactly that.
 */
export async function signTestToken(input: TestTokenInput): Promise<string> {
  const { keys } = await readSigningKeys(input.dir);
  const jwk: JWK | undefined = keys[0];
  if (jwk?.kid === undefined) throw new Error(`the signing keys in ${input.dir} have no kid`);
  const key = input.forgeSignature === true ? (await generateKeyPair(signingAlgorithm)).privateKey : await importJWK(jwk, signingAlgorithm);
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = input.issuedAt ?? now;
  return new SignJWT({
    email: "alice@example.com",
    email_verified: true,
    name: "Alice",
    preferred_username: "alice",
    groups: [],
    ...input.claims,
  })
    .setProtectedHeader({ alg: signingAlgorithm, kid: jwk.kid, typ: "JWT" })
    .setIssuer(input.issuerURL)
    .setAudience(input.audience)
    .setSubject(typeof input.claims?.sub === "string" ? input.claims.sub : "alice")
    .setIssuedAt(issuedAt)
    .setExpirationTime(input.expiresAt ?? issuedAt + tenMinutes)
    .sign(key);
}
