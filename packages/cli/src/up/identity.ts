import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JWTIssuerConfig } from "@seedbed/controlplane";
import { startDevIssuer, type DevIssuer } from "@seedbed/identity";

/** Who the platform's users log in with. */
export interface PlatformIdentity {
  /** What every API server trusts. */
  readonly login: JWTIssuerConfig;
  /** Set when this is the development issuer `seedbed up` runs itself. */
  readonly devIssuer?: DevIssuer;
  stop(): Promise<void>;
}

/**
 * The issuer named by $SEEDBED_OIDC_ISSUER_URL (Dex, Keycloak, any OIDC
 * provider; with $SEEDBED_OIDC_CLIENT_ID, $SEEDBED_OIDC_CA_FILE,
 * $SEEDBED_OIDC_USERNAME_CLAIM, $SEEDBED_OIDC_GROUPS_CLAIM), or else the
 * development issuer on loopback, its state in $SEEDBED_HOME/oidc.
 */
export async function startPlatformIdentity(home: string, port: number, env: NodeJS.ProcessEnv): Promise<PlatformIdentity> {
  const issuerURL = env.SEEDBED_OIDC_ISSUER_URL;
  if (issuerURL !== undefined && issuerURL !== "") {
    if (!issuerURL.startsWith("https://")) throw new Error(`SEEDBED_OIDC_ISSUER_URL must be an https:// URL (API servers accept no other), got "${issuerURL}"`);
    const caFile = env.SEEDBED_OIDC_CA_FILE;
    return {
      login: {
        issuerURL,
        clientID: env.SEEDBED_OIDC_CLIENT_ID ?? "seedbed",
        ...(caFile === undefined || caFile === "" ? {} : { caPEM: readFileSync(caFile, "utf8") }),
        usernameClaim: env.SEEDBED_OIDC_USERNAME_CLAIM ?? "email",
        groupsClaim: env.SEEDBED_OIDC_GROUPS_CLAIM ?? "groups",
      },
      stop: () => Promise.resolve(),
    };
  }
  const devIssuer = await startDevIssuer({ dir: join(home, "oidc"), port });
  return { login: { issuerURL: devIssuer.issuerURL, clientID: devIssuer.clientID, caPEM: devIssuer.caPEM }, devIssuer, stop: () => devIssuer.stop() };
}
