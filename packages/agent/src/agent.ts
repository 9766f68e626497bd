import { KubeConfig } from "@kubernetes/client-node";
import { apiVersion, type ClusterPolicy, type ClusterSync, type ClusterSyncPolicyRef, type ClusterSyncPolicyStatus } from "@seedbed/api";
import { describeError, silentLogger, systemClock, type Clock } from "@seedbed/runtime";
import type { Logger } from "pino";
import { Management } from "./management.ts";
import { refKey, type ObjectRef } from "./object-ref.ts";
import { prunePolicy, syncPolicy } from "./policy-sync.ts";
import { PassScheduler, type PassRequest } from "./scheduler.ts";
import { agentStatus, policyStatus, statusChanged, type AgentStatus } from "./status.ts";
import { Tenant } from "./tenant.ts";

/** What an agent needs: its two credentials and which cluster it serves. */
export interface PolicyAgentOptions {
  /** The agent's management kubeconfig file (a ServiceAccount token); read again whenever it changes. */
  readonly managementKubeConfigFile: string;
  /** The tenant's admin kubeconfig: loaded, or a file to load. */
  readonly tenantKubeConfig: KubeConfig | string;
  /** The Cluster's (and its ClusterSync's) namespace and name. */
  readonly namespace: string;
  readonly cluster: string;
  readonly logger?: Logger;
  /** Quiet time after an event before a pass (default 200 ms). */
  readonly debounceMs?: number;
  /** How often the management kubeconfig file is checked (default 2000 ms). */
  readonly reloadIntervalMs?: number;
  readonly clock?: Clock;
}

/** Requests and writes an agent made since it started: what an idle agent must not increase. */
export interface PolicyAgentStats {
  /** Requests to the management API (lists, GETs, status writes; watches are not counted). */
  readonly managementRequests: number;
  /** Requests to the tenant API (watches are not counted). */
  readonly tenantRequests: number;
  /** ClusterSync status writes. */
  readonly writes: number;
  /** Tenant writes: applies, deletes, label removals, inventories. */
  readonly tenantWrites: number;
  /** Passes run. */
  readonly passes: number;
}

/** What the agent remembers of one selected policy. */
interface PolicyRecord {
  ref: ClusterSyncPolicyRef;
  /** The policy as last read. */
  policy: ClusterPolicy | undefined;
  /** Read and found gone (or another object of the same name): not selected, whatever the ref says. */
  gone: boolean;
  status: ClusterSyncPolicyStatus | undefined;
  /** Objects in conflict, by key: a change to one of them is worth another look. */
  conflicts: ReadonlySet<string>;
}

const statusKey = "";

/**
 * The policy agent of one cluster: watches its ClusterSync on the
 * management API, keeps each selected ClusterPolicy on the tenant (and
 * removes what a policy no longer lists or what a deselected policy made),
 * repairs drift from tenant watches, and reports in the ClusterSync
 * status. Idle, it makes no requests: only its watches stay open.
 */
export class PolicyAgent {
  readonly #options: PolicyAgentOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  readonly #management: Management;
  readonly #tenant: Tenant;
  readonly #scheduler: PassScheduler;
  readonly #records = new Map<string, PolicyRecord>();
  #seenGeneration: number | undefined;
  #appliedGeneration: number | undefined;
  #lastWritten: AgentStatus | undefined;
  /** A pass over every policy did not finish: the next pass, whatever asked for it, goes over all. */
  #allPending = false;
  #passes = 0;

  /** An agent that does nothing until `start()`. */
  constructor(options: PolicyAgentOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger()).child({ cluster: `${options.namespace}/${options.cluster}` });
    const tenantKubeConfig = typeof options.tenantKubeConfig === "string" ? loadKubeConfigFile(options.tenantKubeConfig) : options.tenantKubeConfig;
    this.#tenant = new Tenant({ kubeConfig: tenantKubeConfig, logger: this.#log, signal: this.#abort.signal, onObjectEvent: (uid, ref) => this.#onObjectEvent(uid, ref) });
    this.#management = new Management({
      kubeConfigFile: options.managementKubeConfigFile,
      namespace: options.namespace,
      cluster: options.cluster,
      logger: this.#log,
      reloadIntervalMs: options.reloadIntervalMs,
      onClusterSync: (sync) => this.#onClusterSync(sync),
    });
    this.#scheduler = new PassScheduler({ clock: this.#clock, debounceMs: options.debounceMs ?? 200, run: (request) => this.#pass(request) });
  }

  /** Starts watching; resolves once the ClusterSync was read and the first pass over it finished. */
  async start(): Promise<void> {
    await this.#management.start(this.#abort.signal);
    await this.#scheduler.idle();
    this.#log.info({ policies: this.#records.size }, "Policy agent started");
  }

  /** Stops watching and waits for the pass in progress; a stopped agent is not started again. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#scheduler.stop();
    await Promise.all([this.#management.stop(), this.#tenant.stop()]);
    this.#log.info("Policy agent stopped");
  }

  /** Resolves when no pass runs or waits to (a retry due later does not count). */
  idle(): Promise<void> {
    return this.#scheduler.idle();
  }

  /** Requests and writes so far. */
  stats(): PolicyAgentStats {
    return {
      managementRequests: this.#management.counter.requests,
      tenantRequests: this.#tenant.counter.requests,
      writes: this.#management.writes,
      tenantWrites: this.#tenant.writes,
      passes: this.#passes,
    };
  }

  /** A method, not a field read: a stop can land during any await of a pass. */
  #stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  #onClusterSync(sync: ClusterSync): void {
    // Status writes (ours) change the object too; only a new spec is worth a pass over every policy.
    const generation = sync.metadata.generation ?? 0;
    if (generation === this.#seenGeneration) return;
    this.#seenGeneration = generation;
    this.#scheduler.markAll();
  }

  #onObjectEvent(uid: string | undefined, ref: ObjectRef): void {
    const key = refKey(ref);
    // A policy that found this object in its way looks again: its keeper may have let it go.
    for (const [recordUID, record] of this.#records) if (record.conflicts.has(key)) this.#scheduler.mark(recordUID);
    if (uid !== undefined && this.#records.has(uid)) {
      this.#scheduler.mark(uid);
      return;
    }
    // Unlabelled now (its label was removed) or a deselected policy's: whoever listed it looks again.
    for (const inventory of this.#tenant.inventories()) if (inventory.objects.some((listed) => refKey(listed) === key)) this.#scheduler.mark(inventory.uid);
  }

  async #pass(request: PassRequest): Promise<void> {
    this.#passes += 1;
    const sync = this.#management.clusterSync();
    if (sync === undefined || this.#abort.signal.aborted) return;
    try {
      await this.#tenant.loadInventories();
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, "Cannot read the policy inventories; retrying");
      this.#allPending = true;
      this.#scheduler.failed(statusKey);
      return;
    }
    const all = request.all || this.#allPending;
    this.#allPending = false;
    const refs = sync.spec.policies ?? [];
    const selected = new Set(refs.map((ref) => ref.uid));
    for (const uid of this.#records.keys()) if (!selected.has(uid)) this.#records.delete(uid);
    let complete = true;
    for (const ref of refs) {
      if (this.#stopping()) return;
      if (all || request.uids.has(ref.uid) || !this.#records.has(ref.uid)) complete = (await this.#syncRef(ref)) && complete;
    }
    const pruning = await this.#pruneDeselected(all, request.uids);
    if (all && complete) this.#appliedGeneration = sync.metadata.generation;
    else if (all) this.#allPending = true;
    await this.#writeStatus(sync, pruning);
  }

  /** One selected policy; false when it could not be gone over (it is retried). */
  async #syncRef(ref: ClusterSyncPolicyRef): Promise<boolean> {
    const record: PolicyRecord = this.#records.get(ref.uid) ?? { ref, policy: undefined, gone: false, status: undefined, conflicts: new Set() };
    record.ref = ref;
    this.#records.set(ref.uid, record);
    try {
      // The operator bumps a ref's generation when its policy changes: read it only then.
      if (record.policy === undefined || (record.policy.metadata.generation ?? 0) < ref.generation) {
        record.policy = await this.#management.policy(ref);
        record.gone = record.policy === undefined;
      }
    } catch (error) {
      this.#log.warn({ policy: `${ref.namespace}/${ref.name}`, error: describeError(error) }, "Cannot read the policy; retrying");
      record.status ??= policyStatus({ ...ref, generation: 0, objects: 0, problems: [], state: "Pending" }, new Date(this.#clock.now()));
      this.#scheduler.failed(ref.uid);
      return false;
    }
    const policy = record.policy;
    if (policy === undefined) {
      // Gone from the hub (or another policy of the same name): not selected; its inventory is pruned.
      record.status = undefined;
      this.#scheduler.succeeded(ref.uid);
      return true;
    }
    const generation = policy.metadata.generation ?? 0;
    try {
      const pass = await syncPolicy(this.#tenant, policy);
      record.conflicts = new Set(pass.problems.filter((problem) => problem.reason === "Conflict").map((problem) => refKey({ ...problem, apiVersion: problem.apiVersion ?? "" })));
      record.status = policyStatus({ ...ref, generation, objects: pass.objects, problems: pass.problems }, new Date(this.#clock.now()));
      if (pass.problems.some((problem) => problem.reason === "Failed")) this.#scheduler.failed(ref.uid);
      else this.#scheduler.succeeded(ref.uid);
      return true;
    } catch (error) {
      const message = describeError(error);
      this.#log.warn({ policy: `${ref.namespace}/${ref.name}`, error: message }, "Policy pass failed; retrying");
      const problem = { kind: "ClusterPolicy", apiVersion, namespace: ref.namespace, name: ref.name, reason: "Failed" as const, message: message.slice(0, 1024) };
      record.status = policyStatus({ ...ref, generation, objects: 0, problems: [problem] }, new Date(this.#clock.now()));
      this.#scheduler.failed(ref.uid);
      return false;
    }
  }

  /** Removes what policies no longer selecting the cluster made; returns how many are still being removed. */
  async #pruneDeselected(all: boolean, uids: ReadonlySet<string>): Promise<number> {
    let pruning = 0;
    for (const inventory of this.#tenant.inventories()) {
      const record = this.#records.get(inventory.uid);
      // Selected, or not yet known to be gone (the hub could not be read): keep.
      if (record !== undefined && !record.gone) continue;
      if (this.#stopping()) return pruning;
      if (!all && !uids.has(inventory.uid)) {
        pruning += 1;
        continue;
      }
      try {
        await prunePolicy(this.#tenant, inventory);
        this.#scheduler.succeeded(inventory.uid);
        this.#log.info({ policy: inventory.policy, objects: inventory.objects.length, prune: inventory.prune }, inventory.prune ? "Removed a deselected policy's objects" : "Orphaned a deselected policy's objects");
      } catch (error) {
        pruning += 1;
        this.#log.warn({ policy: inventory.policy, error: describeError(error) }, "Cannot remove a deselected policy's objects; retrying");
        this.#scheduler.failed(inventory.uid);
      }
    }
    return pruning;
  }

  /** Writes the status when it says something new (lastSyncTime alone is not news). */
  async #writeStatus(sync: ClusterSync, pruning: number): Promise<void> {
    const entries = [...this.#records.values()].flatMap((record) => (record.status ? [record.status] : []));
    const next = agentStatus(entries, this.#appliedGeneration ?? sync.status?.observedGeneration, pruning);
    if (!statusChanged(this.#lastWritten ?? sync.status, next)) return;
    try {
      await this.#management.writeStatus(next);
      this.#lastWritten = next;
      this.#scheduler.succeeded(statusKey);
      this.#log.info({ policies: entries.length, states: summarize(entries), pruning }, "Status written");
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, "Cannot write the ClusterSync status; retrying");
      this.#scheduler.failed(statusKey);
    }
  }
}

function summarize(entries: readonly ClusterSyncPolicyStatus[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.state] = (counts[entry.state] ?? 0) + 1;
  return counts;
}

function loadKubeConfigFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (!kc.getCurrentCluster()) throw new Error(`the kubeconfig ${file} has no current cluster`);
  return kc;
}
