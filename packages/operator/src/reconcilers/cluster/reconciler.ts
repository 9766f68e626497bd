import { isDeepStrictEqual } from "node:util";
import type { V1Secret } from "@kubernetes/client-node";
import { ClusterConditions, clusterIdentity, clusterObjectNames, isUpgradeUnderway, type CertificatePolicy, type Cluster, type ClusterTemplate, type EtcdBackup, type EtcdRestore, type Project } from "@seedbed/api";
import type { NodePool } from "@seedbed/api";
import type { ControlPlaneObservation, HostingDriver } from "@seedbed/controlplane";
import {
  applyStatus,
  ensureFinalizer,
  hasFinalizer,
  isConflict,
  isNotFound,
  removeCondition,
  removeFinalizer,
  setCondition,
  systemClock,
  TerminalError,
  type Clock,
  type Condition,
  type EventRecorder,
  type ObjectClient,
  type ReconcileContext,
  type Reconciler,
  type ReconcileRequest,
  type ReconcileResult,
} from "@seedbed/runtime";
import { authenticationConfigFor, sharedEndpointOf, sharedEndpointStatus, withSharedName, type PlatformAccess } from "./access.ts";
import { ClusterDeletion } from "./delete.ts";
import { InvalidSpecError, resolveClusterSpec } from "./resolve.ts";
import { applyAdminKubeconfig } from "./secrets.ts";
import { ClusterCertificates } from "./certificates/certificates.ts";
import { effectiveCertificateTimes } from "./certificates/policy.ts";
import { recordIdentity } from "./identity.ts";
import { computeClusterStatus, endpointFields, overlayStatus, type ClusterObservation } from "./status.ts";
import { ClusterReporter, type PassProgress } from "./report.ts";
import { PlacementWaitError } from "../../seeds/errors.ts";
import { backupsHealth, backupVerified } from "../backupschedule/plan.ts";
import { effectiveBackup, scheduledBackupsOf } from "../backupschedule/reconciler.ts";
import { recordPlacement } from "./placement.ts";
import { controlPlaneStatus } from "./control-plane-status.ts";
import { QuorumRecovery } from "./quorum-recovery.ts";
import type { ControlPlaneMetrics } from "./control-plane-metrics.ts";
import { controlPlaneShape } from "./shape.ts";
import { DatastoreLimits } from "./datastore-limit.ts";
import { ClusterUpgrades } from "./upgrade/upgrade.ts";
import { clusterOwnedStatus } from "./status-owner.ts";

/** The finalizer that keeps a Cluster until its control plane and data are gone. */
export const clusterFinalizer = "seedbed.dev/cluster";

/** Finds the seed and hosting driver of a cluster (see SeedDrivers). */
export interface DriverResolver {
  /** Throws PlacementWaitError when a cluster not placed yet has no seed with room (or its seed is being deleted). */
  forCluster(cluster: Cluster): Promise<{ seed: string; region?: string; driver: HostingDriver; sharedDatastore?: boolean }>;
  /** Throws RecordedSeedGoneError when the seed in status.seed no longer exists (never falls back to another). */
  forDeletion(cluster: Cluster): Promise<HostingDriver>;
}

/** Reads from the informer caches, so that a reconcile in steady state sends nothing to the API. */
export interface ClusterCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  template(namespace: string, name: string): ClusterTemplate | undefined;
  /** Only the Secrets Seedbed writes (labelled seedbed.dev/cluster). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** What the Cluster reconciler works with. */
export interface ClusterReconcilerOptions {
  readonly client: ObjectClient;
  readonly cache: ClusterCache;
  readonly drivers: DriverResolver;
  readonly events: EventRecorder;
  readonly clock?: Clock;
  /** The platform's certificate policy: what clusters and templates leave out (default: one-year leaves renewed in their last 30 days, ten-year CAs, rotations Prepared for 24 h). */
  readonly certificates?: CertificatePolicy;
  /** The longest a service-account token lives: how long a CA rotation keeps the old key verifying (default 24 h, kube-apiserver's --service-account-max-token-expiration). */
  readonly tokenLifetimeMs?: number;
  /** On kubernetes seeds, how long a changed certificate Secret may take to reach the mounted files (default 150 s). */
  readonly secretPropagationMs?: number;
  /**
   * How soon to look again while a control plane comes up, on drivers that
   * do not report changes (default 250 ms: the user waits for the pass that
   * sees it Ready, and a pass on a provisioning local cluster is four
   * loopback probes; only local clusters poll).
   */
  readonly provisioningPollMs?: number;
  /** How often to re-check a running control plane on drivers that do not report changes (default 30 s). */
  readonly healthCheckMs?: number;
  /** Whether the cluster needs a kwok controller for simulated machines (it has a kwok node pool). */
  readonly needsKwok?: (cluster: Cluster) => boolean;
  /** The NodePools naming a cluster (spec.clusterName, same namespace): deleted, and gone, before its control plane. */
  readonly nodePools?: (namespace: string, cluster: string) => readonly NodePool[];
  /** How often to look at a cluster on drivers that report changes: a safety net, and certificate renewal (default 10 min). */
  readonly resyncMs?: number;
  /** The platform's login and shared endpoint, which every cluster's API server is configured for. */
  readonly access?: PlatformAccess;
  /** How long transient failures of a pass must persist before Ready says so (default 30 s; refusals show at once). */
  readonly failureGraceMs?: number;
  /** The cluster's Nodes, ready and total, when a connection to it watches them (undefined: none does). */
  readonly nodes?: (cluster: Cluster) => { readonly ready: number; readonly total: number } | undefined;
  /** The cluster's EtcdBackups (from the cache): status.lastBackupTime and, with a schedule, BackupsHealthy. */
  readonly backups?: (cluster: Cluster) => readonly EtcdBackup[];
  /** The EtcdRestore of the cluster in phase Restoring, if one is (from the cache): phase Restoring while the control plane is down for it. */
  readonly restoring?: (cluster: Cluster) => EtcdRestore | undefined;
  /** The cluster's EtcdRestores (from the cache): a rollback's restore of the pre-upgrade snapshot. */
  readonly restores?: (cluster: Cluster) => readonly EtcdRestore[];
  /** Control-plane gauges on /metrics (absent in tests that do not look). */
  readonly controlPlaneMetrics?: ControlPlaneMetrics;
  /** A Project by name (from the cache): its spec.upgrade is the policy of clusters that set none. */
  readonly project?: (name: string) => Project | undefined;
}

/**
 * Makes each Cluster's control plane exist on its seed: certificates first,
 * then etcd, kube-apiserver and the controllers through the hosting driver,
 * then the admin kubeconfig; status computed once per pass and applied
 * once. A spec that cannot be built ends in SpecValid=False and is not
 * retried until the Cluster (or its template) changes.
 */
export class ClusterReconciler implements Reconciler {
  readonly #o: ClusterReconcilerOptions;
  readonly #clock: Clock;
  readonly #deletion: ClusterDeletion;
  readonly #report: ClusterReporter;
  readonly #quorum: QuorumRecovery;
  readonly #limits: DatastoreLimits;
  readonly #upgrades: ClusterUpgrades;
  readonly #certificates: ClusterCertificates;

  constructor(options: ClusterReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#certificates = new ClusterCertificates({
      client: options.client,
      events: options.events,
      clock: this.#clock,
      secret: (namespace, name) => options.cache.secret(namespace, name),
      ...(options.tokenLifetimeMs === undefined ? {} : { tokenLifetimeMs: options.tokenLifetimeMs }),
      ...(options.secretPropagationMs === undefined ? {} : { secretPropagationMs: options.secretPropagationMs }),
      machinesMadeBefore: (cluster, sinceMs) =>
        (options.nodePools?.(cluster.metadata.namespace ?? "", cluster.metadata.name ?? "") ?? [])
          .filter((pool) => pool.spec.provider.type !== "kwok")
          .flatMap((pool) => pool.status?.machines ?? [])
          .filter((m) => m.createdTime === undefined || Date.parse(m.createdTime) < sinceMs).length,
    });
    this.#upgrades = new ClusterUpgrades({
      client: options.client,
      events: options.events,
      clock: this.#clock,
      backups: options.backups ?? (() => []),
      restores: options.restores ?? (() => []),
      nodePools: options.nodePools ?? (() => []),
      project: options.project ?? (() => undefined),
    });
    this.#limits = new DatastoreLimits({ events: options.events, secret: (namespace, name) => options.cache.secret(namespace, name) });
    this.#quorum = new QuorumRecovery({ client: options.client, events: options.events, clock: this.#clock, backups: options.backups ?? (() => []), restores: options.restores ?? (() => []) });
    this.#report = new ClusterReporter({ client: options.client, events: options.events, clock: this.#clock, failureGraceMs: options.failureGraceMs });
    this.#deletion = new ClusterDeletion({ client: options.client, drivers: options.drivers, events: options.events, clock: this.#clock, nodePools: options.nodePools ?? (() => []) });
  }

  /** One pass; a failing one still reports in status (see report.ts) before it is retried. */
  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const progress: PassProgress = { step: "placement" };
    try {
      const result = await this.#pass(request, context, progress);
      const cluster = this.#o.cache.cluster(request.namespace ?? "", request.name);
      if (cluster) this.#report.succeeded(cluster);
      return result;
    } catch (error) {
      const cluster = this.#o.cache.cluster(request.namespace ?? "", request.name);
      // Invalid specs report themselves (terminal); deletion reports its own steps.
      if (cluster && !(error instanceof TerminalError) && cluster.metadata.deletionTimestamp === undefined) await this.#report.failed(cluster, progress, error);
      throw error;
    }
  }

  async #pass(request: ReconcileRequest, context: ReconcileContext, progress: PassProgress): Promise<ReconcileResult | undefined> {
    const cluster = this.#o.cache.cluster(request.namespace ?? "", request.name);
    if (!cluster) {
      // Gone while nobody looked (deleted with the operator down): its series go too.
      this.#o.controlPlaneMetrics?.forget(request.namespace ?? "", request.name);
      return undefined;
    }
    if (cluster.metadata.deletionTimestamp !== undefined) return this.#delete(cluster, context);
    if (!hasFinalizer(cluster, clusterFinalizer)) await ensureFinalizer(this.#o.client, cluster, clusterFinalizer);
    if (cluster.spec.paused) return undefined;

    let id;
    let effective;
    let placement;
    let template;
    let authenticationConfig;
    let certificateTimes;
    try {
      // Recorded before anything exists on a seed (and before any other
      // status write), so that everything is named after it.
      id = await recordIdentity(this.#o.client, cluster);
      template = this.#template(cluster);
      effective = resolveClusterSpec(cluster, template);
      // An issuer the API server would refuse, or whose prefixes could claim the platform's users, is a spec error.
      authenticationConfig = authenticationConfigFor(cluster, template, this.#o.access);
      certificateTimes = effectiveCertificateTimes(cluster, template, this.#o.certificates);
      placement = await this.#o.drivers.forCluster(cluster);
    } catch (error) {
      if (error instanceof PlacementWaitError) return this.#waitForPlacement(cluster, error);
      if (!(error instanceof InvalidSpecError)) throw error;
      await this.#writeStatus(cluster, { invalidSpec: { reason: error.reason, message: error.message }, certificatesReady: false, deleting: false }, {});
      this.#o.events.record(cluster, { type: "Warning", reason: error.reason, action: "Validate", note: error.message });
      throw new TerminalError(error.message, { cause: error });
    }

    const { seed, driver } = placement;
    progress.seed = seed;
    // Recorded before anything exists on the seed, so that the cluster is never placed twice.
    await recordPlacement(this.#o.client, cluster, placement);
    // The names come from the seed (where the API is published): failing to read it is the seed's failure.
    progress.step = "seed";
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const access = this.#o.access;
    const shared = sharedEndpointOf(cluster, access);
    const names = withSharedName(await driver.certificateNames(id), shared);
    progress.step = "certificates";
    const pkiInputs = { cluster, network: effective.network, names, times: certificateTimes, now: new Date(this.#clock.now()) };
    const stored = await this.#certificates.prepare(pkiInputs);
    const { pki, version: pkiVersion } = stored;
    progress.step = "upgrade";
    const prepared = await this.#upgrades.prepare(cluster, effective.version);
    progress.step = "seed";
    const { plan: controlPlanePlan, built, support: supportContext } = controlPlaneShape(cluster, effective, { ...placement, sharedEndpoint: this.#hasSharedEndpoint() });
    const applied = await driver.apply({
      clusterId: id,
      version: effective.version,
      ...(prepared.versions === undefined ? {} : { componentVersions: prepared.versions }),
      network: effective.network,
      pki,
      pkiVersion,
      controlPlane: controlPlanePlan,
      exposure: effective.exposure,
      authenticationConfig,
      kwok: this.#needsKwok(cluster),
    });
    if (applied.datastoreMoved !== undefined) this.#o.events.record(cluster, movedEvent(applied.datastoreMoved, seed));
    // etcd's quorum lost for good: the newest backup is restored (once), and EtcdReady says so.
    const controlPlane = applied.quorumLost === undefined ? applied : { ...applied, quorumLost: await this.#quorum.recover(cluster, applied.quorumLost) };
    progress.step = "kubeconfig";
    const adminSecret = await applyAdminKubeconfig(this.#o.client, this.#o.cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(name)), cluster, pki, controlPlane.endpoint, pkiVersion);
    progress.step = "certificates";
    const certificates = await this.#certificates.observe(pkiInputs, stored, driver, controlPlane, id);
    progress.step = "status";
    const supported = this.#report.supported(cluster, effective, supportContext);
    const restoring = this.#restoring(cluster, controlPlane);
    progress.step = "upgrade";
    const upgrade = await this.#upgrades.advance(cluster, prepared, controlPlane.components, driver.restoreEtcd !== undefined);
    progress.step = "status";
    const controlPlaneSummary = controlPlaneStatus(controlPlane, built);
    progress.step = "datastore";
    const datastoreLimit = await this.#limits.observe(cluster, controlPlaneSummary.datastore);
    progress.step = "status";
    const ready = await this.#writeStatus(cluster, { certificatesReady: true, controlPlane, deleting: false, version: effective.version, supported, datastoreLimit, ...upgradeObservation(upgrade, restoring) }, {
      upgrade: upgrade.upgrade,
      controlPlaneRestarts: controlPlane.components.reduce((sum, c) => sum + c.restarts, 0),
      ...this.#observedFields(cluster, placement.region),
      // Where users and machines reach the API; a node endpoint the driver no longer reports is removed.
      ...endpointFields(controlPlane),
      ...sharedEndpointStatus(shared),
      // The bundle: during a CA rotation, kubeconfigs made from it trust the old CA and the new.
      certificateAuthority: pki.get("ca-bundle.crt"),
      certificates: certificates.status,
      controlPlane: controlPlaneSummary,
      seed,
      adminKubeconfigSecretRef: { name: adminSecret },
    });
    this.#o.controlPlaneMetrics?.observe(namespace, name, controlPlaneSummary);
    // Down for a restore is no degradation to warn about: the restore reports itself.
    if (restoring === undefined) this.#recordTransitions(cluster, controlPlane, ready);
    context.log.debug({ ready, endpoint: controlPlane.endpoint }, "Reconciled the control plane");
    // An etcd membership change goes one step per pass: the next one soon.
    const look = this.#nextLook(driver, controlPlane, ready, isUpgradeUnderway(upgrade.upgrade) || controlPlane.membership !== undefined);
    return { requeueAfter: Math.max(100, Math.min(look, certificates.wakeInMs ?? look)) };
  }

  /**
   * When to look at the cluster again. A driver that reports every change
   * brings us back itself; the health check is then only a safety net.
   * Polling a thousand provisioning clusters every second would swamp the
   * queue with no-op reconciles. An upgrade's next step may begin with no
   * change on the seed (etcd unchanged, a snapshot taken): soon, then.
   */
  #nextLook(driver: HostingDriver, controlPlane: ControlPlaneObservation, ready: boolean, upgrading: boolean): number {
    if (driver.reportsChanges) return upgrading ? 2000 : (this.#o.resyncMs ?? 600_000);
    if (upgrading && ready) return 1000;
    return ready ? (this.#o.healthCheckMs ?? 30_000) : this.#provisioningPoll(controlPlane);
  }

  /**
   * How soon to look again at a control plane coming up. A pass starts a
   * crashed component again at once: once one has crashed, look only every
   * second, as its supervisor's backoff would.
   */
  #provisioningPoll(controlPlane: ControlPlaneObservation): number {
    const crashed = controlPlane.components.some((c) => c.restarts > 0);
    return crashed ? Math.max(1000, this.#o.provisioningPollMs ?? 0) : (this.#o.provisioningPollMs ?? 250);
  }

  async #delete(cluster: Cluster, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    this.#o.controlPlaneMetrics?.forget(cluster.metadata.namespace ?? "", cluster.metadata.name ?? "");
    if (!hasFinalizer(cluster, clusterFinalizer)) return undefined;
    // Node pools first, and the recorded seed found (see delete.ts); each step shows in status.
    const prepared = await this.#deletion.prepare(cluster);
    if ("waiting" in prepared) return prepared.waiting;
    if ("nothingPlaced" in prepared) {
      context.log.info({ reason: prepared.nothingPlaced }, "No seed was recorded or resolves: nothing to delete");
      await removeFinalizer(this.#o.client, cluster, clusterFinalizer);
      return undefined;
    }
    const { driver } = prepared;
    const gone = await driver.delete(clusterIdentity(cluster));
    // The seed takes a while to remove a namespace; its events bring us back sooner.
    if (!gone) return { requeueAfter: 2000 };
    this.#o.events.record(cluster, { reason: "ControlPlaneDeleted", action: "Delete", note: "the control plane, its ports and its data are gone" });
    this.#certificates.forget(cluster);
    this.#limits.forget(cluster);
    context.log.info("Deleted the control plane");
    try {
      await removeFinalizer(this.#o.client, cluster, clusterFinalizer);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
  }

  /** What a restore running on the cluster restores, when one is: by its EtcdRestore, or by the driver holding the control plane for one (after an operator restart, before its cache has it). */
  #restoring(cluster: Cluster, controlPlane: ControlPlaneObservation): string | undefined {
    const restore = this.#o.restoring?.(cluster);
    if (restore !== undefined) return `restoring etcd from backup ${restore.status?.backupName ?? restore.spec.backupName ?? "?"} (EtcdRestore ${restore.metadata.name ?? "?"})`;
    return controlPlane.restoring === undefined ? undefined : "restoring etcd from a snapshot";
  }

  #hasSharedEndpoint(): boolean {
    return this.#o.access?.sharedEndpoint !== undefined;
  }

  /** Status fields of what surrounds the control plane: its seed's region, and its Nodes (0 of 0 while nothing watches them). */
  #observedFields(cluster: Cluster, region: string | undefined): Pick<NonNullable<Cluster["status"]>, "region" | "nodes"> {
    return { ...(region === undefined ? {} : { region }), nodes: this.#o.nodes?.(cluster) ?? { ready: 0, total: 0 } };
  }

  /** No seed may take the cluster now (full, or being deleted): it waits in Pending, looked at again on Seed changes and every 30 s. */
  async #waitForPlacement(cluster: Cluster, error: PlacementWaitError): Promise<ReconcileResult> {
    if (cluster.status?.phase !== "Pending") this.#o.events.record(cluster, { type: "Warning", reason: error.reason, action: "Place", note: error.message });
    await this.#writeStatus(cluster, { waitingForPlacement: { reason: error.reason, message: error.message }, certificatesReady: false, deleting: false }, {});
    return { requeueAfter: 30_000 };
  }

  #needsKwok(cluster: Cluster): boolean {
    return this.#o.needsKwok?.(cluster) ?? false;
  }

  #template(cluster: Cluster): ClusterTemplate | undefined {
    const name = cluster.spec.template;
    if (name === undefined) return undefined;
    const template = this.#o.cache.template(cluster.metadata.namespace ?? "", name);
    if (!template) throw new InvalidSpecError("TemplateNotFound", `ClusterTemplate ${name} does not exist in ${cluster.metadata.namespace ?? ""}; create it, and the cluster will be built from it`);
    return template;
  }

  /** The newest completed backup's time, and with a schedule in effect how its scheduled backups fare. */
  #backupStatus(cluster: Cluster): { lastBackupTime?: string; health?: ReturnType<typeof backupsHealth>; verified?: ReturnType<typeof backupVerified> } {
    const backups = this.#o.backups?.(cluster) ?? [];
    const drills = backups.flatMap((b) => (b.status?.verification === undefined ? [] : [{ backup: b.metadata.name ?? "?", ...b.status.verification }]));
    const verified = backupVerified(drills);
    const times = backups.flatMap((b) => (b.status?.phase === "Completed" && b.status.completionTime !== undefined ? [b.status.completionTime] : [])).sort();
    const last = times.at(-1);
    const templateName = cluster.spec.template;
    const schedule = effectiveBackup(cluster, templateName === undefined ? undefined : this.#o.cache.template(cluster.metadata.namespace ?? "", templateName));
    return { ...(last === undefined ? {} : { lastBackupTime: last }), ...(schedule === undefined ? {} : { health: backupsHealth(scheduledBackupsOf(cluster, backups), schedule.schedule, { now: this.#clock.now(), since: new Date(cluster.metadata.creationTimestamp ?? 0).getTime() || 0 }) }), ...(verified === undefined ? {} : { verified }) };
  }

  /** Computes and applies the status (a field given as undefined is removed); returns whether the cluster is Ready. */
  async #writeStatus(cluster: Cluster, observed: ClusterObservation, fields: Partial<NonNullable<Cluster["status"]>>): Promise<boolean> {
    const computed = computeClusterStatus(observed, cluster.status);
    const now = this.#clock.now();
    let conditions: Condition[] = cluster.status?.conditions ?? [];
    for (const input of computed.conditions) conditions = setCondition(conditions, { ...input, observedGeneration: cluster.metadata.generation }, now);
    const backups = this.#backupStatus(cluster);
    conditions = backups.health === undefined ? removeCondition(conditions, ClusterConditions.BackupsHealthy) : setCondition(conditions, { type: ClusterConditions.BackupsHealthy, ...backups.health, observedGeneration: cluster.metadata.generation }, now);
    conditions = backups.verified === undefined ? removeCondition(conditions, ClusterConditions.BackupVerified) : setCondition(conditions, { type: ClusterConditions.BackupVerified, ...backups.verified.condition, observedGeneration: cluster.metadata.generation }, now);

    const version = computed.version === undefined ? {} : { version: computed.version };
    const status = { ...overlayStatus(cluster.status, { ...fields, lastBackupTime: backups.lastBackupTime, lastVerifiedBackupTime: backups.verified?.lastGood }), ...version, phase: computed.phase, conditions, observedGeneration: cluster.metadata.generation };
    // Nothing changed: writing it would cost a request and change nothing.
    if (isDeepStrictEqual(status, cluster.status)) return computed.phase === "Running";
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: clusterOwnedStatus(status) });
    } catch (error) {
      // Deleted meanwhile: nothing left to report on.
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
    return computed.phase === "Running";
  }

  #recordTransitions(cluster: Cluster, controlPlane: ControlPlaneObservation, ready: boolean): void {
    const before = cluster.status?.phase;
    if (ready && before !== "Running") this.#o.events.record(cluster, { reason: "ClusterReady", action: "Provision", note: `the API serves at ${controlPlane.endpoint}` });
    if (!ready && before === "Running") this.#o.events.record(cluster, { type: "Warning", reason: "ClusterDegraded", action: "Observe", note: controlPlane.components.filter((c) => !c.ready).map((c) => c.message ?? c.name).join("; ") });
    if (before === undefined) this.#o.events.record(cluster, { reason: "Provisioning", action: "Provision", note: "issuing certificates and starting etcd, kube-apiserver and the controllers" });
  }
}

/** The upgrade's and a restore's part of a pass's observation: the upgrade record, the version the control plane runs as it decided, and what a restore restores. */
function upgradeObservation(upgrade: { upgrade: ClusterObservation["upgrade"]; running: string | undefined }, restoring: string | undefined): Pick<ClusterObservation, "upgrade" | "runningVersion" | "restoring"> {
  return { ...(upgrade.upgrade === undefined ? {} : { upgrade: upgrade.upgrade }), ...(upgrade.running === undefined ? {} : { runningVersion: upgrade.running }), ...(restoring === undefined ? {} : { restoring }) };
}

/** The member count a cluster's etcd was built for, once recorded. */
/** The Event of a pass that moved the cluster's data between datastores. */
function movedEvent(moved: NonNullable<ControlPlaneObservation["datastoreMoved"]>, seed: string): { reason: string; action: string; note: string } {
  const where = moved.to === "Shared" ? `the shared etcd of seed ${seed}` : "an etcd of its own";
  return { reason: "DatastoreMoved", action: "MoveDatastore", note: `moved the cluster's ${moved.keys} keys to ${where}; its API servers were stopped for ${(moved.copyMs / 1000).toFixed(1)} s of copying and start again on it now` };
}
