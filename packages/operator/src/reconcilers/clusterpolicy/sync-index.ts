import type { ClusterSync } from "@seedbed/api";
import type { Informer } from "@seedbed/runtime";
import { compareKeys } from "../upgradeplan/select.ts";

/** A cluster (and its ClusterSync) by namespace and name. */
export interface ClusterKey {
  readonly namespace: string;
  readonly name: string;
}

const keyOf = (sync: ClusterSync): string => `${sync.metadata.namespace ?? ""}/${sync.metadata.name ?? ""}`;

/**
 * Which ClusterSyncs list a policy (by uid) in their spec: the clusters a
 * policy selects as last written, kept current from the ClusterSync
 * informer's events. A policy's status and the clusters to revisit when a
 * policy changes come from here in time proportional to that policy's
 * clusters, not to the fleet.
 */
export class PolicySyncIndex {
  readonly #byPolicy = new Map<string, Set<string>>();
  readonly #bySync = new Map<string, readonly string[]>();

  /** Follows `informer` (its cached objects first); returns the unsubscribe function. */
  follow(informer: Informer<ClusterSync>): () => void {
    return informer.addHandlers({ add: (s) => this.set(s), update: (s) => this.set(s), delete: (s) => this.remove(s) });
  }

  /** Records what `sync` lists now. */
  set(sync: ClusterSync): void {
    const key = keyOf(sync);
    this.#unlink(key);
    const uids = [...new Set((sync.spec.policies ?? []).map((p) => p.uid))];
    this.#bySync.set(key, uids);
    for (const uid of uids) {
      let clusters = this.#byPolicy.get(uid);
      if (!clusters) this.#byPolicy.set(uid, (clusters = new Set()));
      clusters.add(key);
    }
  }

  /** Forgets a deleted ClusterSync. */
  remove(sync: ClusterSync): void {
    const key = keyOf(sync);
    this.#unlink(key);
    this.#bySync.delete(key);
  }

  /** The clusters whose ClusterSync lists the policy of `uid`, sorted by namespace/name. */
  clustersOf(uid: string): ClusterKey[] {
    return [...(this.#byPolicy.get(uid) ?? [])]
      .map((key): ClusterKey => {
        const slash = key.indexOf("/");
        return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
      })
      .sort((a, b) => compareKeys(a.namespace, a.name, b.namespace, b.name));
  }

  #unlink(key: string): void {
    for (const uid of this.#bySync.get(key) ?? []) {
      const clusters = this.#byPolicy.get(uid);
      clusters?.delete(key);
      if (clusters?.size === 0) this.#byPolicy.delete(uid);
    }
  }
}
