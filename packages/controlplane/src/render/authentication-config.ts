import { stringify } from "yaml";

/** One OIDC issuer a kube-apiserver accepts ID tokens from. */
export interface JWTIssuer {
  /** https:// URL; must equal the tokens' `iss`. */
  readonly issuerURL: string;
  /** The tokens' audience: the OIDC client id. */
  readonly clientID: string;
  /** PEM of the CA that signed the issuer's serving certificate; the system's roots when omitted. */
  readonly caPEM?: string;
  readonly usernameClaim?: string;
  readonly usernamePrefix?: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix?: string;
}

/**
 * The kube-apiserver's structured AuthenticationConfiguration
 * (`--authentication-config`) for these issuers. Pure and byte-stable, so
 * an unchanged configuration never restarts or re-rolls an API server.
 * The username defaults to the `email` claim, which the API server only
 * accepts with `email_verified: true` when the token carries that claim.
 */
export function renderAuthenticationConfig(issuers: readonly JWTIssuer[]): string {
  return stringify(
    {
      apiVersion: "apiserver.config.k8s.io/v1",
      kind: "AuthenticationConfiguration",
      jwt: issuers.map((issuer) => ({
        issuer: {
          url: issuer.issuerURL,
          audiences: [issuer.clientID],
          ...(issuer.caPEM === undefined ? {} : { certificateAuthority: issuer.caPEM }),
        },
        claimMappings: {
          username: { claim: issuer.usernameClaim ?? "email", prefix: issuer.usernamePrefix ?? "" },
          groups: { claim: issuer.groupsClaim ?? "groups", prefix: issuer.groupsPrefix ?? "" },
        },
      })),
    },
    { lineWidth: 0 },
  );
}
