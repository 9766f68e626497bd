import type { KubeConfig, V1Role, V1RoleBinding, V1Secret, V1ServiceAccount } from "@kubernetes/client-node";
import { clusterObjectNames, type Cluster, type ClusterSync } from "@seedbed/api";
import { requestFor, type Clock, type Informer, type Manager, type ReconcileRequest } from "@seedbed/runtime";
import { clusterKindRef, secretKindRef } from "../cluster/kinds.ts";
import { managementEndpoint } from "./credentials.ts";
import { AgentIdentity } from "./identity.ts";
import { PolicyAgentMetrics } from "./metrics.ts";
import { clusterSyncKindRef } from "../clusterpolicy/kinds.ts";
import { agentClusterLabel, clusterOfAgentObject, defaultAgentScript, roleBindingKindRef, roleKindRef, serviceAccountKindRef } from "./names.ts";
import { AgentProcesses } from "./processes.ts";
import { PolicyAgentReconciler } from "./reconciler.ts";

/** The platform's policy-agent settings. */
export interface PolicyAgentOptions {
  /** How long an agent's management token lives before it is replaced (default 1 h; the API server's minimum is 10 min). */
  readonly tokenLifetimeSeconds?: number;
  /** The agent's entry point (default: packages/agent/src/bin/seedbed-agent.ts of this workspace); tests run stand-ins. */
  readonly agentScript?: string;
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

/** The label selector of every agent object (ServiceAccounts, Roles, RoleBindings): only those are cached. */
const agentObjects = agentClusterLabel;
/** The operator caches only the Secrets it writes (see operator.ts); the admin kubeconfig is one of them. */
const ownedSecrets = "seedbed.dev/cluster";
const adminSuffix = clusterObjectNames.adminKubeconfigSecret("");

/**
 * Adds the policy-agent host: each cluster that has policies gets an
 * identity of its own on the management API (a ServiceAccount, Roles that
 * name exactly what it may read and write, a short-lived token that is
 * rotated and can be revoked) and an agent process that uses it.
 * `stop()` stops every agent (they are part of the platform, as the
 * control planes' processes are); a killed operator leaves them running,
 * and the next one adopts them.
 */
export function registerPolicyAgents(manager: Manager, setup: PolicyAgentSetup): { stop(): Promise<void> } {
  let enqueue: ((request: ReconcileRequest) => void) | undefined;
  const processes = new AgentProcesses({
    workDir: setup.workDir,
    script: setup.agentScript ?? defaultAgentScript,
    onEvent: (target, event) => {
      manager.logger.info({ controller: "policyagent", object: `${target.namespace}/${target.cluster}`, ...event }, `Policy agent ${event.type}`);
      if (event.type === "exited") enqueue?.({ namespace: target.namespace, name: target.cluster });
    },
  });
  const metrics = new PolicyAgentMetrics(manager.metrics.registry, () => processes.running());
  const syncs = manager.informers.informerFor<ClusterSync>(clusterSyncKindRef);
  const identity = new AgentIdentity(manager.client, {
    accounts: manager.informers.informerFor<V1ServiceAccount>(serviceAccountKindRef, { labelSelector: agentObjects }),
    roles: manager.informers.informerFor<V1Role>(roleKindRef, { labelSelector: agentObjects }),
    bindings: manager.informers.informerFor<V1RoleBinding>(roleBindingKindRef, { labelSelector: agentObjects }),
  });
  const controller = manager.addController({
    name: "policyagent",
    kind: clusterKindRef,
    workers: 4,
    // A failing pass (an API error, an agent that cannot start) is retried with backoff, at least every minute.
    rateLimit: { maxDelayMs: 60_000 },
    reconciler: new PolicyAgentReconciler({
      client: manager.client,
      clusters: setup.clusters,
      syncs,
      secret: setup.secret,
      identity,
      processes,
      // Read at each token: a CA file that a pod's mount renews is read afresh.
      endpoint: () => managementEndpoint(setup.managementKubeConfig),
      workDir: setup.workDir,
      tokenLifetimeSeconds: setup.tokenLifetimeSeconds ?? 3600,
      events: manager.eventRecorder("policyagent"),
      metrics,
      clock: setup.clock,
    }),
    watches: [
      // A ClusterSync is named after its Cluster: its policies decide whether the cluster has an agent and what it may read.
      { kind: clusterSyncKindRef, mapFn: requestFor },
      // Edited or deleted agent objects are put back (or, for a cluster that is gone, finished off).
      { kind: serviceAccountKindRef, labelSelector: agentObjects, mapFn: (obj) => clusterOfAgentObject(obj.metadata?.labels) },
      { kind: roleKindRef, labelSelector: agentObjects, mapFn: (obj) => clusterOfAgentObject(obj.metadata?.labels) },
      { kind: roleBindingKindRef, labelSelector: agentObjects, mapFn: (obj) => clusterOfAgentObject(obj.metadata?.labels) },
      // A new admin kubeconfig (the cluster serves, or its CA rotated) reaches the agent's tenant kubeconfig.
      { kind: secretKindRef, labelSelector: ownedSecrets, mapFn: (obj) => adminSecretCluster(obj.metadata?.namespace, obj.metadata?.name) },
    ],
  });
  enqueue = (request) => controller.enqueue(request);
  // Agents an earlier operator left for clusters that are gone: once the Clusters are known (only while this process leads).
  const abort = new AbortController();
  const swept = sweepOrphans(setup.clusters, processes, abort.signal).catch((error: unknown) => {
    manager.logger.error({ controller: "policyagent", error: error instanceof Error ? error.message : String(error) }, "Removing orphaned policy agents failed");
  });
  return {
    async stop(): Promise<void> {
      abort.abort();
      await swept;
      await processes.stopAll();
    },
  };
}

/** The cluster of an admin kubeconfig Secret, none for the operator's other Secrets. */
function adminSecretCluster(namespace: string | undefined, name: string | undefined): ReconcileRequest[] {
  if (name === undefined || !name.endsWith(adminSuffix) || name.length === adminSuffix.length) return [];
  return [{ namespace, name: name.slice(0, -adminSuffix.length) }];
}

async function sweepOrphans(clusters: Informer<Cluster>, processes: AgentProcesses, signal: AbortSignal): Promise<void> {
  if (!(await clusters.waitForSync(signal))) return;
  await processes.removeOrphans((uid) => clusters.list().some((c) => c.metadata.uid === uid));
}
