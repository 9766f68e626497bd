import { effectiveUpgradePolicy, projectOfNamespace, upgradePlanAnnotation, type Cluster, type Project, type UpgradePlan } from "@seedbed/api";
import { applyStatus, describeError, setCondition, statusCodeOf, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { durationMs } from "../duration.ts";
import { judgeCluster, restartsBaselineAnnotation, type GateOutcome } from "./gates.ts";
import { decidePlan, type PlanDecision } from "./plan.ts";
import { selectClusters } from "./select.ts";
import { assignWaves, type PlanCluster } from "./waves.ts";
import { windowState } from "./windows.ts";
import { reportTransitions } from "./events.ts";

type Status = NonNullable<UpgradePlan["status"]>;

/** While clusters upgrade, a look this often even without a change seen (a missed watch event costs no more). */
const pollMs = 60_000;

/** What the reconciler reads and writes. */
export interface UpgradePlanReconcilerOptions {
  readonly client: ObjectClient;
  readonly plan: (name: string) => UpgradePlan | undefined;
  /** Every Cluster, from the cache. */
  readonly clusters: () => readonly Cluster[];
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  /** A Project by name (cluster-scoped), for its maintenance windows. */
  readonly project: (name: string) => Project | undefined;
  readonly events?: EventRecorder;
  readonly clock?: Clock;
}

/**
 * Carries out UpgradePlans: the clusters a plan selects (fixed when it
 * starts, in status.clusters) move to its version wave by wave — each
 * cluster started by setting its spec.version (and the annotation naming
 * the plan), inside its maintenance windows; the next wave only once every
 * cluster of this one has soaked healthy or failed; nothing new once the
 * plan is paused or has failed maxFailures times (Halted); failed clusters
 * rolled back with onFailure Rollback. The Cluster reconciler carries out
 * each upgrade; this one only starts, watches and counts them.
 */
export class UpgradePlanReconciler implements Reconciler {
  readonly #o: UpgradePlanReconcilerOptions;
  readonly #clock: Clock;

  constructor(options: UpgradePlanReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const plan = this.#o.plan(request.name);
    if (!plan || plan.metadata.deletionTimestamp !== undefined) return undefined;
    const now = this.#clock.now();
    const soakMs = durationMs(plan.spec.soak);
    const recorded = plan.status?.clusters ?? this.#select(plan);
    const judged = recorded.map((entry) => judgeCluster({ entry, cluster: this.#o.cluster(entry.namespace, entry.name), target: plan.spec.version, plan: plan.metadata.name, soakMs, onFailure: plan.spec.onFailure, now }));
    let entries = await this.#act(plan, judged, context);
    let decision = this.#decide(plan, entries, soakMs, now);
    let failure: Error | undefined;
    // Clusters refused at once fail now, which may finish the wave: starting the next is the same pass (bounded by the waves).
    for (let round = 0; decision.start.length > 0 && round <= decision.waves; round++) {
      const started = await this.#start(plan, decision, context);
      failure ??= started.failure;
      entries = started.entries;
      decision = this.#decide(plan, entries, soakMs, now);
    }
    await this.#write(plan, decision, failure === undefined);
    if (this.#o.events !== undefined) reportTransitions(this.#o.events, plan, decision);
    // A failed start was recorded with the rest; it is retried with backoff.
    if (failure !== undefined) throw failure;
    if (decision.phase === "Completed" || (decision.phase === "Halted" && decision.counts.upgrading === 0)) return decision.wakeAt === undefined ? undefined : { requeueAfter: decision.wakeAt - now };
    return { requeueAfter: Math.max(1000, Math.min(pollMs, (decision.wakeAt ?? Number.POSITIVE_INFINITY) - now)) };
  }

  /** The plan's clusters when it starts: selected, sorted and cut into waves. */
  #select(plan: UpgradePlan): PlanCluster[] {
    const selected = selectClusters(plan.spec, this.#o.clusters());
    return assignWaves(selected.map((c) => ({ namespace: c.metadata.namespace ?? "", name: c.metadata.name ?? "", version: c.status?.version })), { target: plan.spec.version, canary: plan.spec.canary, batchSize: plan.spec.batchSize });
  }

  #decide(plan: UpgradePlan, entries: readonly PlanCluster[], soakMs: number, now: number): PlanDecision {
    return decidePlan({
      spec: plan.spec,
      entries,
      soakMs,
      now,
      windowOf: (entry) => {
        const cluster = this.#o.cluster(entry.namespace, entry.name);
        // A cluster gone before it started is judged (Failed) when the start finds it missing.
        if (cluster === undefined) return { open: true };
        const policy = effectiveUpgradePolicy(cluster, this.#o.project(projectOfNamespace(entry.namespace)));
        return windowState(policy.maintenanceWindows, now);
      },
    });
  }

  /** Records soak baselines and rolls failed clusters back, as the judgements ask; returns the entries. */
  async #act(plan: UpgradePlan, judged: readonly GateOutcome[], context: ReconcileContext): Promise<PlanCluster[]> {
    const entries: PlanCluster[] = [];
    for (const outcome of judged) {
      const { entry } = outcome;
      if (outcome.recordBaseline !== undefined) {
        await this.#patchCluster(entry, { metadata: { annotations: { [restartsBaselineAnnotation]: outcome.recordBaseline } } }).catch((error: unknown) => {
          // The next pass records it (the gate counts no restart until then).
          context.log.warn({ cluster: `${entry.namespace}/${entry.name}`, error: describeError(error) }, "Could not record the soak's restart baseline");
        });
      }
      if (outcome.rollbackTo === undefined) {
        entries.push(entry);
        continue;
      }
      try {
        await this.#patchCluster(entry, { spec: { version: outcome.rollbackTo } });
        this.#o.events?.record(plan, { type: "Warning", reason: "ClusterRollingBack", action: "Rollback", note: `rolling cluster ${entry.namespace}/${entry.name} back to ${outcome.rollbackTo} (onFailure Rollback)` });
        context.log.info({ cluster: `${entry.namespace}/${entry.name}`, to: outcome.rollbackTo }, "Rolling a failed cluster back");
        entries.push(entry);
      } catch (error) {
        const refused = statusCodeOf(error) === 422 || statusCodeOf(error) === 400 || statusCodeOf(error) === 404;
        if (!refused) throw error;
        entries.push({ ...entry, message: `${entry.message ?? "failed"}; the rollback was refused: ${describeError(error)}` });
      }
    }
    return entries;
  }

  /** Starts the decision's clusters; one refused (admission, gone) fails, other errors are handed back to be thrown once status is written. */
  async #start(plan: UpgradePlan, decision: PlanDecision, context: ReconcileContext): Promise<{ entries: PlanCluster[]; failure: Error | undefined }> {
    const outcomes = new Map<string, PlanCluster>();
    let failure: Error | undefined;
    for (const entry of decision.start) {
      const key = `${entry.namespace}/${entry.name}`;
      const from = this.#o.cluster(entry.namespace, entry.name)?.status?.version;
      try {
        await this.#patchCluster(entry, { metadata: { annotations: { [upgradePlanAnnotation]: plan.metadata.name ?? "" } }, spec: { version: plan.spec.version } });
        outcomes.set(key, { ...entry, ...(from === undefined ? {} : { from }) });
        context.log.info({ cluster: key, to: plan.spec.version, wave: entry.wave }, "Started a cluster's upgrade");
      } catch (error) {
        const code = statusCodeOf(error);
        if (code === 422 || code === 400 || code === 404) {
          const why = code === 404 ? "the Cluster was deleted before it started" : `the Cluster refused spec.version ${plan.spec.version}: ${describeError(error)}`;
          outcomes.set(key, { ...entry, state: "Failed", message: why });
          continue;
        }
        // Not started: it stays as it was, and the pass is retried.
        const notStarted: PlanCluster = { ...entry, state: "Pending", message: `starting failed: ${describeError(error)}; retrying` };
        delete notStarted.startedTime;
        outcomes.set(key, notStarted);
        failure ??= error instanceof Error ? error : new Error(describeError(error));
      }
    }
    return { entries: decision.entries.map((e) => outcomes.get(`${e.namespace}/${e.name}`) ?? e), failure };
  }

  async #patchCluster(entry: PlanCluster, body: object): Promise<void> {
    await this.#o.client.request("PATCH", `/apis/seedbed.dev/v1alpha1/namespaces/${entry.namespace}/clusters/${entry.name}`, { body, contentType: "application/merge-patch+json" });
  }

  /** Writes the status computed this pass (observedGeneration only after a pass without error). */
  async #write(plan: UpgradePlan, decision: PlanDecision, clean: boolean): Promise<void> {
    const conditions = setCondition(plan.status?.conditions, { type: "Ready", ...decision.ready, observedGeneration: plan.metadata.generation }, this.#clock.now());
    const status: Status = {
      ...(clean ? { observedGeneration: plan.metadata.generation } : plan.status?.observedGeneration === undefined ? {} : { observedGeneration: plan.status.observedGeneration }),
      phase: decision.phase,
      conditions,
      ...(decision.currentWave === undefined ? {} : { currentWave: decision.currentWave }),
      waves: decision.waves,
      ...(decision.soakUntil === undefined ? {} : { soakUntil: decision.soakUntil }),
      counts: decision.counts,
      clusters: decision.entries,
    };
    await applyStatus(this.#o.client, { apiVersion: plan.apiVersion, kind: plan.kind, metadata: { name: plan.metadata.name }, status });
  }
}
