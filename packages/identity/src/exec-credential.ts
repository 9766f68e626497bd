import type { TokenSet } from "./login/client.ts";

/** The object a kubectl exec credential plugin prints (client.authentication.k8s.io/v1). */
export interface ExecCredential {
  readonly apiVersion: "client.authentication.k8s.io/v1";
  readonly kind: "ExecCredential";
  readonly status: { readonly token: string; readonly expirationTimestamp: string };
}

/**
 * The ExecCredential for a token set: the ID token as the bearer token,
 * and its expiry so kubectl asks again only when it runs out.
 */
export function execCredential(tokenSet: TokenSet): ExecCredential {
  return {
    apiVersion: "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    status: {
      token: tokenSet.idToken,
      // RFC 3339 without fractions, as Kubernetes writes its own timestamps.
      expirationTimestamp: new Date(tokenSet.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
  };
}
