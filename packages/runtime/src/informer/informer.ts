import { ADD, DELETE, ERROR, ListWatch, UPDATE, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { systemClock, type Clock, type Timer } from "../clock/clock.ts";
import { collectionPath, objectKey, type KindRef } from "../client/kind.ts";
import { describeError, ObjectClient } from "../client/object-client.ts";
import { silentLogger } from "../logging/logger.ts";
import { ResilientWatch, withoutManagedFields } from "./resilient-watch.ts";

/** Callbacks for changes seen by an informer; each gets the object as it now is (the last state for delete). */
export interface EventHandlers<T extends KubernetesObject> {
  add?(obj: T): void;
  update?(obj: T): void;
  delete?(obj: T): void;
}

/** What an informer watches, and its dependencies. */
export interface InformerOptions {
  readonly kubeConfig: KubeConfig;
  /** For lists; one with a pool of its own when absent (watches always get their own connection). */
  readonly client?: ObjectClient;
  readonly kind: KindRef;
  /** Only this namespace; all namespaces when absent (ignored for cluster-scoped kinds). */
  readonly namespace?: string;
  /** A label selector such as "app=web,tier!=db". */
  readonly labelSelector?: string;
  /**
   * A field selector such as "metadata.name=web": with it, RBAC that grants
   * list/watch by resourceNames lets a client watch just the objects it may read.
   */
  readonly fieldSelector?: string;
  /**
   * Shrinks each object before it is cached (controller-runtime's
   * TransformFunc): keep only the fields readers use, to cache thousands
   * of Pods in little memory. managedFields are always dropped.
   */
  readonly transform?: (obj: KubernetesObject) => KubernetesObject;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** First delay before restarting a failed list/watch (default 500 ms), doubled up to `maxRestartDelayMs` (30 s). */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** Objects per list page (default 500, as client-go's reflector). */
  readonly pageSize?: number;
}

/**
 * A cache of one kind kept current by list + watch: client-node's ListWatch
 * (which relists on 410 Gone and reconnects a watch that ends cleanly) plus
 * what it lacks: ListWatch stops for good on any other error — a refused
 * connection while kube-apiserver restarts, a failed list — so we restart
 * it after a backoff, from its last resourceVersion, which replays every
 * change made meanwhile (or relists if that version was compacted). It
 * also adds `hasSynced`, paginated lists, and handlers that cannot break
 * the watch by throwing. One-shot: a stopped informer is not started again.
 */
export class Informer<T extends KubernetesObject = KubernetesObject> {
  readonly kind: KindRef;
  readonly #options: InformerOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #client: ObjectClient;
  readonly #listWatch: ListWatch<T>;
  readonly #handlers = new Set<EventHandlers<T>>();
  readonly #syncWaiters = new Set<(synced: boolean) => void>();
  #started = false;
  #stopped = false;
  #synced = false;
  #restartTimer: Timer | undefined;
  #restartDelayMs: number;

  /** An informer that does nothing until `start()`. */
  constructor(options: InformerOptions) {
    this.kind = options.kind;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger()).child({ informer: `${options.kind.plural}.${options.kind.apiVersion}` });
    this.#client = options.client ?? ObjectClient.fromKubeConfig(options.kubeConfig);
    this.#restartDelayMs = options.restartDelayMs ?? 500;
    const watch = new ResilientWatch(options.kubeConfig, {
      trim: (obj) => this.#trim(obj),
      active: () => !this.#stopped,
      starting: () => this.#markSynced(),
      established: () => (this.#restartDelayMs = options.restartDelayMs ?? 500),
    });
    const path = collectionPath(options.kind, options.namespace);
    this.#listWatch = new ListWatch<T>(path, watch, () => this.#listAll(path), false, options.labelSelector, options.fieldSelector);
    this.#listWatch.on(ADD, (obj) => this.#dispatch("add", obj));
    this.#listWatch.on(UPDATE, (obj) => this.#dispatch("update", obj));
    this.#listWatch.on(DELETE, (obj) => this.#dispatch("delete", obj));
    this.#listWatch.on(ERROR, (err: unknown) => this.#onError(err));
  }

  /** Starts listing and watching; calling it again does nothing. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#run();
  }

  /** Stops watching for good; waiters of `waitForSync` get false. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#restartTimer?.cancel();
    this.#restartTimer = undefined;
    for (const resolve of this.#syncWaiters) resolve(false);
    this.#syncWaiters.clear();
    await this.#listWatch.stop();
  }

  /** True once the first list has been applied to the cache. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false if the informer stops or `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopped || signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (synced: boolean): void => {
        this.#syncWaiters.delete(finish);
        signal?.removeEventListener("abort", onAbort);
        resolve(synced);
      };
      const onAbort = (): void => finish(false);
      this.#syncWaiters.add(finish);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The cached objects, of one namespace or all. */
  list(namespace?: string): readonly T[] {
    return this.#listWatch.list(namespace);
  }

  /** One cached object; `namespace` is undefined for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.#listWatch.get(name, namespace);
  }

  /**
   * Subscribes to changes; objects already cached are replayed as adds, so
   * a late subscriber misses nothing. Returns the unsubscribe function.
   */
  addHandlers(handlers: EventHandlers<T>): () => void {
    this.#handlers.add(handlers);
    for (const obj of this.list()) this.#call(handlers, "add", obj);
    return () => this.#handlers.delete(handlers);
  }

  #trim(obj: KubernetesObject): KubernetesObject {
    const trimmed = withoutManagedFields(obj);
    return this.#options.transform ? this.#options.transform(trimmed) : trimmed;
  }

  #run(): void {
    this.#listWatch.start().catch((error: unknown) => this.#onError(error));
  }

  #onError(error: unknown): void {
    // ListWatch reports the abort of its own request on stop() as an error.
    if (this.#stopped || this.#restartTimer) return;
    const delayMs = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delayMs * 2, this.#options.maxRestartDelayMs ?? 30_000);
    this.#log.warn({ error: describeError(error), delayMs }, "List or watch failed; restarting it");
    this.#restartTimer = this.#clock.setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#stopped) this.#run();
    }, delayMs);
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#log.debug({ objects: this.#listWatch.list().length }, "Informer synced");
    for (const resolve of this.#syncWaiters) resolve(true);
    this.#syncWaiters.clear();
  }

  async #listAll(path: string): Promise<KubernetesListObject<T>> {
    const items: T[] = [];
    let resourceVersion = "";
    let continueToken: string | undefined;
    do {
      const page = await this.#client.request<KubernetesListObject<T>>("GET", path, {
        query: { labelSelector: this.#options.labelSelector, fieldSelector: this.#options.fieldSelector, limit: this.#options.pageSize ?? 500, continue: continueToken },
      });
      for (const item of page.items) {
        // List items come without apiVersion and kind; watch events carry them. Keep one shape.
        item.apiVersion ??= this.kind.apiVersion;
        item.kind ??= this.kind.kind;
        items.push(this.#trim(item) as T);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      // Raw JSON names it "continue" (client-node's model calls it "_continue").
      const next = (page.metadata as { continue?: string } | undefined)?.continue;
      continueToken = next === undefined || next === "" ? undefined : next;
    } while (continueToken !== undefined);
    this.#log.debug({ objects: items.length, resourceVersion }, "Listed");
    return { apiVersion: this.kind.apiVersion, kind: `${this.kind.kind}List`, metadata: { resourceVersion }, items };
  }

  #dispatch(event: keyof EventHandlers<T>, obj: T): void {
    if (this.#stopped) return;
    for (const handlers of this.#handlers) this.#call(handlers, event, obj);
  }

  #call(handlers: EventHandlers<T>, event: keyof EventHandlers<T>, obj: T): void {
    try {
      handlers[event]?.(obj);
    } catch (error) {
      // A throwing handler must not break ListWatch's loop for everyone else.
      this.#log.error({ error: describeError(error), event, object: objectKey(obj) }, "Event handler failed");
    }
  }
}
