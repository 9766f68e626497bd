import Type from "typebox";
import type { ValidationRule } from "../schema/primitives.ts";

/**
 * What a cluster's own issuer puts before every user and group name it
 * asserts, unless the spec says otherwise. The platform's issuer names its
 * users as they are (alice@example.com) and its groups too (seedbed:admins,
 * a project's groups); with a prefix no name from the cluster's issuer can
 * equal one of them.
 */
export const defaultOIDCPrefix = "oidc:";

/** Prefixes a cluster's own issuer may not use: Kubernetes' (system:masters) and the platform's own groups (seedbed:admins). */
export const reservedOIDCPrefixes: readonly string[] = ["system:", "seedbed:"];

const fix = `use e.g. "${defaultOIDCPrefix}" (the default)`;

/**
 * Why `prefix` cannot be a user or group prefix of a cluster's own issuer,
 * or undefined when it can. The same three rules as the CEL of the schema,
 * for the operator, which also sees objects stored before these rules.
 */
export function oidcPrefixProblem(prefix: string): string | undefined {
  if (prefix === "") return `must not be empty: without a prefix the cluster's own issuer could assert the platform's users and groups (e.g. a project owner's e-mail); ${fix}`;
  if (!prefix.endsWith(":")) return `must end with ":" ("${prefix}:"): a prefix without a separator can be completed into a platform user's name ("ali" + "ce@example.com")`;
  const reserved = reservedOIDCPrefixes.find((r) => prefix.startsWith(r));
  if (reserved !== undefined) return `must not start with ${reserved}, which is reserved for ${reserved === "system:" ? "Kubernetes (system:masters)" : "the platform (seedbed:admins)"}; ${fix}`;
  return undefined;
}

/** The CEL rules of oidcPrefixProblem, one message each, on the prefix field itself (so CRD validation ratcheting spares an unchanged old value). */
function prefixRules(): ValidationRule[] {
  const reserved = reservedOIDCPrefixes.map((r) => `!self.startsWith('${r}')`).join(" && ");
  return [
    { rule: "self != ''", message: oidcPrefixProblem("") ?? "" },
    { rule: "self == '' || self.endsWith(':')", messageExpression: `'must end with ":" ("' + self + ':"): a prefix without a separator can be completed into a platform user\\'s name ("ali" + "ce@example.com")'` },
    { rule: reserved, message: `must not start with ${reservedOIDCPrefixes.join(" or ")}, which are reserved for Kubernetes (system:masters) and the platform (seedbed:admins); ${fix}` },
  ];
}

/** OpenID Connect for a tenant cluster's API. */
export const OIDC = Type.Object({
  issuerURL: Type.String({ maxLength: 2048, "x-kubernetes-validations": [{ rule: "isURL(self) && url(self).getScheme() == 'https'", message: "must be an https:// URL, e.g. https://login.example.com" }] }),
  clientID: Type.String({ minLength: 1, maxLength: 256 }),
  usernameClaim: Type.String({ default: "sub", maxLength: 128 }),
  usernamePrefix: Type.String({
    default: defaultOIDCPrefix,
    maxLength: 128,
    description: `Put before every user name this issuer asserts (${defaultOIDCPrefix}alice), so that it can never name a platform user; ends with ":", never starts with system: or seedbed:.`,
    "x-kubernetes-validations": prefixRules(),
  }),
  groupsClaim: Type.String({ default: "groups", maxLength: 128 }),
  groupsPrefix: Type.String({
    default: defaultOIDCPrefix,
    maxLength: 128,
    description: `Put before every group this issuer asserts (${defaultOIDCPrefix}devs), so that it can never name system:masters or a platform group; ends with ":", never starts with system: or seedbed:.`,
    "x-kubernetes-validations": prefixRules(),
  }),
});

/** Who may log in to the tenant cluster. */
export const Auth = Type.Object({
  platformLogin: Type.Boolean({ default: true, description: "Trust the platform's OIDC issuer, so a Seedbed login works on this cluster too." }),
  oidc: Type.Optional(OIDC),
});
