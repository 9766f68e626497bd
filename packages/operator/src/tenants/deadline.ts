// Every wait on a tenant cluster is bounded: a tenant whose API accepts
// connections and never answers (a hung API server, a black-holed route)
// would otherwise hold a worker of the node-pool or tenant-RBAC controller
// for good, and with it every other cluster's pools queued behind it.
import type { KubeConfig } from "@kubernetes/client-node";
import { makeApiClient, ObjectClient, SharedConnection, type RequestOptions } from "@seedbed/runtime";
import type { HttpMethod } from "@kubernetes/client-node";

/** How long one request to a tenant, or the first sync of its caches, may take by default. */
export const defaultTenantTimeoutMs = 10_000;

/**
 * A tenant did not answer in time. A passing failure: the pass that meets
 * it reports it (a NodePool's Ready condition, an event on the Cluster) and
 * throws, so the controller retries with backoff.
 */
export class TenantUnreachableError extends Error {
  /** The condition reason it is reported with. */
  readonly reason = "TenantUnreachable";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TenantUnreachableError";
  }
}

/**
 * An ObjectClient to a tenant whose every request ends within `timeoutMs`
 * (a caller's own signal may end it sooner); one that does not ends in a
 * TenantUnreachableError naming the tenant and the request.
 */
export class DeadlineClient extends ObjectClient {
  #timeoutMs = defaultTenantTimeoutMs;
  #tenant = "";

  /** A client for `kc`'s current context; `tenant` names the cluster in errors (never a credential). */
  static forTenant(kc: KubeConfig, tenant: string, timeoutMs: number = defaultTenantTimeoutMs): DeadlineClient {
    const client = makeApiClient(kc, DeadlineClient, new SharedConnection());
    client.setDefaultNamespace(kc);
    client.#timeoutMs = timeoutMs;
    client.#tenant = tenant;
    return client;
  }

  /** One request, aborted once the deadline passes. */
  override async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
    try {
      return await super.request<T>(method, path, { ...options, signal });
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw new TenantUnreachableError(`the API of ${this.#tenant} did not answer ${method} ${path.split("?")[0] ?? path} within ${formatSeconds(this.#timeoutMs)}; retried with backoff`, { cause: error });
    }
  }
}

/** "10 s", "0.5 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
