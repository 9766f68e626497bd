import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, type Cluster } from "@seedbed/api";
import { Informer, silentLogger, type InformerCache, type KindRef } from "@seedbed/runtime";
import type { Logger } from "pino";
import { ClusterRoutes } from "./routes.ts";

/** Cluster as the informer knows it. */
export const clusterKindRef: KindRef = { apiVersion, kind: "Cluster", plural: "clusters", namespaced: true };

/** Where to watch Clusters and which domain names them. */
export interface WatchClusterRoutesOptions {
  readonly kubeConfig: KubeConfig;
  /** See ClusterRoutesOptions.domain. */
  readonly domain: string;
  readonly logger?: Logger;
  /**
   * A manager's cache to share its Cluster informer (then started and
   * stopped by its owner); a private informer when absent.
   */
  readonly informerCache?: InformerCache;
}

/** A route table kept current from the API. */
export interface ClusterRouteWatch {
  readonly routes: ClusterRoutes;
  /** Resolves true once every Cluster has been listed into the table, false if stopped first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** Stops updating the table (and the private informer, if one was made). */
  stop(): Promise<void>;
}

/**
 * Only what routing reads is cached: a gateway in front of thousands of
 * clusters keeps names and endpoints, not specs and conditions.
 * resourceVersion stays, as the informer resumes its watch from it.
 */
function routingFields(obj: KubernetesObject): KubernetesObject {
  const cluster = obj as Partial<Cluster>;
  const { name, namespace, uid, resourceVersion, deletionTimestamp } = cluster.metadata ?? {};
  const endpoint = cluster.status?.endpoint;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name, namespace, uid, resourceVersion, deletionTimestamp },
    ...(endpoint === undefined ? {} : { status: { endpoint } }),
  };
}

/**
 * Watches Clusters in every namespace and keeps a ClusterRoutes table in
 * step: adds and updates upsert, deletes remove, and a relist after a lost
 * watch replays both (the runtime's Informer handles restarts and 410 Gone).
 */
export function watchClusterRoutes(options: WatchClusterRoutesOptions): ClusterRouteWatch {
  const log = (options.logger ?? silentLogger()).child({ component: "cluster-routes" });
  const routes = new ClusterRoutes({ domain: options.domain, logger: log });
  const informer = options.informerCache
    ? // No transform here: the cache's first caller decides it for every reader of the kind.
      options.informerCache.informerFor<Cluster>(clusterKindRef)
    : new Informer<Cluster>({ kubeConfig: options.kubeConfig, kind: clusterKindRef, transform: routingFields, logger: log });
  const unsubscribe = informer.addHandlers({
    add: (cluster) => routes.upsert(cluster),
    update: (cluster) => routes.upsert(cluster),
    delete: (cluster) => routes.remove(cluster),
  });
  if (!options.informerCache) informer.start();
  return {
    routes,
    waitForSync: (signal) => informer.waitForSync(signal),
    async stop(): Promise<void> {
      unsubscribe();
      if (!options.informerCache) await informer.stop();
    },
  };
}
