import { setTimeout as sleep } from "node:timers/promises";
import { ApiException, type V1ServiceAccount } from "@kubernetes/client-node";
import { agentRevokedForAnnotation, group, policyAgentServiceAccount, revokeAgentAnnotation, version, type ClusterSync } from "@seedbed/api";
import type { CommandContext, GlobalOptions } from "../../context.ts";
import { commandContext } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { readCluster, setClusterAnnotations } from "./clusters-api.ts";
import { parseTimeout } from "./wait.ts";

/** Options of `seedbed cluster revoke-agent`. */
export interface RevokeAgentOptions extends GlobalOptions {
  /** How long to wait for the new identity, e.g. 60s. */
  readonly timeout?: string;
}

/** How the outcome is seen: the agent's ServiceAccount (platform admins), or the AgentRevoked Event on the Cluster (project members, who may not read ServiceAccounts). */
type Observer = "account" | "event";

/**
 * Revokes a cluster's policy-agent credentials: sets the annotation
 * seedbed.dev/revoke-agent on the Cluster, then waits until the operator
 * has replaced the agent's ServiceAccount (which makes the API server
 * refuse every token of the old one) and started a new agent.
 */
export async function revokeAgent(name: string, options: RevokeAgentOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const timeoutMs = parseTimeout(options.timeout ?? "2m");
  const subject = { kind: "cluster", name, project: ctx.project, server: ctx.server };
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, subject);
  });
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${name} is being deleted: its policy agent goes with it`, ExitCode.failed);
  const before = await readAccount(ctx, name);
  const observer: Observer = before === "forbidden" ? "event" : "account";
  const hasAgent = before === "forbidden" ? await syncHasPolicies(ctx, name) : before !== undefined;
  if (!hasAgent) {
    throw new CliError(`cluster ${name} has no policy agent, so there are no agent credentials to revoke: an agent runs only on clusters a ClusterPolicy selects (see its ClusterSync: kubectl get clustersync ${name} -n ${ctx.namespace})`, ExitCode.notFound);
  }
  const value = new Date().toISOString();
  // Only that the cluster is not being deleted was checked on it.
  await setClusterAnnotations(ctx, cluster, { [revokeAgentAnnotation]: value }, (c) => c.metadata.deletionTimestamp);
  ctx.out.write(`Revoking the policy agent credentials of cluster ${name} (annotation ${revokeAgentAnnotation}=${value})…\n`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = observer === "account" ? await accountRevoked(ctx, name, value) : await revokeEventSeen(ctx, name, value);
    if (done !== undefined) {
      const oldUID = typeof before === "object" ? before.metadata?.uid : undefined;
      ctx.out.write(`Revoked: ServiceAccount ${ctx.namespace}/${policyAgentServiceAccount(name)} was replaced${oldUID === undefined || done === "" ? "" : ` (uid ${oldUID} → ${done})`}; the API server refuses every token of the old one. A new agent runs with a new token.\n`);
      return;
    }
    if (Date.now() >= deadline) throw new CliError(`the operator did not replace the policy agent's ServiceAccount of cluster ${name} within ${options.timeout ?? "2m"}; the revoke stays requested (annotation ${revokeAgentAnnotation}=${value}). Check the operator's log and: kubectl get events -n ${ctx.namespace} --field-selector involvedObject.name=${name}`, ExitCode.timeout);
    await sleep(500);
  }
}

/** The agent's ServiceAccount; "forbidden" when this user may not read ServiceAccounts (project members). */
async function readAccount(ctx: CommandContext, cluster: string): Promise<V1ServiceAccount | "forbidden" | undefined> {
  try {
    return await ctx.core.readNamespacedServiceAccount({ namespace: ctx.namespace, name: policyAgentServiceAccount(cluster) });
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    if (error instanceof ApiException && error.code === 403) return "forbidden";
    throw explain(error, { kind: "service account", name: policyAgentServiceAccount(cluster), project: ctx.project, server: ctx.server });
  }
}

/** The new account's uid once it was made after this revoke (see agentRevokedForAnnotation). */
async function accountRevoked(ctx: CommandContext, cluster: string, value: string): Promise<string | undefined> {
  const account = await readAccount(ctx, cluster);
  if (typeof account !== "object") return undefined;
  return account.metadata?.annotations?.[agentRevokedForAnnotation] === value ? (account.metadata.uid ?? "") : undefined;
}

/** "" once the operator reported the revoke (an AgentRevoked Event on the Cluster naming this value). */
async function revokeEventSeen(ctx: CommandContext, cluster: string, value: string): Promise<string | undefined> {
  const events = await ctx.core.listNamespacedEvent({ namespace: ctx.namespace, fieldSelector: `involvedObject.name=${cluster},reason=AgentRevoked` });
  return events.items.some((e) => e.message?.includes(value) === true) ? "" : undefined;
}

/**
 * Whether the cluster's ClusterSync lists policies (what gives a cluster an
 * agent: the operator's decision in reconcilers/policyagent/decision.ts),
 * for users who may read ClusterSyncs but not ServiceAccounts.
 */
async function syncHasPolicies(ctx: CommandContext, cluster: string): Promise<boolean> {
  try {
    const sync = (await ctx.objects.getNamespacedCustomObject({ group, version, plural: "clustersyncs", namespace: ctx.namespace, name: cluster })) as ClusterSync;
    return (sync.spec.policies?.length ?? 0) > 0 || (sync.status?.policies?.length ?? 0) > 0 || (sync.status?.pruning ?? 0) > 0;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw explain(error, { kind: "cluster sync", name: cluster, project: ctx.project, server: ctx.server });
  }
}
