import { isDeepStrictEqual } from "node:util";
import { PatchStrategy } from "@kubernetes/client-node";
import { SeedConditions, type Seed } from "@seedbed/api";
import { applyStatus, isConflict, isNotFound, parseQuantity, setCondition, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileResult, type Reconciler, type ReconcileRequest } from "@seedbed/runtime";
import { seedMetadataPatch, type SeedMetadataPatch } from "./metadata.ts";
import { computeSeedStatus, type SeedReachability } from "./status.ts";
import type { SharedDatastoreObservation, SharedDatastoreSpec } from "@seedbed/controlplane";
import { sharedDatastoreStatus } from "./shared-datastore.ts";

/** What the Seed reconciler reads and reaches. */
export interface SeedReconcilerOptions {
  readonly client: ObjectClient;
  readonly seed: (name: string) => Seed | undefined;
  /** The clusters (<namespace>/<name>, sorted) a seed hosts: by status.seed, and those placed there not yet recorded (SeedDrivers.hostedBy). */
  readonly hosted: (seed: string) => readonly string[];
  /** Whether the operator can host control planes on a seed (see SeedDrivers.reachability). */
  readonly reachability: (seed: Seed) => Promise<SeedReachability>;
  /** Where a deleted Seed kept for its clusters says so (reason SeedInUse). */
  readonly events?: EventRecorder;
  readonly clock?: Clock;
  /** How often a seed is looked at again, and how long a reachability answer is kept (default 60 s). */
  readonly recheckMs?: number;
  /** Runs the shared etcds of local seeds (the local driver); absent where the operator hosts no processes. */
  readonly sharedDatastores?: SharedDatastoreHost;
  /** The clusters (<namespace>/<name>) whose data is in a seed's shared etcd (status.controlPlane.datastore.sharedWith). */
  readonly sharedTenants?: (seed: string) => readonly string[];
}

/** What runs a seed's shared etcd. */
export interface SharedDatastoreHost {
  applySharedDatastore(spec: SharedDatastoreSpec): Promise<SharedDatastoreObservation>;
  removeSharedDatastore(name: string): Promise<void>;
  sharedDatastores(): string[];
}

/**
 * Keeps each Seed's finalizer and region label (metadata.ts) and writes its
 * status: clusters hosted, whether the operator can reach it, room left,
 * which fields are accepted but not carried out (SpecSupported). A deleted
 * Seed is let go once it hosts no cluster. It changes nothing on the seed
 * itself; the Cluster controller places and runs control planes.
 */
export class SeedReconciler implements Reconciler {
  readonly #o: SeedReconcilerOptions;
  readonly #clock: Clock;
  /** Per seed (name and generation): the last answer and when it was asked, so that cluster events cost no request to the seed. */
  readonly #probed = new Map<string, { key: string; at: number; answer: SeedReachability }>();

  constructor(options: SeedReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const seed = this.#o.seed(request.name);
    if (!seed) {
      this.#probed.delete(request.name);
      return undefined;
    }
    const name = seed.metadata.name ?? "";
    const hosted = this.#o.hosted(name);
    const deleting = seed.metadata.deletionTimestamp !== undefined;
    const patch = seedMetadataPatch(seed, hosted.length);
    if (patch !== undefined) await this.#patchMetadata(seed, patch);
    if (deleting && hosted.length === 0) {
      this.#probed.delete(name);
      await this.#removeShared(name, context);
      if (patch !== undefined) context.log.info("Released a deleted Seed that hosts no cluster");
      return undefined;
    }
    const shared = await this.#shared(seed, context);
    await this.#writeStatus(seed, hosted, shared);
    // A shared etcd coming up is looked at again soon; a running one often enough for its members' health.
    return { requeueAfter: shared?.ready === false ? 2000 : shared !== undefined ? 30_000 : (this.#o.recheckMs ?? 60_000) };
  }

  /**
   * Runs the shared etcd a local seed offers (spec.sharedDatastore). One
   * no longer in the spec goes once no cluster keeps its data there; until
   * then it keeps running, and SpecSupported says why.
   */
  async #shared(seed: Seed, context: ReconcileContext): Promise<SharedDatastoreObservation | undefined> {
    const host = this.#o.sharedDatastores;
    const name = seed.metadata.name ?? "";
    const spec = seed.spec.sharedDatastore;
    if (host === undefined || seed.spec.driver !== "local") return undefined;
    if (spec !== undefined) return host.applySharedDatastore({ name, members: spec.members, quotaBytes: parseQuantity(String(spec.quota)) });
    if (!host.sharedDatastores().includes(name)) return undefined;
    const tenants = this.#o.sharedTenants?.(name) ?? [];
    if (tenants.length > 0) return host.applySharedDatastore({ name, members: 3, quotaBytes: 8 * 1024 ** 3 });
    await this.#removeShared(name, context);
    return undefined;
  }

  async #removeShared(name: string, context: ReconcileContext): Promise<void> {
    const host = this.#o.sharedDatastores;
    if (host === undefined || !host.sharedDatastores().includes(name)) return;
    await host.removeSharedDatastore(name);
    context.log.info({ seed: name }, "Removed the seed's shared etcd: no cluster keeps its data there");
  }

  /** Computes the status (status.ts) and applies it when it changed; a deleted Seed kept for its clusters says so in an event too. */
  async #writeStatus(seed: Seed, hosted: readonly string[], shared: SharedDatastoreObservation | undefined): Promise<void> {
    const tenants = this.#o.sharedTenants?.(seed.metadata.name ?? "") ?? [];
    const computed = computeSeedStatus(seed, { hosted, reachability: await this.#reachability(seed), sharedTenants: tenants });
    const now = this.#clock.now();
    const { conditions: inputs, ...fields } = computed;
    let conditions = seed.status?.conditions ?? [];
    for (const input of inputs) conditions = setCondition(conditions, { ...input, observedGeneration: seed.metadata.generation }, now);
    const status = { ...seed.status, ...fields, conditions, observedGeneration: seed.metadata.generation };
    // No capacity any more: no room left to show (the last known kubernetesVersion stays while the seed is unreachable).
    if (fields.capacityLeft === undefined) delete status.capacityLeft;
    if (shared === undefined) delete status.sharedDatastore;
    else status.sharedDatastore = sharedDatastoreStatus(shared);
    const inUse = inputs.find((c) => c.type === SeedConditions.Deleting);
    const before = seed.status?.conditions?.find((c) => c.type === SeedConditions.Deleting);
    if (inUse !== undefined && inUse.message !== before?.message) this.#o.events?.record(seed, { type: "Warning", reason: "SeedInUse", action: "Delete", note: inUse.message });
    if (isDeepStrictEqual(status, seed.status)) return;
    try {
      await applyStatus(this.#o.client, { apiVersion: seed.apiVersion, kind: seed.kind, metadata: { name: seed.metadata.name }, status });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  /** A merge patch carrying the resourceVersion: a finalizer list changed meanwhile is a conflict, retried, never overwritten. */
  async #patchMetadata(seed: Seed, patch: SeedMetadataPatch): Promise<void> {
    try {
      await this.#o.client.request("PATCH", `/apis/${seed.apiVersion}/seeds/${seed.metadata.name ?? ""}`, {
        body: { metadata: { ...patch, resourceVersion: seed.metadata.resourceVersion } },
        contentType: PatchStrategy.MergePatch,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async #reachability(seed: Seed): Promise<SeedReachability> {
    const name = seed.metadata.name ?? "";
    // The generation, not the resourceVersion: our own status writes must not cost a probe each.
    const key = String(seed.metadata.generation ?? "");
    const known = this.#probed.get(name);
    const now = this.#clock.now();
    if (known?.key === key && now - known.at < (this.#o.recheckMs ?? 60_000)) return known.answer;
    const answer = await this.#o.reachability(seed);
    this.#probed.set(name, { key, at: now, answer });
    return answer;
  }
}
