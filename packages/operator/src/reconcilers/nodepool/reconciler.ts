import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { clusterIdentity, isClusterServing, newClusterId, projectOfNamespace, type Cluster, type NodePool } from "@seedbed/api";
import type { Machine, MachineProvider, PoolRef } from "@seedbed/providers";
import {
  applyStatus,
  ensureFinalizer,
  hasFinalizer,
  isConflict,
  isNotFound,
  removeFinalizer,
  setCondition,
  systemClock,
  type Clock,
  type EventRecorder,
  type ObjectClient,
  type ReconcileContext,
  type Reconciler,
  type ReconcileRequest,
  type ReconcileResult,
} from "@seedbed/runtime";
import type { Tenant } from "../../tenants/connections.ts";
import { TenantUnreachableError } from "../../tenants/deadline.ts";
import { autoscale } from "./autoscale.ts";
import { bootstrapData } from "./bootstrap.ts";
import { drainPass, isMovable } from "./drain.ts";
import { durationMs } from "../duration.ts";
import { MachineExpectations } from "./expectations.ts";
import { isNodeReady, notReadySince, type MachineView } from "./machines.ts";
import { adoptByCluster } from "../cluster-owner.ts";
import { milliCPU, parseQuantity } from "@seedbed/runtime";
import { machineStatus, poolPhase, type PoolObservation } from "./status.ts";
import { kubeletVersionOf, planMachines } from "./rollout.ts";
import { poolSkewProblem, poolTargetVersion } from "./version-skew.ts";

/** Keeps a NodePool until its machines are gone. */
export const nodePoolFinalizer = "seedbed.dev/node-pool";

/** What the NodePool reconciler reads and reaches. */
export interface NodePoolReconcilerOptions {
  readonly client: ObjectClient;
  readonly pool: (namespace: string, name: string) => NodePool | undefined;
  readonly cluster: (namespace: string, name: string) => Cluster | undefined;
  /** The cluster's CA certificate (for bootstrap data). */
  readonly caCertificate: (cluster: Cluster) => string | undefined;
  readonly tenants: { get(cluster: Cluster): Promise<Tenant | undefined> };
  /** The machine provider of a pool (kwok in the tenant, or a cloud with the pool's credentials). */
  readonly provider: (pool: NodePool, tenant: Tenant | undefined) => Promise<MachineProvider>;
  readonly events: EventRecorder;
  /** The project's node quota and the machines its other pools hold, for a pool (undefined: no quota). */
  readonly nodeQuota?: (pool: NodePool) => { readonly limit: number; readonly usedByOthers: number } | undefined;
  readonly clock?: Clock;
}

/**
 * Keeps each NodePool's machines at its replicas: makes missing ones with
 * bootstrap data, drains (evictions that honour PodDisruptionBudgets) and
 * removes surplus ones, replaces machines whose Node stays NotReady, and —
 * with autoscaling — moves replicas between min and max as cluster-autoscaler
 * would. Machines are found by listing the provider, so a crash at any
 * point leaves nothing untracked: the next pass adopts what exists.
 */
export class NodePoolReconciler implements Reconciler {
  readonly #o: NodePoolReconcilerOptions;
  readonly #clock: Clock;
  /** Since when each Node of an autoscaled pool has had nothing to run (forgotten on restart: the delay starts again, which only delays). */
  readonly #emptySince = new Map<string, number>();
  /** Machines made or removed that the (cached) listing does not show yet. */
  readonly #expected = new MachineExpectations();

  constructor(options: NodePoolReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The pool as providers know it: machines are labelled with the identity
   * its cluster records. A cluster already gone (its deletion waits for its
   * pools, so only a forced removal gets here) is taken to have had the
   * identity a new cluster gets.
   */
  #poolRef(pool: NodePool): PoolRef {
    const namespace = pool.metadata.namespace ?? "";
    const cluster = this.#o.cluster(namespace, pool.spec.clusterName);
    return { namespace, name: pool.metadata.name ?? "", clusterId: cluster ? clusterIdentity(cluster) : newClusterId(namespace, pool.spec.clusterName) };
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    try {
      return await this.#pass(request, context);
    } catch (error) {
      // A tenant that does not answer ends the pass within its bound; the
      // pool says so, and the controller retries with backoff.
      const pool = this.#o.pool(request.namespace ?? "", request.name);
      if (error instanceof TenantUnreachableError && pool) await this.#writeStatus(pool, { desired: pool.spec.replicas, machines: [], waiting: { reason: error.reason, message: error.message }, deleting: pool.metadata.deletionTimestamp !== undefined });
      throw error;
    }
  }

  async #pass(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const pool = this.#o.pool(request.namespace ?? "", request.name);
    if (!pool) return undefined;
    const namespace = pool.metadata.namespace ?? "";
    const cluster = this.#o.cluster(namespace, pool.spec.clusterName);
    if (pool.metadata.deletionTimestamp !== undefined) return this.#delete(pool, cluster);
    if (!hasFinalizer(pool, nodePoolFinalizer)) await ensureFinalizer(this.#o.client, pool, nodePoolFinalizer);
    if (!cluster) return this.#wait(pool, "ClusterNotFound", `Cluster ${pool.spec.clusterName} does not exist in ${namespace}; create it and the pool follows`);
    if (cluster.metadata.deletionTimestamp === undefined) await adoptByCluster(this.#o.client, pool, "nodepools", cluster);
    const reached = await this.#reach(pool, cluster);
    if ("waiting" in reached) return reached.waiting;
    const { tenant, provider } = reached;
    const ref = this.#poolRef(pool);
    const now = this.#clock.now();
    const views = await this.#views(provider, ref, tenant);

    if (!pool.spec.autoscaling) return this.#converge(pool, cluster, tenant, provider, views, now);
    const decision = this.#autoscale(pool, tenant, views, now);
    if (decision.replicas !== pool.spec.replicas) {
      await this.#o.client.request("PATCH", `/apis/seedbed.dev/v1alpha1/namespaces/${namespace}/nodepools/${pool.metadata.name ?? ""}`, { body: { spec: { replicas: decision.replicas } }, contentType: "application/merge-patch+json" });
      this.#o.events.record(pool, { reason: decision.replicas > pool.spec.replicas ? "ScaledUp" : "ScaledDown", action: "Autoscale", note: `replicas ${pool.spec.replicas} → ${decision.replicas}: ${decision.reason ?? ""}` });
      context.log.info({ from: pool.spec.replicas, to: decision.replicas }, "Autoscaled");
      return undefined; // the update brings the pool back with its new replicas
    }
    const result = await this.#converge(pool, cluster, tenant, provider, views, now);
    return soonest(result, decision.recheckAt === undefined ? undefined : { requeueAfter: Math.max(100, decision.recheckAt - now) });
  }

  /**
   * The tenant and the provider of a pool whose cluster runs; otherwise the
   * reason goes to its status, and what to return: the cluster's own events
   * bring the pool back, while missing credentials (a Secret the operator
   * does not watch) are looked for again every 30 s.
   */
  async #reach(pool: NodePool, cluster: Cluster): Promise<{ tenant: Tenant; provider: MachineProvider } | { waiting: ReconcileResult | undefined }> {
    // A condition, not a list of phases: a cluster that serves while Upgrading or Degraded keeps its machines managed.
    if (!isClusterServing(cluster)) return { waiting: await this.#wait(pool, "WaitingForCluster", `Cluster ${pool.spec.clusterName} is ${cluster.status?.phase ?? "not provisioned yet"} and its API does not serve yet; machines join once it does`) };
    const skew = poolSkewProblem(pool, cluster);
    if (skew !== undefined) return { waiting: await this.#wait(pool, "UnsupportedVersionSkew", skew) };
    if (poolTargetVersion(pool, cluster) === undefined) return { waiting: await this.#wait(pool, "WaitingForCluster", `Cluster ${pool.spec.clusterName} reports no running version yet (status.version); machines join once it does`) };
    const tenant = await this.#o.tenants.get(cluster);
    if (!tenant) return { waiting: await this.#wait(pool, "WaitingForCluster", `Cluster ${pool.spec.clusterName} has no admin kubeconfig yet`) };
    await tenant.synced();
    try {
      return { tenant, provider: await this.#o.provider(pool, tenant) };
    } catch (error) {
      await this.#wait(pool, "ProviderNotConfigured", error instanceof Error ? error.message : String(error));
      return { waiting: { requeueAfter: 30_000 } };
    }
  }

  async #converge(pool: NodePool, cluster: Cluster, tenant: Tenant, provider: MachineProvider, views: MachineView[], now: number): Promise<ReconcileResult | undefined> {
    // A listing that does not show this operator's last changes yet would have it make or retire one machine too many.
    if (!this.#expected.satisfied(poolKey(this.#poolRef(pool)), views.map((v) => v.machine), now)) return { requeueAfter: 1000 };
    const target = poolTargetVersion(pool, cluster) ?? "";
    const { maxSurge, maxUnavailable } = pool.spec.upgradeStrategy;
    const healing = { enabled: pool.spec.autoHealing.enabled, notReadyTimeoutMs: durationMs(pool.spec.autoHealing.notReadyTimeout) };
    const trustedSince = machinesTrustedSince(pool, cluster);
    const plan = planMachines({ desired: pool.spec.replicas, machines: views, healing, now, target, limits: { maxSurge, maxUnavailable }, ...(trustedSince === undefined ? {} : { trustedSince }) });
    for (const broken of plan.replace) {
      this.#o.events.record(pool, { type: "Warning", reason: "MachineReplaced", action: "AutoHeal", note: `${whyReplaced(broken.machine, pool.spec.autoHealing.notReadyTimeout)}; replacing it` });
      await this.#remove(provider, this.#poolRef(pool), tenant, broken);
    }
    const { allowed, quotaMessage } = this.#withinQuota(pool, views, plan.create, plan.replace.length);
    if (allowed > 0) await this.#create(pool, cluster, tenant, provider, allowed, target);
    if (allowed > 0 && plan.outdated > 0) this.#o.events.record(pool, { reason: "RollingOut", action: "Upgrade", note: `${allowed} machines of kubelet ${target} created to replace ${plan.outdated} of another version${trustedSince === undefined ? "" : " or made before the cluster's CA rotation (their kubelets trust only the old CA)"} (maxSurge ${maxSurge}, maxUnavailable ${maxUnavailable})` });
    else if (allowed > 0) this.#o.events.record(pool, { reason: "MachinesCreated", action: "Scale", note: `${allowed} machines created to reach ${pool.spec.replicas}` });
    if (quotaMessage !== undefined) this.#o.events.record(pool, { type: "Warning", reason: "QuotaExceeded", action: "Scale", note: quotaMessage });
    let draining = false;
    for (const surplus of plan.remove) draining = !(await this.#drainAndRemove(pool, provider, tenant, surplus, now)) || draining;
    // Replaced by machines of the target version, already Ready (or within maxUnavailable): drained first, like a scale-down.
    for (const outdated of plan.retire) draining = !(await this.#drainAndRemove(pool, provider, tenant, outdated, now, target)) || draining;
    const acted = plan.create + plan.replace.length + plan.remove.length + plan.retire.length > 0;
    const after = acted ? await this.#views(provider, this.#poolRef(pool), tenant) : views;
    const failed = plan.replace.find((v) => v.machine.phase === "Failed")?.machine;
    await this.#writeStatus(pool, { desired: pool.spec.replicas, machines: after, quotaMessage, lastFailure: failed && whyReplaced(failed, pool.spec.autoHealing.notReadyTimeout), target });
    // Tenant Node and Pod events bring the pool back; timers only for what no event announces.
    if (draining) return { requeueAfter: 2000 };
    if (plan.nextHealingAt !== undefined) return { requeueAfter: Math.max(100, plan.nextHealingAt - now) };
    return undefined;
  }

  /** Makes `count` machines of kubelet `version`, with bootstrap data (one token for the batch). */
  async #create(pool: NodePool, cluster: Cluster, tenant: Tenant, provider: MachineProvider, count: number, version: string): Promise<void> {
    const userData = await bootstrapData(tenant.client, pool, cluster, this.#o.caCertificate(cluster) ?? "", version);
    const ref = this.#poolRef(pool);
    for (let i = 0; i < count; i++) {
      const name = `${pool.metadata.name ?? ""}-${randomBytes(3).toString("hex")}`;
      this.#expected.made(poolKey(ref), name, this.#clock.now());
      await provider.create({ name, pool: ref, template: pool.spec.machineTemplate, kubernetesVersion: version, userData });
    }
  }

  /** How many of `wanted` new machines the project's node quota leaves room for, and why not all. */
  #withinQuota(pool: NodePool, views: readonly MachineView[], wanted: number, replacing: number): { allowed: number; quotaMessage?: string } {
    const quota = this.#o.nodeQuota?.(pool);
    if (quota === undefined || wanted === 0) return { allowed: wanted };
    const own = views.filter((v) => v.machine.phase !== "Deleting").length - replacing;
    const room = Math.max(0, quota.limit - quota.usedByOthers - own);
    if (room >= wanted) return { allowed: wanted };
    const project = projectOfNamespace(pool.metadata.namespace ?? "");
    return {
      allowed: room,
      quotaMessage: `project ${project} allows ${quota.limit} nodes and its pools want ${quota.usedByOthers + own + wanted}: ${pool.metadata.name ?? ""} has ${own + room} of its ${own + wanted} machines; raise spec.quota.nodes of Project ${project} or lower spec.replicas`,
    };
  }

  /**
   * One drain pass; removes the machine once drained or past the drain
   * timeout. True when it is gone. `upgradedTo`: the machine goes because it
   * runs another kubelet than this one (a rollout), not for a scale-down.
   */
  async #drainAndRemove(pool: NodePool, provider: MachineProvider, tenant: Tenant, view: MachineView, now: number, upgradedTo?: string): Promise<boolean> {
    const action = upgradedTo === undefined ? "Scale" : "Upgrade";
    if (view.node !== undefined && view.ready) {
      const progress = await drainPass(tenant.client, view.node, tenant.pods.list(), now);
      const timedOut = now - progress.startedAt >= durationMs(pool.spec.drainTimeout);
      if (progress.remaining > 0 && !timedOut) return false;
      if (progress.remaining > 0) this.#o.events.record(pool, { type: "Warning", reason: "DrainTimedOut", action, note: `machine ${view.machine.name} still ran ${progress.remaining} pods after ${pool.spec.drainTimeout} (${progress.blocked} evictions refused by disruption budgets); removing it anyway` });
    }
    await this.#remove(provider, this.#poolRef(pool), tenant, view);
    if (upgradedTo === undefined) this.#o.events.record(pool, { reason: "MachineRemoved", action, note: `machine ${view.machine.name} drained and removed` });
    else this.#o.events.record(pool, { reason: "MachineUpgraded", action, note: `machine ${view.machine.name} (kubelet ${kubeletVersionOf(view) ?? "unknown"}) drained and removed; its replacement runs kubelet ${upgradedTo}` });
    return true;
  }

  async #remove(provider: MachineProvider, ref: PoolRef, tenant: Tenant | undefined, view: MachineView): Promise<void> {
    this.#expected.removed(poolKey(ref), view.machine.name, this.#clock.now());
    await provider.delete(ref, view.machine);
    if (tenant === undefined || view.node === undefined) return;
    // A cloud machine's Node object outlives the machine: remove it too.
    await tenant.client.request("DELETE", `/api/v1/nodes/${view.node.metadata?.name ?? ""}`).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }

  async #views(provider: MachineProvider, ref: PoolRef, tenant: Tenant): Promise<MachineView[]> {
    const machines = await provider.list(ref);
    const nodes = new Map<string, V1Node>();
    for (const node of tenant.nodes.list()) {
      nodes.set(node.metadata?.name ?? "", node);
      if (node.spec?.providerID !== undefined) nodes.set(node.spec.providerID, node);
    }
    const podsOn = new Map<string, number>();
    for (const pod of tenant.pods.list()) {
      const node = pod.spec?.nodeName;
      if (node !== undefined && isMovable(pod)) podsOn.set(node, (podsOn.get(node) ?? 0) + 1);
    }
    return machines.map((machine) => {
      const node = nodes.get(machine.providerID) ?? nodes.get(machine.nodeName);
      return { machine, node, ready: isNodeReady(node), notReadySince: notReadySince(machine, node), movablePods: podsOn.get(node?.metadata?.name ?? machine.nodeName) ?? 0 };
    });
  }

  #autoscale(pool: NodePool, tenant: Tenant, views: readonly MachineView[], now: number): ReturnType<typeof autoscale> {
    const scaling = pool.spec.autoscaling ?? { minReplicas: 0, maxReplicas: 0, scaleDownDelay: "10m" };
    const template = pool.spec.machineTemplate;
    const unschedulable = tenant.pods.list().filter((p: V1Pod) => p.spec?.nodeName === undefined && p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable") === true);
    const emptySince = new Map<string, number>();
    for (const view of views) {
      const name = view.node?.metadata?.name;
      if (name === undefined) continue;
      const key = `${pool.metadata.namespace ?? ""}/${pool.metadata.name ?? ""}/${name}`;
      if (view.ready && view.movablePods === 0 && view.node?.spec?.unschedulable !== true) {
        const since = this.#emptySince.get(key) ?? now;
        this.#emptySince.set(key, since);
        emptySince.set(name, since);
      } else this.#emptySince.delete(key);
    }
    return autoscale({
      replicas: pool.spec.replicas,
      min: scaling.minReplicas,
      max: scaling.maxReplicas,
      shape: { milliCPU: milliCPU(String(template.cpu)), memory: parseQuantity(String(template.memory)), pods: template.pods, labels: { ...template.labels, "seedbed.dev/node-pool": pool.metadata.name ?? "" }, taints: [...(template.taints ?? [])] },
      unschedulable,
      upcoming: views.filter((v) => v.machine.phase !== "Deleting" && !v.ready).length,
      emptySince,
      scaleDownDelayMs: durationMs(scaling.scaleDownDelay),
      now,
    });
  }

  async #delete(pool: NodePool, cluster: Cluster | undefined): Promise<ReconcileResult | undefined> {
    if (!hasFinalizer(pool, nodePoolFinalizer)) return undefined;
    if (pool.status?.phase !== "Deleting") await this.#writeStatus(pool, { desired: 0, machines: [], deleting: true });
    const clusterGoing = cluster === undefined || cluster.metadata.deletionTimestamp !== undefined;
    // kwok machines live in the tenant: gone with its cluster. Cloud machines must be deleted whatever happens to the cluster.
    if (!(clusterGoing && pool.spec.provider.type === "kwok")) {
      const tenant = clusterGoing || !isClusterServing(cluster) ? undefined : await this.#o.tenants.get(cluster);
      await tenant?.synced();
      const provider = await this.#o.provider(pool, tenant);
      const views = tenant === undefined ? (await provider.list(this.#poolRef(pool))).map((machine) => ({ machine, node: undefined, ready: false, notReadySince: undefined, movablePods: 0 })) : await this.#views(provider, this.#poolRef(pool), tenant);
      let remaining = 0;
      for (const view of views.filter((v) => v.machine.phase !== "Deleting")) {
        if (tenant === undefined) await this.#remove(provider, this.#poolRef(pool), undefined, view);
        else if (!(await this.#drainAndRemove(pool, provider, tenant, view, this.#clock.now()))) remaining++;
      }
      if (remaining > 0 || views.length > 0) return { requeueAfter: 2000 };
    }
    this.#expected.forget(poolKey(this.#poolRef(pool)));
    try {
      await removeFinalizer(this.#o.client, pool, nodePoolFinalizer);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
  }

  /** Reports why the pool waits; nothing to requeue (the events of what it waits for bring it back). */
  async #wait(pool: NodePool, reason: string, message: string): Promise<ReconcileResult | undefined> {
    await this.#writeStatus(pool, { desired: pool.spec.replicas, machines: [], waiting: { reason, message } });
    return undefined;
  }

  async #writeStatus(pool: NodePool, observed: PoolObservation): Promise<void> {
    const { phase, ready } = poolPhase(observed);
    const conditions = setCondition(pool.status?.conditions ?? [], { type: "Ready", ...ready, observedGeneration: pool.metadata.generation }, this.#clock.now());
    const machines = observed.waiting || observed.deleting === true ? {} : machineStatus(observed.machines, observed.target);
    const version = observed.target === undefined ? {} : { version: observed.target };
    const status = { ...pool.status, ...machines, ...version, phase, conditions, observedGeneration: pool.metadata.generation };
    if (isDeepStrictEqual(status, pool.status)) return;
    try {
      await applyStatus(this.#o.client, { apiVersion: pool.apiVersion, kind: pool.kind, metadata: { name: pool.metadata.name, namespace: pool.metadata.namespace }, status });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}


/** A pool's key among the expectations. */
function poolKey(ref: PoolRef): string {
  return `${ref.namespace}/${ref.name}`;
}

function soonest(a: ReconcileResult | undefined, b: ReconcileResult | undefined): ReconcileResult | undefined {
  if (a?.requeueAfter === undefined) return b;
  if (b?.requeueAfter === undefined) return a;
  return { requeueAfter: Math.min(a.requeueAfter, b.requeueAfter) };
}

/** Why auto-healing replaces a machine: the provider's failure, or how long its Node was not Ready. */
function whyReplaced(machine: Machine, notReadyTimeout: string): string {
  return machine.phase === "Failed" ? `machine ${machine.name} failed: ${machine.message ?? "the provider reports it Failed"}` : `machine ${machine.name} was not Ready for ${notReadyTimeout}`;
}

/**
 * While its cluster's CA rotation is Prepared, machines made before then
 * have kubelets that trust only the old CA (it is in their kubeconfig from
 * the day they joined) and would lose the API when the rotation completes:
 * they are replaced like machines of another version. kwok machines are
 * simulated by a kwok controller that restarts with the new bundle.
 */
export function machinesTrustedSince(pool: NodePool, cluster: Cluster): number | undefined {
  const rotation = cluster.status?.certificates?.rotation;
  if (pool.spec.provider.type === "kwok" || rotation?.phase !== "Prepared") return undefined;
  return Date.parse(rotation.phaseTime);
}
