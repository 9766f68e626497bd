import { ClusterConditions, type Cluster } from "@seedbed/api";
import { applyStatus, getCondition, setCondition, type Clock, type ConditionInput, type EventRecorder, type ObjectClient } from "@seedbed/runtime";
import { defaultFailureGraceMs, describeFailure, failedReadyCondition, shouldReport, type PassStep } from "./failure.ts";
import type { EffectiveClusterSpec } from "./resolve.ts";
import { specSupportedCondition, unsupportedFields, type SupportContext } from "./support.ts";
import { clusterOwnedStatus } from "./status-owner.ts";

/** Where a pass is: the step a failure is reported against. */
export interface PassProgress {
  step: PassStep;
  seed?: string;
}

/** What the reporter needs. */
export interface ClusterReporterOptions {
  readonly client: ObjectClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** How long transient failures must persist before Ready says so (default 30 s). */
  readonly failureGraceMs?: number;
}

/**
 * What a Cluster's status says beyond one clean pass: passes that fail
 * (Ready=False with the reason once failures persist, or at once for a
 * refusal) and fields the seed does not carry out (SpecSupported, with a
 * Warning Event when the list changes). Failures are remembered per Cluster
 * in memory: after a restart the grace starts again, which only delays.
 */
export class ClusterReporter {
  readonly #o: ClusterReporterOptions;
  /** Cluster uid → when its passes began to fail. */
  readonly #failingSince = new Map<string, number>();

  constructor(options: ClusterReporterOptions) {
    this.#o = options;
  }

  /** A pass ended without error: the next failure starts a new grace. */
  succeeded(cluster: Cluster): void {
    this.#failingSince.delete(cluster.metadata.uid ?? "");
  }

  /**
   * A pass failed at `progress`: Ready goes False with the reason once it is
   * due. observedGeneration stays (it moves only after a clean pass), and so
   * do the other conditions: they describe the last pass that saw the world.
   */
  async failed(cluster: Cluster, progress: PassProgress, error: unknown): Promise<void> {
    const now = this.#o.clock.now();
    const key = cluster.metadata.uid ?? "";
    const since = this.#failingSince.get(key) ?? now;
    this.#failingSince.set(key, since);
    const report = describeFailure(progress.step, error, progress.seed ?? cluster.status?.seed);
    if (!shouldReport(report, since, now, this.#o.failureGraceMs ?? defaultFailureGraceMs)) return;
    const ready = failedReadyCondition(report);
    const before = getCondition(cluster.status?.conditions, ClusterConditions.Ready);
    if (before?.reason === ready.reason && before.message === ready.message && before.status === ready.status) return;
    const conditions = setCondition(cluster.status?.conditions ?? [], { ...ready, observedGeneration: cluster.metadata.generation }, now);
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: clusterOwnedStatus({ ...cluster.status, conditions }) });
    } catch {
      // The API that refused the pass may refuse this write too (or the
      // Cluster went): the pass's own error is what is logged and retried.
      return;
    }
    if (before?.reason !== ready.reason) this.#o.events.record(cluster, { type: "Warning", reason: ready.reason, action: "Reconcile", note: ready.message });
  }

  /** The SpecSupported condition of a pass, with a Warning Event when the fields it names change. */
  supported(cluster: Cluster, spec: EffectiveClusterSpec, context: SupportContext): ConditionInput {
    const condition = specSupportedCondition(unsupportedFields(spec, context), context);
    const before = getCondition(cluster.status?.conditions, ClusterConditions.SpecSupported);
    if (condition.status === "False" && before?.message !== condition.message) {
      this.#o.events.record(cluster, { type: "Warning", reason: condition.reason, action: "Validate", note: condition.message });
    }
    return condition;
  }
}
