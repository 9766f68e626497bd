import type { V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, isClusterServing, kubeconfigSecretKey, type Addon, type AddonStatus, type Cluster, type ClusterTemplate, type Seed } from "@seedbed/api";
import { applyStatus, isConflict, isNotFound, systemClock, type Clock, type EventRecorder, type ObjectClient, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from "@seedbed/runtime";
import { addonKinds, builtinAddonNames, renderBuiltinAddon, type AddonContext, type BuiltinAddonName, type CNIName, type HelmChart, type RenderedManifests } from "./catalog/index.ts";
import { desiredAddons, platformDefaultAddons, requestedAddons, type DesiredAddon } from "./desired.ts";
import { valuesDigest } from "./helm/index.ts";
import { addonFieldManager, hasObjects, installBuiltin, prune } from "./install-builtin.ts";
import type { AddonMetrics } from "./metrics.ts";
import { addonStatusWrite } from "./status.ts";
import { addonReadiness, type Readiness } from "./readiness.ts";
import { helmReleaseOf, type AddonWatches, type TenantAddonObjects } from "./watches.ts";

/** Where the reconciler reads from: the operator's informer caches. */
export interface AddonCache {
  cluster(namespace: string, name: string): Cluster | undefined;
  template(namespace: string, name: string): ClusterTemplate | undefined;
  seed(name: string): Seed | undefined;
  /** The Secrets Seedbed writes (the admin kubeconfig among them). */
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** What installs Helm add-ons (HelmRunner: the real helm binary). */
export interface AddonHelm {
  upgradeInstall(kubeconfig: string, chart: HelmChart, signal?: AbortSignal): Promise<unknown>;
  uninstall(kubeconfig: string, release: string, namespace: string, signal?: AbortSignal): Promise<void>;
}

/** How the add-on controller runs. */
export interface AddonReconcilerOptions {
  /** The management API: the Cluster's status. */
  readonly client: ObjectClient;
  readonly cache: AddonCache;
  readonly watches: AddonWatches;
  readonly helm: AddonHelm;
  /** The platform's add-ons for clusters that do not turn them off (default: CoreDNS). */
  readonly defaults?: readonly Addon[];
  /** The platform's registry mirror for add-on images, when the seed names none. */
  readonly imageRegistry?: string;
  /** Chart repositories replacing the CNI charts' upstream ones. */
  readonly cniRepositories?: Partial<Record<CNIName, string>>;
  readonly events?: EventRecorder;
  readonly clock?: Clock;
  readonly metrics?: AddonMetrics;
}

/** What one pass collects: failures to report and retry, and whether helm installed something. */
interface Pass {
  readonly failures: string[];
  helmInstalled: boolean;
}

/** How soon a pass that installed a release looks at its workloads again. */
const helmSettleMs = 2000;

/** A pass that met failures: written to status first, then thrown so that the controller retries with backoff. */
export class AddonsFailedError extends Error {
  constructor(messages: readonly string[]) {
    super(messages.join("; "));
    this.name = "AddonsFailedError";
  }
}

/**
 * Keeps each serving cluster's add-ons (spec.addons over its template's and
 * the platform's, and the CNI of spec.network.cni) installed, at their
 * versions, repaired and reported (status.addons, AddonsReady); removes the
 * ones turned off or taken out. Built-in add-ons are objects Seedbed applies
 * and watches in the tenant (see watches.ts: drift comes back as an event,
 * never through polling); Helm add-ons are releases the real helm installs,
 * upgraded when their chart, version or values change.
 */
export class AddonReconciler implements Reconciler {
  readonly #o: AddonReconcilerOptions;
  readonly #clock: Clock;

  constructor(options: AddonReconcilerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  async reconcile(request: ReconcileRequest, context: ReconcileContext): Promise<ReconcileResult | undefined> {
    const namespace = request.namespace ?? "";
    const id = `${namespace}/${request.name}`;
    const cluster = this.#o.cache.cluster(namespace, request.name);
    if (!cluster || cluster.metadata.deletionTimestamp !== undefined) {
      // The tenant goes with its cluster: nothing to uninstall, only the watches to close.
      await this.#o.watches.close(id);
      return undefined;
    }
    if (cluster.spec.paused || !isClusterServing(cluster)) return undefined;
    const encoded = this.#o.cache.secret(namespace, clusterObjectNames.adminKubeconfigSecret(request.name))?.data?.[kubeconfigSecretKey];
    if (encoded === undefined) return undefined;
    const tenant = await this.#o.watches.get({ namespace, name: request.name }, encoded);
    const template = this.#templateOf(cluster);
    const addonContext = this.#context(cluster, template);
    const desired = desiredAddons(requestedAddons(cluster, template, this.#o.defaults ?? platformDefaultAddons), { context: addonContext, cniRepositories: this.#o.cniRepositories });
    const previous = new Map((cluster.status?.addons ?? []).map((a) => [a.name, a]));
    const statuses: AddonStatus[] = [];
    const pass: Pass = { failures: [], helmInstalled: false };
    for (const addon of desired) {
      statuses.push(await this.#install(cluster, tenant, addon, previous.get(addon.name), pass, context));
    }
    const wanted = new Set(desired.map((a) => a.name));
    for (const old of previous.values()) {
      if (wanted.has(old.name)) continue;
      const left = await this.#remove(cluster, tenant, old, addonContext, pass, context);
      if (left !== undefined) statuses.push(left);
    }
    await this.#writeStatus(cluster, statuses.sort((a, b) => a.name.localeCompare(b.name)));
    if (pass.failures.length > 0) throw new AddonsFailedError(pass.failures);
    // helm made objects this pass whose watch events may not come (a release without workloads): one more look at them shortly.
    return pass.helmInstalled ? { requeueAfter: helmSettleMs } : undefined;
  }

  /** What add-ons are rendered for: the cluster's version and network, where pods reach its API, and the image mirror. */
  #context(cluster: Cluster, template: ClusterTemplate | undefined): AddonContext {
    // A cluster's own network replaces its template's as a whole (as resolveClusterSpec does).
    const network = cluster.spec.network ?? template?.spec.network;
    const endpoint = new URL(cluster.status?.nodeEndpoint ?? cluster.status?.endpoint ?? "https://127.0.0.1:6443");
    const registry = this.#imageRegistry(cluster);
    return {
      kubernetesVersion: cluster.status?.version ?? cluster.spec.version ?? "",
      podCIDR: network?.podCIDR ?? "10.244.0.0/16",
      serviceCIDR: network?.serviceCIDR ?? "10.96.0.0/12",
      dnsDomain: network?.dnsDomain ?? "cluster.local",
      apiEndpoint: { host: endpoint.hostname, port: Number(endpoint.port || 443) },
      ...(registry === undefined ? {} : { imageRegistry: registry }),
    };
  }

  /** Installs, upgrades or repairs one add-on; its status, with a failure added to the pass. */
  async #install(cluster: Cluster, tenant: TenantAddonObjects, addon: DesiredAddon, previous: AddonStatus | undefined, pass: Pass, context: ReconcileContext): Promise<AddonStatus> {
    if ("problem" in addon) {
      pass.failures.push(`${addon.name}: ${addon.problem}`);
      return { name: addon.name, source: "BuiltIn", ready: false, phase: "Failed", message: addon.problem };
    }
    const rendering = addon.rendering;
    // An add-on that changed hands (a built-in given a chart of the user's, or back) loses what the other way installed first.
    if (previous !== undefined && previous.source !== rendering.source) {
      const left = await this.#remove(cluster, tenant, previous, this.#context(cluster, this.#templateOf(cluster)), pass, context);
      if (left !== undefined) return left;
      previous = undefined;
    }
    if (rendering.source === "Helm") return this.#installHelm(cluster, tenant, addon.name, rendering, previous, pass, context);
    try {
      return await this.#installBuiltin(cluster, tenant, addon.name, rendering, previous, context);
    } catch (error) {
      // One add-on the tenant refuses (or does not answer for) is reported on its own; the others go on.
      const message = error instanceof Error ? error.message : String(error);
      pass.failures.push(`${addon.name}: ${message}`);
      this.#o.events?.record(cluster, { type: "Warning", reason: "AddonFailed", action: "Install", note: `${addon.name}: ${message}`.slice(0, 1000) });
      return { name: addon.name, source: "BuiltIn", version: rendering.version, ready: false, phase: "Failed", ...(previous?.digest === undefined ? {} : { digest: previous.digest }), ...(previous?.lastAppliedTime === undefined ? {} : { lastAppliedTime: previous.lastAppliedTime }), message: message.slice(0, 4000) };
    }
  }

  /** The seed's image mirror, else the platform's. */
  #imageRegistry(cluster: Cluster): string | undefined {
    const seed = cluster.status?.seed === undefined ? undefined : this.#o.cache.seed(cluster.status.seed);
    return seed?.spec.imageRegistry ?? this.#o.imageRegistry;
  }

  #templateOf(cluster: Cluster): ClusterTemplate | undefined {
    return cluster.spec.template === undefined ? undefined : this.#o.cache.template(cluster.metadata.namespace ?? "", cluster.spec.template);
  }

  /** A built-in add-on brought to its rendering; events for what was installed, upgraded or repaired. */
  async #installBuiltin(cluster: Cluster, tenant: TenantAddonObjects, name: string, rendering: RenderedManifests, previous: AddonStatus | undefined, context: ReconcileContext): Promise<AddonStatus> {
    const outcome = await installBuiltin(tenant, name, rendering, previous, { now: () => this.#now(), count: (action) => this.#o.metrics?.sent(action) });
    if (outcome.unstable.length > 0) context.log.warn({ addon: name, objects: outcome.unstable }, "Objects come back from the API server unlike their rendering: each pass applies them again");
    const upgraded = previous !== undefined && previous.digest !== outcome.status.digest;
    if (previous === undefined || upgraded) {
      this.#o.events?.record(cluster, { reason: previous === undefined ? "AddonInstalled" : "AddonUpgraded", action: "Install", note: `${name} ${rendering.version}` });
    } else {
      if (outcome.repaired.length > 0) this.#o.events?.record(cluster, { reason: "AddonRepaired", action: "Repair", note: `${name}: ${outcome.repaired.join(", ")} changed by someone else; Seedbed's fields put back` });
      if (outcome.created.length > 0) this.#o.events?.record(cluster, { reason: "AddonRepaired", action: "Repair", note: `${name}: ${outcome.created.join(", ")} deleted by someone; created again` });
    }
    return outcome.status;
  }

  /**
   * A Helm add-on installed or upgraded when its chart, version or values
   * changed or its last attempt failed, and installed again when one of its
   * workloads was deleted; ready once every workload of its release is.
   */
  async #installHelm(cluster: Cluster, tenant: TenantAddonObjects, name: string, chart: HelmChart, previous: AddonStatus | undefined, pass: Pass, context: ReconcileContext): Promise<AddonStatus> {
    const digest = valuesDigest(chart);
    const base = { name, source: "Helm" as const, version: chart.version, release: chart.release, namespace: chart.namespace };
    const unchanged = previous?.digest === digest && previous.phase !== "Failed";
    const repair = unchanged && tenant.takeDeletedWorkload(chart.namespace, chart.release);
    let lastAppliedTime = previous?.lastAppliedTime;
    // Installed as asked, not failing, nothing deleted: helm is not asked again on every pass.
    const install = !unchanged || repair;
    if (install) {
      const outcome = await this.#runHelm(cluster, tenant, chart, previous, repair, pass, context);
      if (typeof outcome !== "string") return { ...base, ...outcome };
      lastAppliedTime = outcome;
    }
    // Just installed: the watches have not seen its workloads yet, so the pass that comes back shortly judges them.
    const readiness = install ? { ready: false, message: "installed; looking at its workloads" } : await this.#helmReadiness(tenant, chart);
    return { ...base, ready: readiness.ready, phase: readiness.ready ? "Installed" : "Installing", digest, ...(lastAppliedTime === undefined ? {} : { lastAppliedTime }), ...(readiness.message === undefined ? {} : { message: readiness.message }) };
  }

  /** helm upgrade --install of `chart`: when it was applied, or how the add-on failed (the digest of what last installed kept, so that it is tried again while the old release runs). */
  async #runHelm(cluster: Cluster, tenant: TenantAddonObjects, chart: HelmChart, previous: AddonStatus | undefined, repair: boolean, pass: Pass, context: ReconcileContext): Promise<string | Pick<AddonStatus, "ready" | "phase" | "digest" | "lastAppliedTime" | "message">> {
    const name = chart.release;
    try {
      this.#o.metrics?.sent("helm_upgrade");
      await this.#o.helm.upgradeInstall(tenant.kubeconfig, chart, context.signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      pass.failures.push(`${name}: ${message}`);
      this.#o.events?.record(cluster, { type: "Warning", reason: "AddonFailed", action: "Install", note: `${name} (chart ${chart.chart} ${chart.version}): ${message}`.slice(0, 1000) });
      return { ready: false, phase: "Failed", ...(previous?.digest === undefined ? {} : { digest: previous.digest }), ...(previous?.lastAppliedTime === undefined ? {} : { lastAppliedTime: previous.lastAppliedTime }), message: message.slice(0, 4000) };
    }
    pass.helmInstalled = true;
    const reason = repair ? "AddonRepaired" : previous === undefined ? "AddonInstalled" : "AddonUpgraded";
    this.#o.events?.record(cluster, { reason, action: repair ? "Repair" : "Install", note: `${name}: chart ${chart.chart} ${chart.version}${repair ? ", installed again: a workload of its release was deleted" : ""}` });
    return this.#now();
  }

  /** A release's readiness: every Deployment, DaemonSet and StatefulSet helm made for it available (a release without any is ready once installed). */
  async #helmReadiness(tenant: TenantAddonObjects, chart: HelmChart): Promise<Readiness> {
    const release = `${chart.namespace}/${chart.release}`;
    const workloads = (await tenant.helmWorkloads()).flatMap((informer) => informer.list()).filter((o) => helmReleaseOf(o) === release);
    return addonReadiness(workloads, (o) => o);
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  /** Uninstalls an add-on no longer asked for; its status while something is left, undefined once it is gone. */
  async #remove(cluster: Cluster, tenant: TenantAddonObjects, old: AddonStatus, addonContext: AddonContext, pass: Pass, context: ReconcileContext): Promise<AddonStatus | undefined> {
    try {
      if (old.source === "Helm") {
        this.#o.metrics?.sent("helm_uninstall");
        await this.#o.helm.uninstall(tenant.kubeconfig, old.release ?? old.name, old.namespace ?? "default", context.signal);
      } else if ((builtinAddonNames as readonly string[]).includes(old.name)) {
        // Its kinds watched (after a restart they may not be yet), then every object labelled with it deleted.
        for (const kind of addonKinds(renderBuiltinAddon(old.name as BuiltinAddonName, addonContext).objects)) await tenant.kind(kind);
        await prune(tenant, old.name, new Set(), (action) => this.#o.metrics?.sent(action));
        if (hasObjects(tenant, old.name)) return { ...old, ready: false, phase: "Removing", message: "deleting its objects" };
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      pass.failures.push(`${old.name}: ${message}`);
      return { ...old, ready: false, phase: "Removing", message: message.slice(0, 4000) };
    }
    this.#o.events?.record(cluster, { reason: "AddonRemoved", action: "Uninstall", note: `${old.name} removed` });
    return undefined;
  }

  /** status.addons and AddonsReady under the add-on controller's own field manager, when they changed. */
  async #writeStatus(cluster: Cluster, addons: AddonStatus[]): Promise<void> {
    const write = addonStatusWrite(cluster.status, addons, this.#clock.now());
    if (write === undefined) return;
    try {
      await applyStatus(this.#o.client, { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata.name, namespace: cluster.metadata.namespace }, status: write }, { fieldManager: addonFieldManager });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
}
