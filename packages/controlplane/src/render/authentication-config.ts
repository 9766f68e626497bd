import { stringify } from "yaml";

/** One OIDC issuer kube-apiserver accepts ID tokens from. */
export interface JWTIssuerConfig {
  /** https URL; must equal the tokens' `iss` and the issuer of its discovery document. */
  readonly issuerURL: string;
  /** PEM of the CA that signed the issuer's serving certificate; the system roots when omitted. */
  readonly caPEM?: string;
  /** The OIDC client id, which is the tokens' audience. */
  readonly clientID: string;
  /** Default "email"; with it kube-apiserver requires `email_verified` to be true when the token has it. */
  readonly usernameClaim?: string;
  /** Default "": the e-mail address is the user name as it is. */
  readonly usernamePrefix?: string;
  /** Default "groups". */
  readonly groupsClaim?: string;
  /** Default "". */
  readonly groupsPrefix?: string;
}

/**
 * The CEL checks every issuer's users must pass, after the prefixes are
 * applied. kube-apiserver itself takes a token's `system:masters` group or a
 * `system:` user name at face value, so an issuer (a cluster's own, or the
 * platform's, misconfigured or compromised) could otherwise claim
 * cluster-admin or a node's or controller's identity. Those names belong to
 * Kubernetes' own authenticators (certificates, service-account tokens).
 */
export const reservedNameRules: readonly { readonly expression: string; readonly message: string }[] = [
  { expression: "!user.username.startsWith('system:')", message: "user names starting with system: are reserved for Kubernetes and never taken from an OIDC issuer" },
  { expression: "user.groups.all(group, !group.startsWith('system:'))", message: "groups starting with system: (such as system:masters) are reserved for Kubernetes and never taken from an OIDC issuer" },
];

/** The issuers of one AuthenticationConfiguration. */
export interface AuthenticationConfigurationInput {
  readonly issuers: readonly JWTIssuerConfig[];
}

/**
 * The YAML of kube-apiserver's structured authentication configuration
 * (`--authentication-config`, apiserver.config.k8s.io/v1, GA since
 * Kubernetes 1.34): one JWT authenticator per issuer. Pure and byte-stable:
 * the same input gives the same bytes, so an unchanged configuration never
 * rolls an API server. Prefixes are always written, since the v1 API has no
 * defaults for them and rejects a claim without one. Every issuer gets
 * `reservedNameRules`: no token makes anyone system:masters.
 */
export function renderAuthenticationConfiguration(input: AuthenticationConfigurationInput): string {
  validate(input.issuers);
  const config = {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AuthenticationConfiguration",
    jwt: input.issuers.map((issuer) => ({
      issuer: {
        url: issuer.issuerURL,
        ...(issuer.caPEM === undefined ? {} : { certificateAuthority: issuer.caPEM }),
        audiences: [issuer.clientID],
      },
      claimMappings: {
        username: { claim: issuer.usernameClaim ?? "email", prefix: issuer.usernamePrefix ?? "" },
        groups: { claim: issuer.groupsClaim ?? "groups", prefix: issuer.groupsPrefix ?? "" },
      },
      // Fresh objects per issuer: yaml writes a repeated object as an alias (*a1).
      userValidationRules: reservedNameRules.map((rule) => ({ ...rule })),
    })),
  };
  // lineWidth 0: never fold a long URL or PEM line.
  return stringify(config, { lineWidth: 0 });
}

function validate(issuers: readonly JWTIssuerConfig[]): void {
  if (issuers.length === 0) throw new Error("an AuthenticationConfiguration needs at least one issuer");
  const seen = new Set<string>();
  for (const issuer of issuers) {
    let url: URL;
    try {
      url = new URL(issuer.issuerURL);
    } catch {
      throw new Error(`issuer URL ${JSON.stringify(issuer.issuerURL)} is not a URL`);
    }
    // kube-apiserver refuses anything but https, and a query or fragment.
    if (url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
      throw new Error(`issuer URL ${issuer.issuerURL} must be https without query or fragment`);
    }
    if (seen.has(issuer.issuerURL)) throw new Error(`issuer URL ${issuer.issuerURL} appears twice; kube-apiserver requires them unique`);
    seen.add(issuer.issuerURL);
    if (issuer.clientID === "") throw new Error(`issuer ${issuer.issuerURL} needs a client id (the audience)`);
  }
}
