import { oidcPrefixProblem, sharedEndpointName, type Cluster, type ClusterTemplate } from "@seedbed/api";
import { renderAuthenticationConfiguration, type CertificateNames, type JWTIssuerConfig } from "@seedbed/controlplane";
import { InvalidSpecError } from "./resolve.ts";

/** How users reach every cluster of the platform: who they log in with, and the one shared endpoint. */
export interface PlatformAccess {
  /** The platform's OIDC issuer, trusted by every cluster whose spec.auth.platformLogin is true (the default). */
  readonly login?: JWTIssuerConfig;
  /** The SNI gateway: each cluster is also served as <cluster>.<project>.<domain> on this port. */
  readonly sharedEndpoint?: { readonly domain: string; readonly port: number };
}

/**
 * The AuthenticationConfiguration of a cluster's kube-apiserver: the
 * platform's issuer (unless the cluster opts out) and the cluster's own
 * issuer from spec.auth.oidc; undefined when it trusts no issuer.
 */
export function authenticationConfigFor(cluster: Cluster, template: ClusterTemplate | undefined, access: PlatformAccess = {}): string | undefined {
  const auth = cluster.spec.auth ?? template?.spec.auth;
  const issuers: JWTIssuerConfig[] = [];
  if (access.login && auth?.platformLogin !== false) issuers.push(access.login);
  // The same issuer twice is refused by the API server; the platform's entry wins.
  if (auth?.oidc && auth.oidc.issuerURL !== access.login?.issuerURL) {
    const problem = ownIssuerPrefixProblem(auth.oidc, access.login);
    if (problem !== undefined) throw new InvalidSpecError("InvalidOIDC", problem);
    issuers.push(auth.oidc);
  }
  if (issuers.length === 0) return undefined;
  try {
    return renderAuthenticationConfiguration({ issuers });
  } catch (error) {
    throw new InvalidSpecError("InvalidOIDC", `spec.auth.oidc: ${(error as Error).message}`);
  }
}

/**
 * Why the prefixes of a cluster's own issuer would let it assert the
 * platform's users or groups, or undefined. Admission refuses such prefixes
 * too, but an object stored before that rule (CRD validation ratcheting
 * keeps an unchanged old value) must not get its issuer trusted either; nor
 * one whose prefix overlaps a prefix the platform's issuer uses.
 */
export function ownIssuerPrefixProblem(own: { readonly usernamePrefix?: string; readonly groupsPrefix?: string }, platform: JWTIssuerConfig | undefined): string | undefined {
  for (const [field, prefix, platformPrefix] of [
    ["usernamePrefix", own.usernamePrefix ?? "", platform?.usernamePrefix ?? ""],
    ["groupsPrefix", own.groupsPrefix ?? "", platform?.groupsPrefix ?? ""],
  ] as const) {
    const problem = oidcPrefixProblem(prefix);
    if (problem !== undefined) return `spec.auth.oidc.${field} ${JSON.stringify(prefix)} ${problem}`;
    // The platform's names are <platformPrefix>…; with an empty one they are anything, and the rules above keep ours apart.
    if (platformPrefix !== "" && (prefix.startsWith(platformPrefix) || platformPrefix.startsWith(prefix))) {
      return `spec.auth.oidc.${field} ${JSON.stringify(prefix)} overlaps the platform issuer's ${JSON.stringify(platformPrefix)}, so this issuer could assert the platform's names; choose one such that neither begins with the other`;
    }
  }
  return undefined;
}

/** The cluster's name and URL on the shared SNI endpoint, when the platform has one. */
export function sharedEndpointOf(cluster: Cluster, access: PlatformAccess = {}): { name: string; url: string } | undefined {
  if (!access.sharedEndpoint) return undefined;
  const name = sharedEndpointName(cluster.metadata.namespace ?? "", cluster.metadata.name ?? "", access.sharedEndpoint.domain);
  return { name, url: `https://${name}:${String(access.sharedEndpoint.port)}` };
}

/** The shared endpoint passes TLS through: the API server's own certificate must carry its name too. */
export function withSharedName(names: CertificateNames, shared: { name: string } | undefined): CertificateNames {
  return shared ? { ...names, apiServer: [...names.apiServer, shared.name] } : names;
}

/** The status field naming the shared endpoint; absent (not undefined) without one, so an unchanged status compares equal. */
export function sharedEndpointStatus(shared: { url: string } | undefined): { sharedEndpoint?: string } {
  return shared ? { sharedEndpoint: shared.url } : {};
}
