import type { Addon, Cluster, Seed } from "@seedbed/api";
import { requestFor, type Clock, type Informer, type Manager } from "@seedbed/runtime";
import { clusterKindRef, clusterTemplateKindRef } from "../cluster/kinds.ts";
import { seedKindRef } from "../../seeds/registry.ts";
import type { CNIName } from "./catalog/index.ts";
import { HelmRunner } from "./helm/index.ts";
import { AddonMetrics } from "./metrics.ts";
import { AddonReconciler, type AddonCache } from "./reconciler.ts";
import { AddonWatches } from "./watches.ts";

/** The platform's add-on settings (`seedbed up` and `seedbed operator` flags). */
export interface AddonOptions {
  /** The add-ons every cluster gets unless its template or spec turns them off (default: CoreDNS). */
  readonly defaults?: readonly Addon[];
  /** A registry mirror for add-on images, when the seed names none (Seed spec.imageRegistry). */
  readonly imageRegistry?: string;
  /** Chart repositories replacing the CNI charts' upstream ones (air-gapped platforms; tests serve their own). */
  readonly cniRepositories?: Partial<Record<CNIName, string>>;
  /** The helm binary (default: the pinned one of the binary cache). */
  readonly helmBinary?: string;
}

/** What the add-on controller shares with the others. */
export interface AddonSetup extends AddonOptions {
  readonly clusters: Informer<Cluster>;
  readonly cache: AddonCache;
  /** Where helm keeps its repository cache and the short-lived files of each call. */
  readonly workDir: string;
  readonly tenantTimeoutMs?: number;
  readonly clock?: Clock;
}

/**
 * Adds the add-on controller (see reconciler.ts): a pass per Cluster,
 * brought back by the Cluster, its template, its seed (the image mirror),
 * and any change to an add-on object in its tenant.
 */
export function registerAddons(manager: Manager, setup: AddonSetup): { stop(): Promise<void> } {
  const mirrors = new SeedMirrors();
  let enqueue: ((cluster: { namespace: string; name: string }) => void) | undefined;
  const metrics = new AddonMetrics(manager.metrics.registry);
  const watches = new AddonWatches({ onChange: (c) => enqueue?.(c), timeoutMs: setup.tenantTimeoutMs, watchesChanged: (delta) => metrics.watchesChanged(delta) });
  const controller = manager.addController({
    name: "addons",
    kind: clusterKindRef,
    workers: 4,
    // A failing chart is retried with backoff, at least every 5 minutes.
    rateLimit: { maxDelayMs: 300_000 },
    reconciler: new AddonReconciler({
      client: manager.client,
      cache: setup.cache,
      watches,
      helm: new HelmRunner({ workDir: setup.workDir, ...(setup.helmBinary === undefined ? {} : { helmBinary: setup.helmBinary }) }),
      defaults: setup.defaults,
      imageRegistry: setup.imageRegistry,
      cniRepositories: setup.cniRepositories,
      events: manager.eventRecorder("addons"),
      clock: setup.clock,
      metrics,
    }),
    watches: [
      { kind: clusterTemplateKindRef, mapFn: (t) => setup.clusters.list(t.metadata?.namespace).filter((c) => c.spec.template === t.metadata?.name).flatMap(requestFor) },
      // Only a changed image mirror matters here: the Seed's status moves with every tenant's writes to its shared etcd.
      { kind: seedKindRef, mapFn: (seed) => (mirrors.changed(seed as Seed) ? setup.clusters.list().filter((c) => c.status?.seed === seed.metadata?.name).flatMap(requestFor) : []) },
    ],
  });
  enqueue = (c) => controller.enqueue(c);
  return { stop: () => watches.stopAll() };
}

/** The image mirror each Seed last named, to tell a change of it from the Seed's other updates. */
class SeedMirrors {
  readonly #seen = new Map<string, string | undefined>();

  /** Whether `seed` names another mirror than when last seen (a Seed seen first counts as unchanged: its clusters get a pass of their own at start). */
  changed(seed: Seed): boolean {
    const name = seed.metadata.name ?? "";
    const mirror = seed.metadata.deletionTimestamp === undefined ? seed.spec.imageRegistry : undefined;
    const known = this.#seen.has(name);
    const before = this.#seen.get(name);
    this.#seen.set(name, mirror);
    return known && before !== mirror;
  }
}
