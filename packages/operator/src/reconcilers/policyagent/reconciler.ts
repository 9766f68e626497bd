import type { V1Secret, V1ServiceAccount } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster, type ClusterSync } from "@seedbed/api";
import { requestKey, systemClock, type Clock, type EventRecorder, type Informer, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { agentKubeconfig, ensurePrivateDir, renewalTime, requestAgentToken, writeSecretFile, type ManagementEndpoint } from "./credentials.ts";
import { needsAgent, requestedRevoke, revokeDue } from "./decision.ts";
import type { AgentIdentity } from "./identity.ts";
import type { PolicyAgentMetrics, TokenIssueReason } from "./metrics.ts";
import { agentFiles } from "./names.ts";
import type { AgentProcesses } from "./processes.ts";

/** What the reconciler reads and drives. */
export interface PolicyAgentReconcilerOptions {
  readonly client: ObjectClient;
  readonly clusters: Informer<Cluster>;
  readonly syncs: Informer<ClusterSync>;
  readonly secret: (namespace: string, name: string) => V1Secret | undefined;
  readonly identity: AgentIdentity;
  readonly processes: AgentProcesses;
  /** The management API's address and CA, as agents get them. */
  readonly endpoint: () => ManagementEndpoint;
  readonly workDir: string;
  readonly tokenLifetimeSeconds: number;
  readonly events: EventRecorder;
  readonly metrics: PolicyAgentMetrics;
  readonly clock?: Clock;
}

/** The token an agent holds now: for which account, and when to replace it. */
interface HeldToken {
  readonly accountUID: string;
  readonly renewAt: number;
}

/**
 * One pass per Cluster: a cluster that has policies gets an identity on the
 * management API, a token and an agent process; one that has none, or is
 * gone, gets all of it removed. Revokes are carried out here too.
 */
export class PolicyAgentReconciler implements Reconciler {
  readonly #options: PolicyAgentReconcilerOptions;
  readonly #clock: Clock;
  /** Per cluster key: the tokens issued by this operator (a restarted one issues new ones: it cannot know when a file's token expires). */
  readonly #tokens = new Map<string, HeldToken>();
  /** Per cluster key: the uid its agent runs under, to clean up after a Cluster that is gone from the cache. */
  readonly #uids = new Map<string, string>();
  /** Keys whose next token is issued because of a revoke (for the metric's reason). */
  readonly #revokedKeys = new Set<string>();

  constructor(options: PolicyAgentReconcilerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const key = requestKey(request);
    const cluster = this.#options.clusters.get(namespace, request.name);
    const sync = this.#options.syncs.get(namespace, request.name);
    const admin = this.#options.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    const uid = cluster?.metadata.uid;
    // The same name made again is another cluster: the old one's agent goes.
    const previous = this.#uids.get(key);
    if (previous !== undefined && previous !== uid) await this.#retireProcess(key, previous, context);
    if (cluster === undefined || uid === undefined || !needsAgent({ cluster, sync, hasAdminKubeconfig: admin !== undefined })) {
      await this.#retire(key, namespace, request.name, uid, context);
      return undefined;
    }
    const account = await this.#account(cluster, key, context);
    await this.#options.identity.grant(cluster, sync?.spec.policies ?? []);
    const files = agentFiles(this.#options.workDir, uid);
    ensurePrivateDir(files.dir);
    writeSecretFile(files.tenantKubeconfig, Buffer.from(admin ?? "", "base64").toString("utf8"));
    const renewAt = await this.#token(cluster, key, account, context);
    this.#uids.set(key, uid);
    const pid = await this.#options.processes.ensure({ clusterUID: uid, namespace, cluster: request.name });
    context.log.debug({ pid }, "Policy agent running");
    return { requeueAfter: Math.max(1000, renewAt - this.#clock.now()) };
  }

  /**
   * The cluster's ServiceAccount, made if missing; a revoke the Cluster asks
   * for is carried out first (kill the agent, delete the account, make a new
   * one annotated with the revoke). Each step can be repeated after a crash:
   * the stored account's annotation says whether the revoke is done.
   */
  async #account(cluster: Cluster, key: string, context: ReconcileContext): Promise<V1ServiceAccount> {
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const identity = this.#options.identity;
    let account = identity.cachedAccount(cluster);
    const held = this.#tokens.get(key);
    // The cache lags behind our own writes (a revoke a moment ago): decide on the stored account.
    if (revokeDue(cluster, account) || (account !== undefined && held !== undefined && account.metadata?.uid !== held.accountUID)) {
      account = await identity.readAccount(namespace, name);
    }
    let revoked = false;
    if (account !== undefined && revokeDue(cluster, account)) {
      context.log.info({ revoke: requestedRevoke(cluster) }, "Revoking the policy agent's credentials");
      await this.#options.processes.stop(cluster.metadata.uid ?? "");
      await identity.deleteAccount(account);
      this.#tokens.delete(key);
      account = undefined;
      revoked = true;
    }
    account ??= await identity.createAccount(cluster);
    if (revoked) {
      this.#options.events.record(cluster, { reason: "AgentRevoked", action: "Revoke", note: `The policy agent's ServiceAccount was replaced (revoke ${requestedRevoke(cluster) ?? ""}): every token of the old one is refused; a new agent starts with a new token.` });
      this.#revokedKeys.add(key);
    }
    return account;
  }

  /** Issues a token when the agent has none from this operator, its account changed, or it is due for renewal; returns when to renew. */
  async #token(cluster: Cluster, key: string, account: V1ServiceAccount, context: ReconcileContext): Promise<number> {
    const now = this.#clock.now();
    const held = this.#tokens.get(key);
    const accountUID = account.metadata?.uid ?? "";
    if (held !== undefined && held.accountUID === accountUID && now < held.renewAt) return held.renewAt;
    const reason: TokenIssueReason = this.#revokedKeys.has(key) ? "revoke" : held === undefined ? "start" : held.accountUID !== accountUID ? "newAccount" : "renewal";
    const namespace = cluster.metadata.namespace ?? "";
    const issued = await requestAgentToken(this.#options.client, namespace, cluster.metadata.name ?? "", this.#options.tokenLifetimeSeconds, now);
    const files = agentFiles(this.#options.workDir, cluster.metadata.uid ?? "");
    writeSecretFile(files.managementKubeconfig, agentKubeconfig(this.#options.endpoint(), issued.token, namespace));
    const renewAt = renewalTime(now, issued.expiresAt);
    this.#tokens.set(key, { accountUID, renewAt });
    this.#revokedKeys.delete(key);
    this.#options.metrics.tokenIssued(reason);
    // The token itself is never logged.
    context.log.info({ reason, expiresAt: new Date(issued.expiresAt).toISOString(), renewAt: new Date(renewAt).toISOString() }, "Issued the policy agent a management token");
    return renewAt;
  }

  /** Removes a cluster's agent: process and files (if it had any here) and its identity objects (if cached). */
  async #retire(key: string, namespace: string, name: string, uid: string | undefined, context: ReconcileContext): Promise<void> {
    const known = this.#uids.get(key) ?? uid;
    if (known !== undefined && (this.#options.processes.pid(known) !== undefined || this.#options.processes.hasFiles(known))) await this.#retireProcess(key, known, context);
    this.#tokens.delete(key);
    this.#revokedKeys.delete(key);
    if (this.#options.identity.hasAny(namespace, name)) {
      await this.#options.identity.deleteAll(namespace, name);
      context.log.info("Removed the policy agent's identity");
    }
  }

  async #retireProcess(key: string, uid: string, context: ReconcileContext): Promise<void> {
    await this.#options.processes.remove(uid);
    this.#uids.delete(key);
    this.#tokens.delete(key);
    context.log.info({ clusterUID: uid }, "Stopped the policy agent and removed its files");
  }
}
