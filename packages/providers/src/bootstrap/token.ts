import { randomInt } from "node:crypto";

/** A kubeadm-style bootstrap token: <id>.<secret>, [a-z0-9]{6}.[a-z0-9]{16}. */
export interface BootstrapToken {
  readonly id: string;
  readonly secret: string;
  /** When the API server stops accepting it. */
  readonly expiresAt: Date;
}

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
const randomString = (length: number): string => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");

/**
 * The group of every token Seedbed issues, whatever the pool: the tenant's
 * RBAC lets this group (not all of system:bootstrappers) ask for node
 * client certificates, so a bootstrap token made for another purpose does
 * not join machines.
 */
export const seedbedBootstrapGroup = "system:bootstrappers:seedbed";

/** The group of one pool's tokens, to tell its machines' requests apart. */
export function poolBootstrapGroup(poolName: string): string {
  return `${seedbedBootstrapGroup}:${poolName}`;
}

/** A fresh token that lives `ttlSeconds`. */
export function newBootstrapToken(ttlSeconds: number, now: Date = new Date()): BootstrapToken {
  return { id: randomString(6), secret: randomString(16), expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
}

/** The token as the kubelet presents it. */
export function tokenString(token: BootstrapToken): string {
  return `${token.id}.${token.secret}`;
}

/**
 * The Secret in the tenant's kube-system that makes the token valid (the
 * API server's bootstrap-token authenticator reads it; the token cleaner in
 * kube-controller-manager deletes it once expired). Machines of the pool
 * authenticate as system:bootstrap:<id> in the groups system:bootstrappers
 * (every bootstrap token's), system:bootstrappers:seedbed (what the tenant's
 * join RBAC names) and system:bootstrappers:seedbed:<pool>.
 */
export function bootstrapTokenSecret(token: BootstrapToken, poolName: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `bootstrap-token-${token.id}`, namespace: "kube-system", labels: { "seedbed.dev/node-pool": poolName } },
    type: "bootstrap.kubernetes.io/token",
    stringData: {
      "token-id": token.id,
      "token-secret": token.secret,
      expiration: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
      "auth-extra-groups": [seedbedBootstrapGroup, poolBootstrapGroup(poolName)].join(","),
      description: `Joins machines of node pool ${poolName}; issued by Seedbed.`,
    },
  };
}
