import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { Clock } from "../clock/clock.ts";
import type { KindRef } from "../client/kind.ts";
import type { ObjectClient } from "../client/object-client.ts";
import { Informer } from "./informer.ts";

/** What narrows an informer beyond its kind. */
export interface InformerScope {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Shrinks cached objects (see InformerOptions.transform); the first caller of a kind and scope decides. */
  readonly transform?: (obj: KubernetesObject) => KubernetesObject;
}

/** Dependencies shared by every informer of a cache. */
export interface InformerCacheOptions {
  readonly kubeConfig: KubeConfig;
  /** Shared by the informers' lists. */
  readonly client?: ObjectClient;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * One informer per kind and scope, shared by every controller of a
 * manager, so two controllers watching ConfigMaps open one watch and keep
 * one copy of them (controller-runtime's cache does the same).
 */
export class InformerCache {
  readonly #options: InformerCacheOptions;
  readonly #informers = new Map<string, Informer>();

  /** An empty cache; informers are made on first use. */
  constructor(options: InformerCacheOptions) {
    this.#options = options;
  }

  /** The informer of `kind` in `scope`, created (not started) on first use. */
  informerFor<T extends KubernetesObject = KubernetesObject>(kind: KindRef, scope: InformerScope = {}): Informer<T> {
    const key = [kind.apiVersion, kind.plural, scope.namespace ?? "", scope.labelSelector ?? "", scope.fieldSelector ?? ""].join("|");
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer({ ...this.#options, kind, namespace: scope.namespace, labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector, transform: scope.transform });
      this.#informers.set(key, informer);
    }
    // The cache cannot know T; callers name the kind and its type together.
    return informer as unknown as Informer<T>;
  }

  /** Every informer made so far. */
  all(): readonly Informer[] {
    return [...this.#informers.values()];
  }

  /** True when every informer made so far has synced. */
  hasSynced(): boolean {
    return this.all().every((informer) => informer.hasSynced());
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    await Promise.all(this.all().map((informer) => informer.stop()));
  }
}
