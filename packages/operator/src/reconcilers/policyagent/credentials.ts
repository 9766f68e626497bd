import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { policyAgentServiceAccount } from "@seedbed/api";
import type { ObjectClient } from "@seedbed/runtime";

/** Where the management API is and how it is trusted, as the operator reaches it. */
export interface ManagementEndpoint {
  readonly server: string;
  /** PEM, base64 (certificate-authority-data); absent when the system's roots are trusted. */
  readonly caData?: string;
  readonly insecureSkipTLSVerify?: boolean;
}

/** The server and CA of `kc`'s current cluster (a CA file, as in a pod, is read in). Never its credentials. */
export function managementEndpoint(kc: KubeConfig): ManagementEndpoint {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error("the operator's kubeconfig names no current cluster");
  const caData = cluster.caData ?? (cluster.caFile === undefined ? undefined : readFileSync(cluster.caFile).toString("base64"));
  return { server: cluster.server, ...(caData === undefined ? {} : { caData }), ...(cluster.skipTLSVerify ? { insecureSkipTLSVerify: true } : {}) };
}

/**
 * A kubeconfig for the management API as the agent's ServiceAccount, with
 * only a bearer token (JSON, which is YAML). Pure: the same inputs give the
 * same bytes.
 */
export function agentKubeconfig(endpoint: ManagementEndpoint, token: string, namespace: string): string {
  const cluster = { server: endpoint.server, ...(endpoint.caData === undefined ? {} : { "certificate-authority-data": endpoint.caData }), ...(endpoint.insecureSkipTLSVerify === true ? { "insecure-skip-tls-verify": true } : {}) };
  return `${JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "management", cluster }],
    users: [{ name: "policy-agent", user: { token } }],
    contexts: [{ name: "policy-agent", context: { cluster: "management", user: "policy-agent", namespace } }],
    "current-context": "policy-agent",
  }, null, 2)}\n`;
}

/** A token issued to an agent, and when it expires. */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Asks the API server for a token of the cluster's ServiceAccount
 * (TokenRequest), bound to nothing but the account: deleting the account
 * revokes it. The server may shorten the lifetime; its expiry is used.
 */
export async function requestAgentToken(client: ObjectClient, namespace: string, cluster: string, lifetimeSeconds: number, now: number): Promise<IssuedToken> {
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${policyAgentServiceAccount(cluster)}/token`;
  const body = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: lifetimeSeconds } };
  const response = await client.request<{ status?: { token?: string; expirationTimestamp?: string } }>("POST", path, { body });
  const token = response.status?.token;
  if (token === undefined || token === "") throw new Error(`the TokenRequest for ${namespace}/${policyAgentServiceAccount(cluster)} returned no token`);
  const expiry = Date.parse(response.status?.expirationTimestamp ?? "");
  return { token, expiresAt: Number.isNaN(expiry) ? now + lifetimeSeconds * 1000 : expiry };
}

/** When to replace a token: at 80 % of its life, so an agent never holds an expired one. */
export function renewalTime(issuedAt: number, expiresAt: number): number {
  return issuedAt + Math.floor((expiresAt - issuedAt) * 0.8);
}

/** Makes the agent's directory, readable by the operator's user alone. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes a secret file (0600) atomically: a temporary file in the same
 * directory renamed over it, so the agent, which reloads the file when it
 * changes, never reads half a kubeconfig. Returns false when the file held
 * these bytes already (nothing written, no reload).
 */
export function writeSecretFile(path: string, content: string): boolean {
  try {
    if (readFileSync(path, "utf8") === content) return false;
  } catch {
    // Absent: written below.
  }
  const temporary = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
  return true;
}
