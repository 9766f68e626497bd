import { isDeepStrictEqual } from "node:util";
import type { V1Secret } from "@kubernetes/client-node";
import { clusterId, clusterObjectNames, type Cluster, type ClusterTemplate } from "@seedbed/api";
import type { ControlPlaneObservation, HostingDriver } from "@seedbed/controlplane";
import {
  applyStatus,
  ensureFinalizer,
  hasFinalizer,
  isConflict,
  isNotFound,
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
import { InvalidSpecError, resolveClusterSpec } from "./resolve.ts";
import { applyAdminKubeconfig, ensurePKISecret, type CertificatePolicy } from "./secrets.ts";
import { computeClusterStatus, type ClusterObservation } from "./status.ts";

/** The finalizer that keeps a Cluster until its control plane and data are gone. */
export const clusterFinalizer = "seedbed.dev/cluster";

/** Finds the seed and hosting driver of a cluster (see SeedDrivers). */
export interface DriverResolver {
  forCluster(cluster: Cluster): Promise<{ seed: string; driver: HostingDriver }>;
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
  /** Leaf certificate lifetime and renewal window (default 365 and 30 days). */
  readonly certificates?: CertificatePolicy;
  /** How soon to look again while a control plane comes up, on drivers that do not report changes (default 1 s). */
  readonly provisioningPollMs?: number;
  /** How often to re-check a running control plane on drivers that do not report changes (default 30 s). */
  readonly healthCheckMs?: number;
  /** Whether the cluster needs a kwok controller for simulated machines (it has a kwok node pool). */
  readonly needsKwok?: (cluster: Cluster) => boolean;
  /** How often to look at a cluster on drivers that report changes: a safety net, and certificate renewal (default 10 min). */
  readonly resyncMs?: number;
  /** The platform's login and shared endpoint, which every cluster's API server is configured for. */
  readonly access?: PlatformAccess;
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

  constructor(options: ClusterReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const cluster = this.#o.cache.cluster(request.namespace ?? "", request.name);
    if (!cluster) return undefined;
    if (cluster.metadata.deletionTimestamp !== undefined) return this.#delete(cluster, context);
    if (!hasFinalizer(cluster, clusterFinalizer)) await ensureFinalizer(this.#o.client, cluster, clusterFinalizer);
    if (cluster.spec.paused) return undefined;

    let effective;
    let placement;
    let template;
    try {
      template = this.#template(cluster);
      effective = resolveClusterSpec(cluster, template);
      placement = await this.#o.drivers.forCluster(cluster);
    } catch (error) {
      if (!(error instanceof InvalidSpecError)) throw error;
      await this.#writeStatus(cluster, { invalidSpec: { reason: error.reason, message: error.message }, certificatesReady: false, deleting: false }, {});
      this.#o.events.record(cluster, { type: "Warning", reason: error.reason, action: "Validate", note: error.message });
      throw new TerminalError(error.message, { cause: error });
    }

    const id = clusterId(cluster.metadata.namespace ?? "", cluster.metadata.name ?? "");
    const { seed, driver } = placement;
    const namespace = cluster.metadata.namespace ?? "";
    const name = cluster.metadata.name ?? "";
    const access = this.#o.access;
    const shared = sharedEndpointOf(cluster, access);
    const names = withSharedName(driver.certificateNames(id), shared);
    const { pki, action, version: pkiVersion } = await ensurePKISecret(this.#o.client, this.#o.cache.secret(namespace, clusterObjectNames.pkiSecret(name)), cluster, effective.network.serviceCIDR, names, this.#o.certificates, new Date(this.#clock.now()));
    if (action === "renewed") this.#o.events.record(cluster, { reason: "CertificatesRenewed", action: "Renew", note: `leaf certificates were near expiry and are issued afresh for ${this.#o.certificates?.leafValidityDays ?? 365} days; components restart to load them` });
    const controlPlane = await driver.apply({
      clusterId: id,
      version: effective.version,
      network: effective.network,
      pki,
      pkiVersion,
      controlPlane: { apiServerReplicas: effective.controlPlaneReplicas, etcdMembers: effective.etcdMembers, etcdStorage: effective.etcdStorage },
      exposure: effective.exposure,
      authenticationConfig: authenticationConfigFor(cluster, template, access),
      kwok: this.#needsKwok(cluster),
    });
    const adminSecret = await applyAdminKubeconfig(this.#o.client, this.#o.cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(name)), cluster, pki, controlPlane.endpoint, pkiVersion);
    const ready = await this.#writeStatus(cluster, { certificatesReady: true, controlPlane, deleting: false }, {
      version: effective.version,
      endpoint: controlPlane.endpoint,
      ...sharedEndpointStatus(shared),
      certificateAuthority: pki.get("ca.crt"),
      seed,
      adminKubeconfigSecretRef: { name: adminSecret },
    });
    this.#recordTransitions(cluster, controlPlane, ready);
    context.log.debug({ ready, endpoint: controlPlane.endpoint }, "Reconciled the control plane");
    // A driver that reports every change brings us back itself; the health
    // check is then only a safety net. Polling a thousand provisioning
    // clusters every second would swamp the queue with no-op reconciles.
    if (driver.reportsChanges) return { requeueAfter: this.#o.resyncMs ?? 600_000 };
    return { requeueAfter: ready ? (this.#o.healthCheckMs ?? 30_000) : (this.#o.provisioningPollMs ?? 1000) };
  }

  async #delete(cluster: Cluster, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    if (!hasFinalizer(cluster, clusterFinalizer)) return undefined;
    if (cluster.status?.phase !== "Deleting") await this.#writeStatus(cluster, { certificatesReady: false, deleting: true }, {});
    const driver = await this.#o.drivers.forDeletion(cluster);
    const gone = await driver.delete(clusterId(cluster.metadata.namespace ?? "", cluster.metadata.name ?? ""));
    // The seed takes a while to remove a namespace; its events bring us back sooner.
    if (!gone) return { requeueAfter: 2000 };
    this.#o.events.record(cluster, { reason: "ControlPlaneDeleted", action: "Delete", note: "the control plane, its ports and its data are gone" });
    context.log.info("Deleted the control plane");
    try {
      await removeFinalizer(this.#o.client, cluster, clusterFinalizer);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
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

  /** Computes and applies the status; returns whether the cluster is Ready. */
  async #writeStatus(cluster: Cluster, observed: ClusterObservation, fields: Partial<NonNullable<Cluster["status"]>>): Promise<boolean> {
    const computed = computeClusterStatus(observed, cluster.status?.phase === "Running" || cluster.status?.phase === "Degraded");
    const now = this.#clock.now();
    let conditions: Condition[] = cluster.status?.conditions ?? [];
    for (const input of computed.conditions) conditions = setCondition(conditions, { ...input, observedGeneration: cluster.metadata.generation }, now);
    const status = { ...cluster.status, ...fields, phase: computed.phase, conditions, observedGeneration: cluster.metadata.generation };
    // Nothing changed: writing it would cost a request and change nothing.
    if (isDeepStrictEqual(status, cluster.status)) return computed.phase === "Running";
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status });
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
