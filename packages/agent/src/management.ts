import { readFile } from "node:fs/promises";
import { unwatchFile, watchFile, type Stats } from "node:fs";
import { KubeConfig, PatchStrategy } from "@kubernetes/client-node";
import { apiVersion, type ClusterPolicy, type ClusterSync, type ClusterSyncPolicyRef } from "@seedbed/api";
import { describeError, Informer, isNotFound, objectPath, SharedConnection, statusCodeOf, type KindRef } from "@seedbed/runtime";
import type { Logger } from "pino";
import { CountingClient, type RequestCounter } from "./counting-client.ts";
import type { AgentStatus } from "./status.ts";

const clusterSyncKind: KindRef = { apiVersion, kind: "ClusterSync", plural: "clustersyncs", namespaced: true };
const clusterPolicyKind: KindRef = { apiVersion, kind: "ClusterPolicy", plural: "clusterpolicies", namespaced: true };

/** Where the agent's management identity is, and whom to tell about its ClusterSync. */
export interface ManagementOptions {
  /** A kubeconfig file holding the agent's ServiceAccount token; rewritten by the host when it rotates it. */
  readonly kubeConfigFile: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly logger: Logger;
  /** The ClusterSync was listed, added or changed. */
  readonly onClusterSync: (sync: ClusterSync) => void;
  /** How often the kubeconfig file is checked for a new token (default 2 s). */
  readonly reloadIntervalMs?: number;
}

/** One generation of the management credentials: a client and the ClusterSync watch that use them. */
interface Session {
  readonly text: string;
  readonly connection: SharedConnection;
  readonly client: CountingClient;
  readonly informer: Informer<ClusterSync>;
}

/**
 * The management API as the agent's least-privileged identity uses it:
 * one watch of its own ClusterSync (by field selector, which RBAC by
 * resourceNames allows), GETs of the policies it names, and status
 * patches. A new token in the kubeconfig file (or a 401) makes it read the
 * file again and rebuild the client and the watch.
 */
export class Management {
  readonly counter: RequestCounter = { requests: 0 };
  /** Status writes made. */
  writes = 0;
  readonly #options: ManagementOptions;
  readonly #onFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) void this.reload();
  };
  #session: Session | undefined;
  #reloading: Promise<boolean> | undefined;
  #stopped = false;

  /** Nothing is read until `start()`. */
  constructor(options: ManagementOptions) {
    this.#options = options;
  }

  /** Reads the kubeconfig file, starts the watch and waits for its first list; then follows the file. */
  async start(signal: AbortSignal): Promise<void> {
    const text = await readFile(this.#options.kubeConfigFile, "utf8");
    this.#session = this.#open(text);
    // Followed from the start: a token refused at start-up is replaced like any other.
    watchFile(this.#options.kubeConfigFile, { interval: this.#options.reloadIntervalMs ?? 2000, persistent: false }, this.#onFileChange);
    await this.#waitForSync(signal);
  }

  /** The ClusterSync as last seen by the watch. */
  clusterSync(): ClusterSync | undefined {
    return this.#session?.informer.get(this.#options.namespace, this.#options.cluster);
  }

  /** The policy a ref names; undefined when it is gone or is another object of the same name (another uid). */
  async policy(ref: ClusterSyncPolicyRef): Promise<ClusterPolicy | undefined> {
    try {
      const policy = await this.#call((client) => client.request<ClusterPolicy>("GET", objectPath(clusterPolicyKind, ref.namespace, ref.name)));
      return policy.metadata.uid === ref.uid ? policy : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Replaces the agent's part of the ClusterSync status (merge patch of the status subresource). */
  async writeStatus(status: AgentStatus): Promise<ClusterSync> {
    this.writes += 1;
    const path = `${objectPath(clusterSyncKind, this.#options.namespace, this.#options.cluster)}/status`;
    return this.#call((client) => client.request<ClusterSync>("PATCH", path, { body: { status }, contentType: PatchStrategy.MergePatch }));
  }

  /**
   * Reads the kubeconfig file again; if it changed, moves to a new client
   * and watch (the old watch stops once the new one has listed). Resolves
   * true when it moved.
   */
  reload(): Promise<boolean> {
    this.#reloading ??= this.#reload().finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  /** Stops following the file and the watch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    unwatchFile(this.#options.kubeConfigFile, this.#onFileChange);
    await this.#reloading?.catch(() => false);
    const session = this.#session;
    this.#session = undefined;
    if (session) await this.#close(session);
  }

  async #reload(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.#options.kubeConfigFile, "utf8");
    } catch (error) {
      this.#options.logger.warn({ error: describeError(error) }, "Cannot read the management kubeconfig; keeping the current one");
      return false;
    }
    const current = this.#session;
    if (this.#stopped || current === undefined || text === current.text) return false;
    let next: Session;
    try {
      next = this.#open(text);
    } catch (error) {
      // Half-written by the host: the next change of the file brings the rest.
      this.#options.logger.warn({ error: describeError(error) }, "The management kubeconfig does not load; keeping the current one");
      return false;
    }
    if (!(await next.informer.waitForSync(AbortSignal.timeout(30_000))) || this.#isStopped()) {
      await this.#close(next);
      return false;
    }
    this.#session = next;
    await this.#close(current);
    this.#options.logger.info("Management credentials reloaded");
    // Changes made while the old credentials were refused reach the agent now.
    this.#notify();
    return true;
  }

  /** A method, not a field read: stop() can land during any await. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  #open(text: string): Session {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    if (!kc.getCurrentCluster()) throw new Error(`the kubeconfig ${this.#options.kubeConfigFile} has no current cluster`);
    const connection = new SharedConnection();
    const client = CountingClient.create(kc, connection, this.counter);
    const informer = new Informer<ClusterSync>({
      kubeConfig: kc,
      client,
      kind: clusterSyncKind,
      namespace: this.#options.namespace,
      // Its RBAC names its ClusterSync by resourceNames: a list or watch must say which one.
      fieldSelector: `metadata.name=${this.#options.cluster}`,
      logger: this.#options.logger,
    });
    const changed = (sync: ClusterSync): void => {
      if (this.#session?.informer === informer) this.#options.onClusterSync(sync);
    };
    informer.addHandlers({ add: changed, update: changed });
    informer.start();
    return { text, connection, client, informer };
  }

  /** Waits until the current session's watch has listed (a reload may replace the session meanwhile). */
  async #waitForSync(signal: AbortSignal): Promise<void> {
    for (;;) {
      const session = this.#session;
      if (this.#stopped || signal.aborted || session === undefined) throw new Error(`the agent stopped before its ClusterSync ${this.#options.namespace}/${this.#options.cluster} was listed`);
      if (await session.informer.waitForSync(AbortSignal.any([signal, AbortSignal.timeout(1000)]))) break;
    }
    this.#notify();
  }

  #notify(): void {
    const sync = this.clusterSync();
    if (sync) this.#options.onClusterSync(sync);
  }

  async #close(session: Session): Promise<void> {
    await session.informer.stop();
    await session.connection.close();
  }

  /** One request with the current client; a 401 makes it look for a new token and try once more. */
  async #call<T>(request: (client: CountingClient) => Promise<T>): Promise<T> {
    const session = this.#session;
    if (!session) throw new Error("the agent is not connected to the management API");
    try {
      return await request(session.client);
    } catch (error) {
      if (statusCodeOf(error) !== 401 || !(await this.reload())) throw error;
      const renewed = this.#session;
      if (!renewed) throw error;
      return request(renewed.client);
    }
  }
}
