import type { V1Secret } from "@kubernetes/client-node";
import type { NodePool } from "@seedbed/api";
import { hasFinalizer, isNotFound, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { credentialsFinalizer, isInUse, releaseCredentials } from "./protect.ts";

/** What the reconciler reads from: the operator's caches. */
export interface CredentialsCache {
  /** Only Secrets labelled seedbed.dev/machine-credentials (protected ones). */
  secret(namespace: string, name: string): V1Secret | undefined;
  /** Every NodePool, deleting ones included. */
  pools(): readonly NodePool[];
}

/**
 * Releases a protected credentials Secret once no NodePool refers to it
 * (see protect.ts; the NodePool reconciler protects it on first use). A
 * controller of its own, keyed by Secret, rather than a step of the last
 * pool's deletion: two pools finishing at once would each still see the
 * other and neither would release it. Here a pool's deletion enqueues the
 * Secret, and it is released on the pass that sees no pool left.
 */
export class CredentialsReconciler implements Reconciler {
  readonly #client: ObjectClient;
  readonly #cache: CredentialsCache;

  constructor(options: { client: ObjectClient; cache: CredentialsCache }) {
    this.#client = options.client;
    this.#cache = options.cache;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const secret = this.#cache.secret(namespace, request.name);
    if (!secret || !hasFinalizer(secret, credentialsFinalizer)) return undefined;
    if (isInUse(this.#cache.pools(), namespace, request.name)) return undefined;
    try {
      await releaseCredentials(this.#client, secret);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return undefined;
    }
    context.log.info("Released machine credentials no node pool uses any more");
    return undefined;
  }
}
