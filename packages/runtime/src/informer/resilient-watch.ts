import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";

/** How the informer steers and observes its watch requests. */
export interface WatchHooks {
  /** Shrinks each object before the cache sees it. */
  trim(obj: KubernetesObject): KubernetesObject;
  /** Asked before each request; false means the informer stopped and no request is made. */
  active(): boolean;
  /** Called as each request starts; ListWatch only watches after a list was applied to its cache. */
  starting(): void;
  /** Called once the server accepted the request (HTTP 200). */
  established(): void;
}

/**
 * client-node's Watch with three gaps of ListWatch (2.0.1) closed:
 *
 * - ListWatch keeps going after `stop()` if it was listing at that moment:
 *   it then opens a watch nobody will close. We refuse requests once the
 *   informer stopped.
 * - An exception thrown before the request is sent (credentials that fail
 *   to load) rejects a promise ListWatch never awaits. We report it through
 *   `done`, so the informer's error handling restarts it.
 * - It asks for bookmarks, so an idle watch keeps a recent resourceVersion
 *   and a reconnect less often falls back to a full relist (410 Gone).
 */
export class ResilientWatch extends Watch {
  readonly #hooks: WatchHooks;

  /** A Watch for `kc` reporting to `hooks`. */
  constructor(kc: KubeConfig, hooks: WatchHooks) {
    super(kc);
    this.#hooks = hooks;
  }

  /** Starts one watch request, as Watch#watch does. */
  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (!this.#hooks.active()) return aborted();
    this.#hooks.starting();
    const outcome = { failed: false };
    const reportDone = (err: unknown): void => {
      if (err) outcome.failed = true;
      done(err);
    };
    try {
      // Bookmarks and errors carry no object worth trimming.
      const trimmed = (phase: string, apiObj: unknown, watchObj?: unknown): void =>
        callback(phase, phase === "ADDED" || phase === "MODIFIED" || phase === "DELETED" ? this.#hooks.trim(apiObj as KubernetesObject) : apiObj, watchObj);
      const controller = await super.watch(path, { ...queryParams, allowWatchBookmarks: true }, trimmed, reportDone);
      if (!outcome.failed) this.#hooks.established();
      return controller;
    } catch (error) {
      reportDone(error);
      return aborted();
    }
  }
}

/**
 * Drops metadata.managedFields, as controller-runtime's caches are usually
 * told to: no reconciler reads them, and on objects written by server-side
 * apply they are often the largest part (half the memory of a cache of
 * thousands of Deployments and Pods).
 */
export function withoutManagedFields<T>(obj: T): T {
  const metadata = (obj as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (metadata && "managedFields" in metadata) delete metadata.managedFields;
  return obj;
}

function aborted(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}
