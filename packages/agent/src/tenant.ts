import { PatchStrategy, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import { policyInventoryLabel, policyInventoryName, policyInventoryNamespace, policyNameAnnotation, policyUIDLabel } from "@seedbed/api";
import { collectionPath, Informer, isNotFound, objectPath, SharedConnection, type KindRef } from "@seedbed/runtime";
import type { Logger } from "pino";
import type { LiveObject } from "./conflicts.ts";
import { CountingClient, type RequestCounter } from "./counting-client.ts";
import { Discovery } from "./discovery.ts";
import { inventoryConfigMap, parseInventory, type Inventory } from "./inventory.ts";
import type { ObjectRef } from "./object-ref.ts";
import type { TenantObject } from "./render.ts";

/** The field manager of the agent's own writes (inventories, status). */
export const agentFieldManager = "seedbed-policy-agent";

/** How long a pass waits for a new watch to list its kind before giving up on it (and retrying later). */
const watchSyncTimeoutMs = 30_000;

/** The tenant side of an agent and what it reports. */
export interface TenantOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** A policy's object changed in the tenant: `uid` is its label (undefined once the label is gone). */
  readonly onObjectEvent: (uid: string | undefined, ref: ObjectRef) => void;
  /** Aborts a pass waiting on a watch when the agent stops. */
  readonly signal: AbortSignal;
}

const inventoryKind: KindRef = { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };

/**
 * The tenant API as the agent uses it: discovery, one watch per kind the
 * policies use (objects labelled with any policy uid: the cache that makes
 * an unchanged object cost no request, and the source of drift events),
 * applies, removals and inventories.
 */
export class Tenant {
  readonly counter: RequestCounter = { requests: 0 };
  /** Writes made to the tenant (applies, deletes, label removals, inventories). */
  writes = 0;
  readonly discovery: Discovery;
  readonly #options: TenantOptions;
  readonly #connection = new SharedConnection();
  readonly #client: CountingClient;
  readonly #informers = new Map<string, Informer>();
  #inventories: Map<string, Inventory> | undefined;

  /** A tenant client for `options.kubeConfig`; nothing is watched until a kind is used. */
  constructor(options: TenantOptions) {
    this.#options = options;
    this.#client = CountingClient.create(options.kubeConfig, this.#connection, this.counter);
    this.discovery = new Discovery(this.#client);
  }

  /** Starts the watch of `kind` on first use and waits until it has listed. */
  async watch(kind: KindRef): Promise<void> {
    const key = `${kind.apiVersion}|${kind.plural}`;
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer({ kubeConfig: this.#options.kubeConfig, client: this.#client, kind, labelSelector: policyUIDLabel, logger: this.#options.logger });
      const report = (obj: KubernetesObject): void => this.#report(kind, obj);
      informer.addHandlers({ add: report, update: report, delete: report });
      this.#informers.set(key, informer);
      informer.start();
    }
    if (informer.hasSynced()) return;
    const synced = await informer.waitForSync(AbortSignal.any([this.#options.signal, AbortSignal.timeout(watchSyncTimeoutMs)]));
    if (!synced) throw new Error(`the watch of ${kind.plural} did not list in time`);
  }

  /** The kinds watched so far. */
  watchedKinds(): number {
    return this.#informers.size;
  }

  /**
   * The object as it is: from the watch when a policy labelled it (no
   * request), otherwise read (it may exist without a label); undefined when absent.
   */
  async read(kind: KindRef, ref: ObjectRef): Promise<LiveObject | undefined> {
    const cached = this.cached(kind, ref);
    if (cached !== undefined) return cached;
    try {
      return await this.#client.request<LiveObject>("GET", objectPath(kind, ref.namespace, ref.name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The object from the watch of its kind, if a policy labelled it and the kind is watched. */
  cached(kind: KindRef, ref: ObjectRef): LiveObject | undefined {
    const informer = this.#informers.get(`${kind.apiVersion}|${kind.plural}`);
    return informer?.get(kind.namespaced ? ref.namespace : undefined, ref.name) as LiveObject | undefined;
  }

  /** Server-side apply of `object` as `fieldManager`. */
  async apply(kind: KindRef, object: TenantObject, fieldManager: string, force: boolean): Promise<void> {
    this.writes += 1;
    await this.#client.request("PATCH", objectPath(kind, object.metadata.namespace, object.metadata.name), {
      body: object,
      contentType: PatchStrategy.ServerSideApply,
      query: { fieldManager, force },
    });
  }

  /** Deletes the object if it is still the one with `uid` (a recreated one of the same name is left). */
  async remove(kind: KindRef, ref: ObjectRef, uid: string | undefined): Promise<void> {
    this.writes += 1;
    try {
      await this.#client.request("DELETE", objectPath(kind, ref.namespace, ref.name), {
        body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", ...(uid === undefined ? {} : { preconditions: { uid } }) },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Takes the policy's label and annotation off the object: it stays, no longer the policy's. */
  async orphan(kind: KindRef, ref: ObjectRef): Promise<void> {
    this.writes += 1;
    try {
      await this.#client.request("PATCH", objectPath(kind, ref.namespace, ref.name), {
        body: { metadata: { labels: { [policyUIDLabel]: null }, annotations: { [policyNameAnnotation]: null } } },
        contentType: PatchStrategy.MergePatch,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Reads every policy inventory in the tenant (one list), once: from then
   * on the agent's own writes keep its copy current, since it is their
   * only writer.
   */
  async loadInventories(): Promise<void> {
    if (this.#inventories) return;
    const list = await this.#client.request<KubernetesListObject<KubernetesObject & { data?: Record<string, string> }>>("GET", collectionPath(inventoryKind, policyInventoryNamespace), {
      query: { labelSelector: `${policyInventoryLabel}=true` },
    });
    const inventories = new Map<string, Inventory>();
    for (const item of list.items) {
      const inventory = parseInventory(item);
      if (inventory) inventories.set(inventory.uid, inventory);
    }
    this.#inventories = inventories;
  }

  /** A policy's inventory as last read or written. */
  inventory(uid: string): Inventory | undefined {
    return this.#inventories?.get(uid);
  }

  /** Every inventory (empty before `loadInventories`). */
  inventories(): readonly Inventory[] {
    return [...(this.#inventories?.values() ?? [])];
  }

  /** Stores `inventory` (server-side apply: creates or replaces its data). */
  async writeInventory(inventory: Inventory): Promise<void> {
    const configMap = inventoryConfigMap(inventory);
    this.writes += 1;
    await this.#client.request("PATCH", objectPath(inventoryKind, policyInventoryNamespace, configMap.metadata.name), {
      body: configMap,
      contentType: PatchStrategy.ServerSideApply,
      query: { fieldManager: agentFieldManager, force: true },
    });
    this.#inventories?.set(inventory.uid, inventory);
  }

  /** Removes a policy's inventory, once its objects are gone. */
  async deleteInventory(uid: string): Promise<void> {
    this.writes += 1;
    try {
      await this.#client.request("DELETE", objectPath(inventoryKind, policyInventoryNamespace, policyInventoryName(uid)));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.#inventories?.delete(uid);
  }

  /** Stops every watch and closes the connections. */
  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
    this.#informers.clear();
    await this.#connection.close();
  }

  #report(kind: KindRef, obj: KubernetesObject): void {
    const name = obj.metadata?.name ?? "";
    const namespace = kind.namespaced ? obj.metadata?.namespace : undefined;
    this.#options.onObjectEvent(obj.metadata?.labels?.[policyUIDLabel], { apiVersion: kind.apiVersion, kind: kind.kind, ...(namespace === undefined ? {} : { namespace }), name });
  }
}
