import { ControlPlaneMetrics } from "./reconcilers/cluster/control-plane-metrics.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { V1Secret } from "@kubernetes/client-node";
import { clusterIdentity, clusterObjectNames, projectOfNamespace, type Cluster, type CertificatePolicy, type ClusterTemplate, type EtcdBackup, type EtcdRestore, type NodePool, type Project, type Seed } from "@seedbed/api";
import { clearAbandonedDrills } from "@seedbed/backup";
import { LocalDriver, type SeedImageOptions, type SupervisorEvent } from "@seedbed/controlplane";
import { Manager, requestFor, type Clock, type LeaderElectionConfig, type ReconcileRequest } from "@seedbed/runtime";
import type { Logger } from "pino";
import { clusterKindRef, clusterTemplateKindRef, secretKindRef } from "./reconcilers/cluster/kinds.ts";
import type { PlatformAccess } from "./reconcilers/cluster/access.ts";
import { ClusterReconciler, type ClusterCache } from "./reconcilers/cluster/reconciler.ts";
import { TenantRBACReconciler } from "./reconcilers/tenantrbac/reconciler.ts";
import { TenantEndpointReconciler } from "./reconcilers/tenantendpoint/reconciler.ts";
import { TenantJoinReconciler } from "./reconcilers/tenantjoin/reconciler.ts";
import { TenantCSRReconciler } from "./reconcilers/tenantcsr/reconciler.ts";
import { TenantCSRWatches } from "./reconcilers/tenantcsr/watches.ts";
import { nodePoolKindRef } from "./reconcilers/nodepool/kinds.ts";
import { projectKindRef } from "./reconcilers/project/kinds.ts";
import { ProjectReconciler } from "./reconcilers/project/reconciler.ts";
import { NodePoolReconciler } from "./reconcilers/nodepool/reconciler.ts";
import { machineProviders } from "./reconcilers/nodepool/providers.ts";
import { SeedDrivers, seedKindRef } from "./seeds/registry.ts";
import { SeedReconciler } from "./reconcilers/seed/reconciler.ts";
import { TenantConnections } from "./tenants/connections.ts";
import { CredentialsReconciler } from "./reconcilers/credentials/reconciler.ts";
import { etcdBackupKindRef } from "./reconcilers/etcdbackup/kinds.ts";
import { EtcdBackupReconciler } from "./reconcilers/etcdbackup/reconciler.ts";
import { BackupMetrics } from "./reconcilers/etcdbackup/metrics.ts";
import { drillMarkerPrefix } from "./reconcilers/etcdbackup/drill.ts";
import { BackupScheduleReconciler } from "./reconcilers/backupschedule/reconciler.ts";
import type { BackupStores, DefaultBackupStore } from "./reconcilers/etcdbackup/store.ts";
import { etcdRestoreKindRef } from "./reconcilers/etcdrestore/kinds.ts";
import { EtcdRestoreReconciler } from "./reconcilers/etcdrestore/reconciler.ts";
import { credentialsLabel, credentialsOf } from "./reconcilers/credentials/protect.ts";
import { registerUpgradePlans } from "./reconcilers/upgradeplan/register.ts";
import { registerAddons, type AddonOptions } from "./reconcilers/addons/register.ts";
import { registerClusterPolicies } from "./reconcilers/clusterpolicy/register.ts";
import { registerPolicyAgents, type PolicyAgentOptions } from "./reconcilers/policyagent/register.ts";

/** How to run the operator. */
export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the local hosting driver keeps each cluster's files; without it the operator hosts no local seeds (it runs in a pod). */
  readonly stateDir?: string;
  readonly logger?: Logger;
  readonly metricsPort?: number;
  /** Default 127.0.0.1; 0.0.0.0 in a pod. */
  readonly metricsHost?: string;
  readonly leaderElection?: LeaderElectionConfig;
  /** Only for throw-away platforms (tests): tenant etcds skip fsync. */
  readonly unsafeNoFsync?: boolean;
  /**
   * An address of this machine that local machines (real kubelets in network
   * namespaces) reach: local tenants' API servers listen and advertise
   * there too, and machines join at it (see LocalDriverOptions.nodeAddress).
   */
  readonly nodeAddress?: string;
  /** The platform's own backup store (`seedbed up` runs one): where snapshots of clusters that name none go. */
  readonly backupStore?: DefaultBackupStore;
  /** The platform's certificate policy, for what clusters and templates leave out (see platformCertificateDefaults). */
  readonly certificates?: CertificatePolicy;
  /** The longest a service-account token lives: how long a CA rotation keeps the old key verifying (default 24 h). Tests shorten it. */
  readonly tokenLifetimeMs?: number;
  /** On kubernetes seeds, how long a changed certificate Secret may take to reach the mounted files (default 150 s). */
  readonly secretPropagationMs?: number;
  /** Reconciles that may run at once per controller. */
  readonly workers?: number;
  /** The platform's OIDC login and shared SNI endpoint, which every cluster's API server is set up for. */
  readonly access?: PlatformAccess;
  /** The Cluster controller's time: when certificates are issued and when they are due for renewal (tests shift it). */
  readonly clock?: Clock;
  /** How long a request to a tenant cluster, or the first sync of its caches, may take before the pass reports it and backs off (default 10 s). */
  readonly tenantTimeoutMs?: number;
  /** How long a Cluster's reconcile passes must keep failing before Ready=False says why (default 30 s; refusals show at once). */
  readonly failureGraceMs?: number;
  /** Where kubernetes seeds pull the control-plane images from: a registry and per-component references (default: registry.k8s.io's). */
  readonly controlPlaneImages?: SeedImageOptions;
  /** The platform's add-ons (default CoreDNS), the image mirror and chart repositories they come from. */
  readonly addons?: AddonOptions;
  /** The policy agents' credentials (token lifetime). */
  readonly policyAgents?: PolicyAgentOptions;
}

/** A running operator. */
export interface Operator {
  readonly manager: Manager;
  readonly driver: LocalDriver | undefined;
  /** Stops the controllers, then every control plane process (their data stays). */
  stop(): Promise<void>;
}

/** Starts every controller in this process: one reconciler per kind. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const manager = new Manager({ kubeConfig: options.kubeConfig, logger: options.logger, metricsPort: options.metricsPort, metricsHost: options.metricsHost, leaderElection: options.leaderElection });
  const log = manager.logger.child({ component: "local-driver" });
  // A component that exits makes its cluster's next reconcile come at once
  // (Degraded shows without waiting for the periodic health check).
  let requeue: ((id: string) => void) | undefined;
  const driver = options.stateDir === undefined ? undefined : new LocalDriver({
    root: options.stateDir,
    unsafeNoFsync: options.unsafeNoFsync,
    nodeAddress: options.nodeAddress,
    onEvent: (clusterId: string, event: SupervisorEvent) => {
      log.info({ clusterId, ...event }, `Component ${event.name} ${event.type}`);
      if (event.type === "exited") requeue?.(clusterId);
    },
  });
  const clusterInformer = manager.informers.informerFor<Cluster>(clusterKindRef);
  const poolInformer = manager.informers.informerFor<NodePool>(nodePoolKindRef);
  const projectInformer = manager.informers.informerFor<Project>(projectKindRef);
  const backupInformer = manager.informers.informerFor<EtcdBackup>(etcdBackupKindRef);
  const backupsOf = (c: Cluster): EtcdBackup[] => backupInformer.list(c.metadata.namespace).filter((b) => b.spec.clusterName === c.metadata.name);
  const restoreInformer = manager.informers.informerFor<EtcdRestore>(etcdRestoreKindRef);
  const restoresOf = (c: Cluster): EtcdRestore[] => restoreInformer.list(c.metadata.namespace).filter((r) => r.spec.clusterName === c.metadata.name);
  // The same scopes as the controller's own watches below, so they share informers.
  const ownedSecrets = "seedbed.dev/cluster";
  const cache: ClusterCache = {
    cluster: (namespace, name) => clusterInformer.get(namespace, name),
    template: (namespace, name) => manager.informers.informerFor<ClusterTemplate>(clusterTemplateKindRef).get(namespace, name),
    secret: (namespace, name) => manager.informers.informerFor<V1Secret>(secretKindRef, { labelSelector: ownedSecrets }).get(namespace, name),
  };
  const drivers = new SeedDrivers({
    client: manager.client,
    seeds: manager.informers.informerFor<Seed>(seedKindRef),
    local: driver,
    managementKubeConfig: options.kubeConfig,
    images: options.controlPlaneImages,
    onChange: (id) => requeue?.(id),
    // How many clusters each seed hosts, against its spec.capacity.
    clusters: () => clusterInformer.list(),
  });
  const clusters = manager.addController({
    name: "cluster",
    kind: clusterKindRef,
    workers: options.workers ?? 4,
    reconciler: new ClusterReconciler({
      client: manager.client,
      cache,
      drivers,
      events: manager.eventRecorder("cluster"),
      certificates: options.certificates,
      tokenLifetimeMs: options.tokenLifetimeMs,
      secretPropagationMs: options.secretPropagationMs,
      access: options.access,
      clock: options.clock,
      // A kwok controller runs beside the control plane while the cluster has a kwok pool.
      needsKwok: (c) => poolInformer.list(c.metadata.namespace).some((p) => p.spec.clusterName === c.metadata.name && p.spec.provider.type === "kwok" && p.metadata.deletionTimestamp === undefined),
      // A deleted cluster deletes these first and waits for their machines.
      nodePools: (namespace, name) => poolInformer.list(namespace).filter((p) => p.spec.clusterName === name),
      failureGraceMs: options.failureGraceMs,
      // status.nodes, from the Node watch a node pool's connection keeps (none without pools).
      nodes: (c) => tenants.nodeCounts(idOf(c)),
      backups: backupsOf,
      restoring: (c) => restoresOf(c).find((r) => r.status?.phase === "Restoring"),
      restores: restoresOf,
      project: (name) => projectInformer.get(undefined, name),
      controlPlaneMetrics: new ControlPlaneMetrics(manager.metrics.registry),
    }),
    // Failing passes are retried at least every 30 s: a seed that comes back is seen soon (client-go's cap of 1000 s is for cheap retries).
    rateLimit: { maxDelayMs: 30_000 },
    // Only the Secrets we write (PKI, kubeconfigs): caching every Secret of a big management cluster would cost memory for nothing.
    owns: [{ kind: secretKindRef, labelSelector: ownedSecrets }],
    watches: [
      {
        // A Seed created, changed or made default places the clusters waiting for it.
        kind: seedKindRef,
        mapFn: (seed) =>
          clusterInformer
            .list()
            .filter((c) => c.spec.seed === seed.metadata?.name || c.status?.seed === seed.metadata?.name || (c.spec.seed === undefined && (c.status?.phase === "Failed" || c.status?.phase === "Pending")))
            .flatMap(requestFor),
      },
      {
        // The first kwok pool of a cluster starts its kwok controller; the last one gone stops it.
        kind: nodePoolKindRef,
        mapFn: (pool) => [{ namespace: pool.metadata?.namespace, name: (pool as NodePool).spec.clusterName }],
      },
      {
        // A template created or changed rebuilds the clusters that name it.
        kind: clusterTemplateKindRef,
        mapFn: (template) =>
          clusterInformer
            .list(template.metadata?.namespace)
            .filter((c) => c.spec.template === template.metadata?.name)
            .flatMap(requestFor),
      },
      {
        // A backup that completes or fails changes lastBackupTime and BackupsHealthy.
        kind: etcdBackupKindRef,
        mapFn: (b) => [{ namespace: b.metadata?.namespace, name: (b as EtcdBackup).spec.clusterName }],
      },
      {
        // A restore that starts or swaps the data in: phase Restoring, and the control plane started again on the restored data.
        kind: etcdRestoreKindRef,
        mapFn: (r) => [{ namespace: r.metadata?.namespace, name: (r as EtcdRestore).spec.clusterName }],
      },
    ],
  });
  // Seed and process events name a cluster by its id: an index keeps the
  // lookup constant-time however many clusters and events there are.
  const byId = new Map<string, { namespace?: string; name: string }>();
  const idOf = (c: Cluster): string => clusterIdentity(c);
  clusterInformer.addHandlers({
    add: (c) => byId.set(idOf(c), { namespace: c.metadata.namespace, name: c.metadata.name ?? "" }),
    update: (c) => byId.set(idOf(c), { namespace: c.metadata.namespace, name: c.metadata.name ?? "" }),
    delete: (c) => byId.delete(idOf(c)),
  });
  requeue = (id) => {
    const request = byId.get(id);
    if (request) clusters.enqueue(request);
  };

  const poolsOf = (namespace: string | undefined, cluster: string): ReconcileRequest[] =>
    poolInformer
      .list(namespace)
      .filter((p) => p.spec.clusterName === cluster)
      .flatMap(requestFor);
  let requeuePools: ((id: string) => void) | undefined;
  const tenants = new TenantConnections({ secret: (namespace, name) => cache.secret(namespace, name), onChange: (id) => requeuePools?.(id), timeoutMs: options.tenantTimeoutMs, onNodesChange: (id) => requeue(id) });
  const pools = manager.addController({
    name: "nodepool",
    kind: nodePoolKindRef,
    workers: options.workers ?? 4,
    reconciler: new NodePoolReconciler({
      client: manager.client,
      pool: (namespace, name) => poolInformer.get(namespace, name),
      cluster: (namespace, name) => cache.cluster(namespace, name),
      caCertificate: (c) => {
        // The bundle: a machine joining during a CA rotation trusts the old CA (still serving) and the new.
        const data = cache.secret(c.metadata.namespace ?? "", clusterObjectNames.pkiSecret(c.metadata.name ?? ""))?.data;
        const encoded = data?.["ca-bundle.crt"] ?? data?.["ca.crt"];
        return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
      },
      tenants,
      provider: machineProviders(manager.client, options.stateDir === undefined ? {} : { machinesDir: join(options.stateDir, "machines") }),
      events: manager.eventRecorder("nodepool"),
      nodeQuota: (pool) => {
        const namespace = pool.metadata.namespace ?? "";
        const limit = projectInformer.get(undefined, projectOfNamespace(namespace))?.spec.quota?.nodes;
        if (limit === undefined) return undefined;
        const usedByOthers = poolInformer.list(namespace).filter((p) => p.metadata.name !== pool.metadata.name).reduce((sum, p) => sum + (p.status?.replicas ?? 0), 0);
        return { limit, usedByOthers };
      },
    }),
    watches: [
      {
        // A cluster that comes up (or goes) moves its pools on.
        kind: clusterKindRef,
        mapFn: (c) => poolsOf(c.metadata?.namespace, c.metadata?.name ?? ""),
      },
      {
        // A project's node quota raised: its pools may make what they could not.
        kind: projectKindRef,
        mapFn: (p) => poolInformer.list(`project-${p.metadata?.name ?? ""}`).flatMap(requestFor),
      },
    ],
  });
  requeuePools = (id) => {
    const request = byId.get(id);
    if (request) for (const pool of poolsOf(request.namespace, request.name)) pools.enqueue(pool);
  };
  clusterInformer.addHandlers({ delete: (c) => void tenants.close(idOf(c)) });

  // Project members' roles inside each Running cluster, for users of the
  // platform's login (without one nobody logs in as a member); a project's
  // members changed re-applies them in its clusters.
  if (options.access?.login) {
    manager.addController({
      name: "tenantrbac",
      kind: clusterKindRef,
      workers: options.workers ?? 4,
      reconciler: new TenantRBACReconciler({
        cache: { cluster: (namespace, name) => cache.cluster(namespace, name), secret: (namespace, name) => cache.secret(namespace, name), project: (name) => projectInformer.get(undefined, name) },
        events: manager.eventRecorder("tenantrbac"),
        timeoutMs: options.tenantTimeoutMs,
      }),
      watches: [{ kind: projectKindRef, mapFn: (p) => clusterInformer.list(`project-${p.metadata?.name ?? ""}`).flatMap(requestFor) }],
    });
  }
  // Each serving cluster's kubernetes Service points at its published
  // endpoint, so pods inside it reach their API (see tenantendpoint/).
  manager.addController({
    name: "tenantendpoint",
    kind: clusterKindRef,
    workers: options.workers ?? 4,
    reconciler: new TenantEndpointReconciler({ cache: { cluster: (namespace, name) => cache.cluster(namespace, name), secret: (namespace, name) => cache.secret(namespace, name) }, events: manager.eventRecorder("tenantendpoint"), timeoutMs: options.tenantTimeoutMs }),
  });
  // What lets real machines join each serving cluster through a pool's
  // bootstrap token, and the API server use their kubelets (see tenantjoin/).
  manager.addController({
    name: "tenantjoin",
    kind: clusterKindRef,
    workers: options.workers ?? 4,
    reconciler: new TenantJoinReconciler({ cache: { cluster: (namespace, name) => cache.cluster(namespace, name), secret: (namespace, name) => cache.secret(namespace, name) }, events: manager.eventRecorder("tenantjoin"), timeoutMs: options.tenantTimeoutMs }),
  });
  // Seedbed's approver of kubelet serving certificates in each serving
  // cluster (see tenantcsr/): a pending serving CSR in a tenant brings its
  // cluster back through the tenant's CSR watch.
  let enqueueCSRs: ((cluster: ReconcileRequest) => void) | undefined;
  const csrWatches = new TenantCSRWatches({ onChange: (c) => enqueueCSRs?.(c), timeoutMs: options.tenantTimeoutMs });
  const csrApprover = manager.addController({
    name: "tenantcsr",
    kind: clusterKindRef,
    workers: options.workers ?? 4,
    reconciler: new TenantCSRReconciler({ cache: { cluster: (namespace, name) => cache.cluster(namespace, name), secret: (namespace, name) => cache.secret(namespace, name) }, watches: csrWatches, events: manager.eventRecorder("tenantcsr") }),
  });
  enqueueCSRs = (c) => csrApprover.enqueue(c);
  // Cloud credentials a NodePool uses keep a finalizer until no pool refers
  // to them; a pool gone (or changed) releases them here.
  manager.addController({
    name: "credentials",
    kind: secretKindRef,
    labelSelector: credentialsLabel,
    reconciler: new CredentialsReconciler({
      client: manager.client,
      cache: { secret: (namespace, name) => manager.informers.informerFor<V1Secret>(secretKindRef, { labelSelector: credentialsLabel }).get(namespace, name), pools: () => poolInformer.list() },
    }),
    watches: [{ kind: nodePoolKindRef, mapFn: (pool) => { const ref = credentialsOf(pool as NodePool); return ref === undefined ? [] : [ref]; } }],
  });
  // Each Seed's status (clusters hosted, reachable, room left, fields not
  // carried out), its region label, and the finalizer that keeps a deleted
  // Seed while it hosts clusters.
  const seedInformer = manager.informers.informerFor<Seed>(seedKindRef);
  manager.addController({
    name: "seed",
    kind: seedKindRef,
    reconciler: new SeedReconciler({
      client: manager.client,
      seed: (name) => seedInformer.get(undefined, name),
      hosted: (name) => drivers.hostedBy(name),
      reachability: (seed) => drivers.reachability(seed),
      events: manager.eventRecorder("seed"),
      ...(driver === undefined ? {} : { sharedDatastores: driver }),
      sharedTenants: (seed) => clusterInformer.list().filter((c) => c.status?.controlPlane?.datastore?.sharedWith === seed).map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`).sort(),
    }),
    // A cluster placed on a seed, or gone from it, changes the seed's count.
    watches: [{ kind: clusterKindRef, mapFn: (c) => {
      const seed = (c as Cluster).status?.seed;
      return seed === undefined ? [] : [{ name: seed }];
    } }],
  });
  // Where snapshots go: the first of the cluster's, its template's, its project's and its seed's settings, else the platform's store.
  const backupStores: BackupStores = {
    platform: options.backupStore,
    sourcesOf: (c) => {
      const namespace = c.metadata.namespace ?? "";
      return {
        ...(c.spec.template === undefined ? {} : { template: cache.template(namespace, c.spec.template) }),
        project: projectInformer.get(undefined, projectOfNamespace(namespace)),
        ...(c.status?.seed === undefined ? {} : { seed: seedInformer.get(undefined, c.status.seed) }),
      };
    },
  };
  // Snapshots on their way to or from the store, and restore drills.
  const backupWorkDir = options.stateDir === undefined ? join(tmpdir(), "seedbed-backups") : join(options.stateDir, "backups");
  // One snapshot per EtcdBackup, stored in the cluster's store (see etcdbackup/).
  manager.addController({
    name: "etcdbackup",
    kind: etcdBackupKindRef,
    workers: 2,
    reconciler: new EtcdBackupReconciler({
      client: manager.client,
      backup: (namespace, name) => backupInformer.get(namespace, name),
      cluster: (namespace, name) => clusterInformer.get(namespace, name),
      driver: async (cluster) => (await drivers.forCluster(cluster)).driver,
      stores: backupStores,
      workDir: backupWorkDir,
      events: manager.eventRecorder("etcdbackup"),
      metrics: new BackupMetrics(manager.metrics.registry),
      clock: options.clock,
    }),
    // A cluster that starts serving brings its waiting backups back.
    watches: [{ kind: clusterKindRef, mapFn: (c) => backupsOf(c as Cluster).flatMap(requestFor) }],
  });
  // EtcdRestores: a cluster's etcd put back to a snapshot (see etcdrestore/).
  manager.addController({
    name: "etcdrestore",
    kind: etcdRestoreKindRef,
    workers: 2,
    reconciler: new EtcdRestoreReconciler({
      client: manager.client,
      restore: (namespace, name) => restoreInformer.get(namespace, name),
      cluster: (namespace, name) => clusterInformer.get(namespace, name),
      backups: (namespace) => backupInformer.list(namespace),
      restores: (namespace) => restoreInformer.list(namespace),
      driver: async (cluster) => (await drivers.forCluster(cluster)).driver,
      stores: backupStores,
      workDir: backupWorkDir,
      events: manager.eventRecorder("etcdrestore"),
      clock: options.clock,
    }),
    // The cluster Ready again on the restored data completes its restore; a backup completing lets a waiting restore go on.
    watches: [
      { kind: clusterKindRef, mapFn: (c) => restoresOf(c as Cluster).flatMap(requestFor) },
      { kind: etcdBackupKindRef, mapFn: (b) => restoreInformer.list(b.metadata?.namespace).filter((r) => r.status?.phase === "Pending").flatMap(requestFor) },
    ],
  });
  // spec.backup: scheduled EtcdBackups and their retention (see backupschedule/).
  manager.addController({
    name: "backupschedule",
    kind: clusterKindRef,
    reconciler: new BackupScheduleReconciler({
      client: manager.client,
      cluster: (namespace, name) => clusterInformer.get(namespace, name),
      template: (namespace, name) => cache.template(namespace, name),
      backups: (namespace) => backupInformer.list(namespace),
      canBackUp: async (c) => (await drivers.forCluster(c)).driver.capabilities.backups,
      clock: options.clock,
      events: manager.eventRecorder("backupschedule"),
    }),
    // A backup that completes may let an older one go (retention).
    watches: [{ kind: etcdBackupKindRef, mapFn: (b) => [{ namespace: b.metadata?.namespace, name: (b as EtcdBackup).spec.clusterName }] }],
  });
  manager.addController({
    name: "project",
    kind: projectKindRef,
    reconciler: new ProjectReconciler({ client: manager.client, project: (name) => projectInformer.get(undefined, name) }),
  });
  // Add-ons in each serving cluster: installed, repaired, upgraded, removed (see addons/).
  const addons = registerAddons(manager, {
    clusters: clusterInformer,
    cache: { cluster: (namespace, name) => cache.cluster(namespace, name), template: (namespace, name) => cache.template(namespace, name), seed: (name) => seedInformer.get(undefined, name), secret: (namespace, name) => cache.secret(namespace, name) },
    workDir: join(options.stateDir ?? join(tmpdir(), `seedbed-operator-${String(process.pid)}`), "helm"),
    tenantTimeoutMs: options.tenantTimeoutMs,
    clock: options.clock,
    ...options.addons,
  });
  // ClusterPolicies: which policies select each cluster (its ClusterSync) and how they stand across the fleet (see clusterpolicy/).
  registerClusterPolicies(manager, { clusters: clusterInformer, projects: projectInformer, clock: options.clock });
  // Each cluster's policy agent: its identity on the management API and its process (see policyagent/).
  const policyAgents = registerPolicyAgents(manager, {
    clusters: clusterInformer,
    secret: (namespace, name) => cache.secret(namespace, name),
    managementKubeConfig: options.kubeConfig,
    workDir: join(options.stateDir ?? join(tmpdir(), `seedbed-operator-${String(process.pid)}`), "agents"),
    clock: options.clock,
    ...options.policyAgents,
  });
  // UpgradePlans: fleet upgrades in waves with health gates (see upgradeplan/).
  registerUpgradePlans(manager, { clusters: clusterInformer, projects: projectInformer, clock: options.clock });
  // Scratch etcds of drills an earlier run was killed in.
  await clearAbandonedDrills(drillMarkerPrefix(backupWorkDir), [join(backupWorkDir, "drills")]);
  await manager.start();
  return {
    manager,
    driver,
    async stop(): Promise<void> {
      await manager.stop();
      await tenants.stopAll();
      await csrWatches.stopAll();
      await addons.stop();
      await policyAgents.stop();
      await drivers.stop();
      await driver?.stopAll();
    },
  };
}
