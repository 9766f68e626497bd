// Each benchmark agent's identity on the management API, made with the
// operator's own code (policyagent/identity.ts and credentials.ts): its
// ServiceAccount, the Role and RoleBinding agentGrants renders (its own
// Cluster and ClusterSync, its ClusterSync's status, get on the named
// policies), a token from the TokenRequest API and a kubeconfig file (0600)
// holding it. The operator's policy-agent controller is not run (it would
// also start agent processes); the Roles name every benchmark policy at
// once, where the controller would add each as the ClusterSync lists it.
import { join } from "node:path";
import type { KubeConfig, V1Role, V1RoleBinding, V1ServiceAccount } from "@kubernetes/client-node";
import type { Cluster, ClusterSyncPolicyRef } from "@seedbed/api";
import { Informer, ObjectClient, SharedConnection } from "@seedbed/runtime";
import { agentKubeconfig, ensurePrivateDir, managementEndpoint, requestAgentToken, writeSecretFile } from "../../packages/operator/src/reconcilers/policyagent/credentials.ts";
import { AgentIdentity } from "../../packages/operator/src/reconcilers/policyagent/identity.ts";
import { agentClusterLabel, roleBindingKindRef, roleKindRef, serviceAccountKindRef } from "../../packages/operator/src/reconcilers/policyagent/names.ts";
import { pool } from "../scale/seed-setup.ts";

/** Tokens outlive any run: the benchmark does not rotate them. */
const tokenLifetimeSeconds = 4 * 3600;

/** What identities are made with. */
export interface IdentityOptions {
  /** The management API as its admin. */
  readonly admin: KubeConfig;
  readonly clusters: readonly Cluster[];
  /** The policies every agent may read (by name; uid and generation play no part in RBAC). */
  readonly policies: readonly ClusterSyncPolicyRef[];
  /** Where each agent's kubeconfig goes: <dir>/<cluster>/management.kubeconfig. */
  readonly dir: string;
  readonly log: (message: string) => void;
}

/** Makes every cluster's identity, ten at a time; returns each cluster's management kubeconfig file, by name. */
export async function makeIdentities(o: IdentityOptions): Promise<Map<string, string>> {
  const connection = new SharedConnection();
  const client = ObjectClient.fromKubeConfig(o.admin, connection);
  const scope = { kubeConfig: o.admin, client, labelSelector: agentClusterLabel };
  const cache = {
    accounts: new Informer<V1ServiceAccount>({ ...scope, kind: serviceAccountKindRef }),
    roles: new Informer<V1Role>({ ...scope, kind: roleKindRef }),
    bindings: new Informer<V1RoleBinding>({ ...scope, kind: roleBindingKindRef }),
  };
  const informers = [cache.accounts, cache.roles, cache.bindings];
  const files = new Map<string, string>();
  try {
    for (const informer of informers) informer.start();
    for (const informer of informers) if (!(await informer.waitForSync(AbortSignal.timeout(30_000)))) throw new Error("the identity caches did not list");
    const identity = new AgentIdentity(client, cache);
    const endpoint = managementEndpoint(o.admin);
    const began = performance.now();
    await pool(o.clusters.length, 10, async (i) => {
      const cluster = o.clusters[i];
      if (cluster === undefined) return;
      const namespace = cluster.metadata.namespace ?? "";
      const name = cluster.metadata.name ?? "";
      await identity.createAccount(cluster);
      await identity.grant(cluster, o.policies);
      const issued = await requestAgentToken(client, namespace, name, tokenLifetimeSeconds, Date.now());
      const dir = join(o.dir, name);
      ensurePrivateDir(dir);
      const file = join(dir, "management.kubeconfig");
      writeSecretFile(file, agentKubeconfig(endpoint, issued.token, namespace));
      files.set(name, file);
    });
    o.log(`${String(files.size)} agent identities (ServiceAccount, Role, RoleBinding, token) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    return files;
  } finally {
    await Promise.all(informers.map((informer) => informer.stop()));
    await connection.close();
  }
}
