import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { authenticationConfigFile, componentVersionsOf, type CertificateNames, type EtcdConnection, type EtcdRestoreRequest, type ComponentHealth, type ControlPlaneObservation, type ControlPlanePlan, type DriverCapabilities, type HostingDriver } from "../driver.ts";
import { pkiFiles } from "../pki-layout.ts";
import type { SharedEtcdAccess, TenantExport } from "../etcd/shared/index.ts";
import type { TenantRestoreRequest, TenantRestoreResult } from "../driver.ts";
import { exportTenantPrefix, restoreTenant } from "./shared-restore.ts";
import { renderControlPlane, type ControlPlaneLayout, type ControlPlanePorts, type RenderedComponent } from "../render/control-plane.ts";
import { ClusterPortAllocator } from "./driver-ports.ts";
import type { SupervisingLauncher } from "./launcher.ts";
import { ClusterProcesses } from "./cluster-processes.ts";
import { beginStaging, holdForRestore, restoreCompleted, restoreFiles, restoreHold, swapInRestoredData, abandonStaging } from "./etcd-restore.ts";
import { writeLocalLayout } from "./layout.ts";
import { findProcessesByMarker, processMarkerVariable, readEnvironment } from "./proc.ts";
import { LocalEtcdMembership, type LocalMembers } from "./etcd-membership.ts";
import { balancerRoute } from "./ha-route.ts";
import { PlatformBalancer } from "./platform-balancer.ts";
import { apiServerReplicaAddresses, isAPIServerReplica, renderLocalTopology, replicaNamesBeyond } from "./topology.ts";
import { ManagedProcess } from "./process.ts";
import { probe, type ProbeTLS } from "./readiness.ts";
import { probeTLS } from "./start-components.ts";
import type { RestartBackoff, SupervisorEvent } from "./supervisor.ts";
import { LocalSharedDatastores, type SharedDatastoreObservation, type SharedDatastoreSpec, type SharedTenantAccess } from "./shared-datastore.ts";
import { readTenancy, recordTenancy, sharedEtcdHealth } from "./shared-tenancy.ts";
import { moveDatastore, plannedMove, type MoveDirection } from "./datastore-move.ts";

/** A short digest of files' contents (missing files count as empty). */
function checksumOfFiles(paths: readonly string[]): string {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(`${path}\0${existsSync(path) ? readFileSync(path, "utf8") : ""}\0`);
  return hash.digest("hex").slice(0, 16);
}

/**
 * A checksum, in each process's environment, of the files it reads only at
 * start: when one of them changes the spec does, and the process is
 * replaced. Files it reloads itself (certificates renewed) restart nothing.
 */
function withStartChecksums(components: readonly RenderedComponent[]): RenderedComponent[] {
  return components.map((c) => ({ ...c, spec: { ...c.spec, env: { ...c.spec.env, SEEDBED_CONFIG_CHECKSUM: checksumOfFiles(c.loadedAtStart) } } }));
}

/** How long a replica drained at the balancer keeps running before it is stopped: requests routed to it just before finish. */
const drainGraceMs = 1000;

/** How long a replaced API server replica may take to be ready before the next one is replaced anyway on a later pass. */
const replicaReadyTimeoutMs = 60_000;

/** Polls `check` every 200 ms until it holds or `timeoutMs` passes. */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

/** How long API servers and controllers stopped for a move of the cluster's data get to exit after SIGTERM. */
const writerStopGraceMs = 2000;

/** How long a deleted cluster's processes get to exit after SIGTERM. */
const deletionGraceMs = 1000;

/** Options of the local hosting driver. */
export interface LocalDriverOptions {
  /** State directory: clusters/<id>/ holds each cluster's files, data and logs. */
  readonly root: string;
  readonly backoff?: RestartBackoff;
  readonly onEvent?: (clusterId: string, event: SupervisorEvent) => void;
  /** Only for throw-away platforms (tests): etcd skips fsync. */
  readonly unsafeNoFsync?: boolean;
  /**
   * An IPv4 address of this machine that real machines reach (their network
   * namespaces route to it): each tenant API server then also listens
   * there, advertises it (its `kubernetes` Service's endpoints) and has it
   * in its serving certificate, and machines join at
   * https://<nodeAddress>:<port> (ControlPlaneObservation.nodeEndpoint).
   * Users keep https://127.0.0.1:<port>. Without it, tenants listen on
   * loopback only and no real machine can join them.
   */
  readonly nodeAddress?: string;
}

/**
 * Runs each cluster's etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler as supervised processes on this machine, on loopback
 * ports recorded in the cluster's directory.
 */
export class LocalDriver implements HostingDriver {
  readonly name = "local";
  readonly reportsChanges = false;
  /**
   * Up to five API servers behind the platform's balancer and five etcd
   * members on loopback, membership changed one member at a time; no
   * Service (an OwnPort endpoint is a loopback port, which NodePort, the
   * default, stands for), no source filter, and etcd's data in a directory
   * of no set size.
   */
  readonly capabilities: DriverCapabilities = { maxAPIServerReplicas: 5, maxEtcdMembers: 5, etcdMembershipChanges: true, sharedDatastore: true, datastoreMoves: true, serviceTypes: ["NodePort"], allowedSourceRanges: false, etcdStorageSize: false, backups: true };
  readonly #options: LocalDriverOptions;
  readonly #clustersDir: string;
  readonly #ports: ClusterPortAllocator;
  readonly #processes: ClusterProcesses;
  /** Per cluster, the id of the restore under way in this process. */
  readonly #restoring = new Map<string, string>();
  /** Per cluster, the tail of its apply/restore/delete calls: a restore never stops processes an apply is starting. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Clusters whose replicas an earlier run of the platform may have left running were looked for once. */
  readonly #replicaOrphansChecked = new Set<string>();
  readonly #balancer: PlatformBalancer;
  readonly #membership: LocalEtcdMembership;
  readonly #shared: LocalSharedDatastores;
  /** Per cluster, the last move of its data this process carried out: reported once, by the next observation. */
  readonly #lastMove = new Map<string, NonNullable<ControlPlaneObservation["datastoreMoved"]>>();

  constructor(options: LocalDriverOptions) {
    const { nodeAddress } = options;
    // IPv4: an advertised address must be of the family of the Service range, which is IPv4 in every tenant.
    if (nodeAddress !== undefined && (isIP(nodeAddress) !== 4 || nodeAddress.startsWith("127."))) {
      throw new Error(`LocalDriverOptions.nodeAddress "${nodeAddress}" is not a non-loopback IPv4 address: give an address of this machine that machines' network namespaces reach (machineAddress() of @seedbed/node), or none`);
    }
    this.#options = options;
    this.#clustersDir = join(options.root, "clusters");
    this.#processes = new ClusterProcesses({ clustersDir: this.#clustersDir, ...(options.backoff === undefined ? {} : { backoff: options.backoff }), ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }) });
    const sharedDir = join(options.root, "shared-etcd");
    this.#ports = new ClusterPortAllocator(this.#clustersDir, undefined, [sharedDir]);
    this.#shared = new LocalSharedDatastores({ dir: sharedDir, ports: this.#ports, ...(options.unsafeNoFsync === undefined ? {} : { unsafeNoFsync: options.unsafeNoFsync }), ...(options.backoff === undefined ? {} : { backoff: options.backoff }), onEvent: (name, event) => options.onEvent?.(name, event), altNames: nodeAddress === undefined ? [] : [nodeAddress] });
    this.#balancer = new PlatformBalancer(options.root, { ...(options.backoff === undefined ? {} : { backoff: options.backoff }), onEvent: (event) => options.onEvent?.("balancer", event) });
    this.#membership = new LocalEtcdMembership(this.#ports);
  }

  /** A cluster's directory. */
  clusterDir(clusterId: string): string {
    if (!/^[a-z0-9][-a-z0-9.]*$/.test(clusterId)) throw new Error(`cluster id "${clusterId}" is not a safe directory name`);
    return join(this.#clustersDir, clusterId);
  }

  async apply(plan: ControlPlanePlan): Promise<ControlPlaneObservation> {
    return this.#exclusive(plan.clusterId, () => this.#apply(plan));
  }

  async #apply(plan: ControlPlanePlan): Promise<ControlPlaneObservation> {
    const dir = this.clusterDir(plan.clusterId);
    mkdirSync(join(dir, "logs"), { recursive: true, mode: 0o700 });
    const ports = await this.#ports.ports(dir);
    const endpoint = `https://127.0.0.1:${ports.apiServer}`;
    const sharedName = plan.controlPlane.sharedDatastore;
    const endpoints = { endpoint, ...(this.#options.nodeAddress === undefined ? {} : { nodeEndpoint: `https://${this.#options.nodeAddress}:${ports.apiServer}` }) };
    const waiting = this.#waitingForShared(sharedName);
    if (waiting !== undefined) return { ...endpoints, components: waiting };
    // Its data moves between an etcd of its own and the shared one first, with its writers stopped.
    const move = restoreHold(restoreFiles(dir)) === undefined ? plannedMove(dir, sharedName) : undefined;
    if (move !== undefined) await this.#move(plan, dir, ports, endpoint, move);
    const tenant = sharedName === undefined ? undefined : await this.#tenant(sharedName, plan.clusterId, dir);
    const { components, etcd, adminTLS, replicas } = await this.#components(plan, dir, ports, endpoint, tenant);
    const versions = componentVersionsOf(plan);
    const launcher = this.#processes.launcher(plan.clusterId, dir);
    // A restore holds the control plane stopped until its data is in place.
    const restoring = restoreHold(restoreFiles(dir));
    if (restoring !== undefined) {
      const stopped = (name: string): ComponentHealth => ({ name, running: false, ready: false, restarts: 0, message: `${name} is stopped while etcd is restored from a snapshot` });
      return { ...endpoints, restoring, components: components.map((c) => stopped(c.spec.name)) };
    }
    // Down to one API server: the balancer gives its port back before the server listens there itself.
    if (replicas === 1 && this.#balancer.serves(plan.clusterId)) await this.#balancer.remove(plan.clusterId);
    await this.#launchAll(dir, launcher, components, replicas, etcd);
    await this.#stopReplicasNotRendered(plan.clusterId, launcher, components);
    if (replicas > 1) {
      const apiServers = components.filter((c) => isAPIServerReplica(c.spec.name));
      await this.#balancer.serve(plan.clusterId, balancerRoute(dir, ports.apiServer, this.#options.nodeAddress, apiServers.map((c) => c.spec.name)));
      await this.#rollAPIServers(plan.clusterId, dir, launcher, apiServers, adminTLS);
    }
    if (plan.kwok !== true) await this.#processes.stopKwok(plan.clusterId, launcher);
    const versionOf = (name: string): string | undefined => (isAPIServerReplica(name) ? versions.apiServer : name.startsWith("kube-controller-manager") || name.startsWith("kube-scheduler") ? versions.controllers : undefined);
    const health = await Promise.all(components.map((c) => this.#health(c, launcher, adminTLS, versionOf(c.spec.name))));
    const moved = this.#lastMove.get(plan.clusterId);
    this.#lastMove.delete(plan.clusterId);
    const reported = { ...endpoints, ...(moved === undefined ? {} : { datastoreMoved: moved }) };
    return { ...reported, ...(await this.#etcdObservation(plan.clusterId, dir, { sharedName, etcd, health, launcher })) };
  }

  /** The components' health while the shared etcd a cluster is to use is not ready (the Seed's controller starts it); undefined once it is, or for a cluster with an etcd of its own. */
  #waitingForShared(sharedName: string | undefined): ComponentHealth[] | undefined {
    if (sharedName === undefined) return undefined;
    const shared = this.#shared.seen(sharedName);
    if (shared?.ready === true) return undefined;
    const message = `waiting for the shared etcd of seed ${sharedName}: ${shared?.message ?? "not started yet (the Seed's spec.sharedDatastore starts it)"}`;
    return ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((name) => ({ name, running: false, ready: false, restarts: 0, message }));
  }

  /** What the pass saw of etcd: the shared one's members and the tenant's usage, or its own members after this pass's membership step. */
  async #etcdObservation(clusterId: string, dir: string, pass: { sharedName: string | undefined; etcd: LocalMembers | undefined; health: ComponentHealth[]; launcher: SupervisingLauncher }): Promise<Omit<ControlPlaneObservation, "endpoint">> {
    const { sharedName, etcd, health, launcher } = pass;
    const shared = sharedName === undefined ? undefined : this.#shared.seen(sharedName);
    if (sharedName !== undefined && shared !== undefined) {
      const usage = await this.#shared.usage(sharedName, clusterId).catch(() => undefined);
      return { components: [...health, sharedEtcdHealth(sharedName, shared)], etcdMembers: shared.members, datastore: { shared: sharedName, members: shared.builtMembers, ...(usage === undefined ? {} : { usage: { keys: usage.keys, bytes: usage.bytes } }) } };
    }
    if (etcd === undefined) return { components: health };
    const membership = await this.#membership.step(dir, etcd, health, (name) => launcher.stop(name));
    return { components: health, etcdMembers: membership.members, ...(membership.message === undefined ? {} : { membership: membership.message }), ...(membership.quorumLost === undefined ? {} : { quorumLost: membership.quorumLost }) };
  }

  /**
   * Starts what is not running and replaces what changed, but for a member
   * whose data is lost (kept stopped until it is replaced) and API server
   * replicas behind the balancer (rolled one at a time, #rollAPIServers).
   */
  async #launchAll(dir: string, launcher: SupervisingLauncher, components: readonly RenderedComponent[], replicas: number, etcd: LocalMembers | undefined): Promise<void> {
    const lost = new Set(etcd?.lost ?? []);
    for (const component of components) {
      const name = component.spec.name;
      if (lost.has(name)) {
        if (launcher.component(name) !== undefined) await launcher.stop(name);
        continue;
      }
      if (launcher.restartPending(component.spec)) continue;
      if (replicas > 1 && isAPIServerReplica(name) && launcher.component(name) !== undefined) continue;
      const requiredPath = etcd?.requiredPaths.get(name);
      await launcher.launch(component.spec, join(dir, "logs", `${name}.log`), requiredPath === undefined ? {} : { requiredPath });
    }
  }

  /**
   * Replaces API server replicas whose rendering changed, one at a time:
   * drained at the balancer first (no new connection goes there), stopped,
   * started, and back once ready — the others serve meanwhile. A replica
   * that is not ready is replaced first; none while another is not ready.
   */
  async #rollAPIServers(clusterId: string, dir: string, launcher: SupervisingLauncher, apiServers: readonly RenderedComponent[], adminTLS: ProbeTLS): Promise<void> {
    const changed = apiServers.filter((c) => !isDeepStrictEqual(launcher.component(c.spec.name)?.spec, c.spec));
    // A replica left drained by an operator that died mid-roll takes connections again (the balancer's probes keep out one that is not ready).
    for (const c of apiServers.filter((a) => !changed.includes(a))) this.#balancer.drain(clusterId, c.spec.name, false);
    for (const component of changed) {
      const name = component.spec.name;
      const othersReady = await Promise.all(apiServers.filter((c) => c.spec.name !== name && !changed.includes(c)).map(async (c) => (await probe(c.health.url, probeTLS(c.health, adminTLS), 1000)) === 200));
      if (launcher.component(name) !== undefined && othersReady.includes(false)) return;
      this.#balancer.drain(clusterId, name, true);
      // The balancer reads the route within milliseconds; handshakes already under way there finish meanwhile.
      await sleep(drainGraceMs);
      await launcher.launch(component.spec, join(dir, "logs", `${name}.log`));
      await waitUntil(async () => (await probe(component.health.url, probeTLS(component.health, adminTLS), 1000)) === 200, replicaReadyTimeoutMs);
      this.#balancer.drain(clusterId, name, false);
    }
  }

  /** Stops replicas of a cluster that are no longer rendered (replicas scaled down), also those an earlier run of the platform started. */
  async #stopReplicasNotRendered(clusterId: string, launcher: SupervisingLauncher, components: readonly RenderedComponent[]): Promise<void> {
    const beyond = new Set(replicaNamesBeyond(new Set(components.map((c) => c.spec.name))));
    for (const name of beyond) {
      if (launcher.component(name) !== undefined) {
        this.#balancer.drain(clusterId, name, true);
        await sleep(drainGraceMs);
        await launcher.stop(name);
      }
    }
    if (this.#replicaOrphansChecked.has(clusterId)) return;
    this.#replicaOrphansChecked.add(clusterId);
    // Only a cluster that ever ran replicas (each left its log) can have one left: no /proc scan for the others.
    const logs = join(this.clusterDir(clusterId), "logs");
    if (!readdirSync(logs).some((file) => beyond.has(file.replace(/\.log$/, "")))) return;
    const prefix = this.#processes.markerPrefix(clusterId);
    for (const pid of findProcessesByMarker(prefix, { prefix: true })) {
      const name = readEnvironment(pid)?.get(processMarkerVariable)?.slice(prefix.length + 1) ?? "";
      if (beyond.has(name)) await ManagedProcess.adopt({ name, command: "", args: [] }, "/dev/null", pid).stop();
    }
  }

  /**
   * Stages the snapshot while the cluster runs, then (holding the cluster:
   * apply starts nothing) stops every process of the cluster, swaps the
   * restored data in for etcd's and records the restore. The next apply
   * starts the control plane on it. See etcd-restore.ts for the steps and
   * how an interrupted restore resumes.
   */
  async restoreEtcd(clusterId: string, request: EtcdRestoreRequest): Promise<void> {
    // One restore of a cluster at a time in this process: a second one's staging would empty the first's.
    const running = this.#restoring.get(clusterId);
    if (running !== undefined && running !== request.id) throw new Error(`another restore (${running}) of cluster ${clusterId} is under way; it must finish first`);
    this.#restoring.set(clusterId, request.id);
    try {
      await this.#restoreEtcd(clusterId, request);
    } finally {
      this.#restoring.delete(clusterId);
    }
  }

  async #restoreEtcd(clusterId: string, request: EtcdRestoreRequest): Promise<void> {
    const dir = this.clusterDir(clusterId);
    const files = restoreFiles(dir);
    if (restoreCompleted(files, request.id)) return;
    const held = restoreHold(files);
    if (held !== undefined && held !== request.id) throw new Error(`another restore (${held}) of cluster ${clusterId} holds its control plane; it must finish first`);
    if (held === undefined) {
      const port = this.#ports.recorded(dir)?.etcdPeer;
      if (port === undefined) throw new Error(`cluster ${clusterId} has no control plane on this machine to restore`);
      const dataDir = beginStaging(files);
      try {
        await request.stage({ dataDir, member: { name: "default", peerURL: `https://127.0.0.1:${port}` } });
      } catch (error) {
        abandonStaging(files);
        throw error;
      }
      holdForRestore(files, request.id);
    }
    await this.#exclusive(clusterId, async () => {
      await this.#processes.stopCluster(clusterId, dir);
      swapInRestoredData(files, request.id);
      // The snapshot is the first member's data alone: the others rejoin as new members.
      await this.#membership.resetAfterRestore(dir);
    });
  }

  /** Runs `work` after every earlier apply, restore step or delete of the cluster has finished. */
  #exclusive<T>(clusterId: string, work: () => Promise<T>): Promise<T> {
    const next = (this.#queues.get(clusterId) ?? Promise.resolve()).then(work);
    const tail = next.catch(() => undefined);
    this.#queues.set(clusterId, tail);
    void tail.then(() => {
      if (this.#queues.get(clusterId) === tail) this.#queues.delete(clusterId);
    });
    return next;
  }

  async delete(clusterId: string): Promise<boolean> {
    return this.#exclusive(clusterId, () => this.#delete(clusterId));
  }

  async #delete(clusterId: string): Promise<boolean> {
    const dir = this.clusterDir(clusterId);
    // Its data goes next: no orderly shutdown to wait for.
    await this.#processes.killCluster(clusterId, dir, deletionGraceMs);
    await this.#balancer.remove(clusterId);
    // Its keys, user and role in a shared etcd go with it (the user first: nothing writes behind the delete).
    const tenancy = readTenancy(dir);
    if (tenancy !== undefined) {
      await this.#shared.removeTenant(tenancy.shared, clusterId);
    }
    this.#ports.release(this.#ports.recorded(dir));
    rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** The cluster's etcd on its loopback client port, with the API server's etcd client certificate: nothing to open or close. */
  async connectEtcd(clusterId: string): Promise<EtcdConnection | undefined> {
    const dir = this.clusterDir(clusterId);
    // A tenant of a shared etcd has no etcd of its own to snapshot (its backups export its prefix).
    if (readTenancy(dir) !== undefined) return undefined;
    const endpoint = this.#membership.clientEndpoint(dir);
    if (endpoint === undefined) return undefined;
    const pki = pkiFiles(join(dir, "pki"));
    return Promise.resolve({ endpoint, caFile: pki.etcdCACert, certFile: pki.apiServerEtcdClientCert, keyFile: pki.apiServerEtcdClientKey, close: () => Promise.resolve() });
  }

  /** Loopback is on every certificate already; the node address, where machines reach the API, is added. */
  async certificateNames(): Promise<CertificateNames> {
    const { nodeAddress } = this.#options;
    // The loopback addresses API server replicas listen on behind the balancer: its health probes and the driver's reach them there.
    return Promise.resolve({ apiServer: [...apiServerReplicaAddresses, ...(nodeAddress === undefined ? [] : [nodeAddress])], etcd: [] });
  }

  /** Starts (or keeps) a seed's shared etcd and reports it; its tenants start once it is ready. */
  async applySharedDatastore(spec: SharedDatastoreSpec): Promise<SharedDatastoreObservation> {
    if (this.#processes.closed) throw new Error("the local hosting driver has been stopped");
    return this.#shared.apply(spec);
  }

  /** Removes a seed's shared etcd with all its data; the caller makes sure no cluster uses it any more. */
  async removeSharedDatastore(name: string): Promise<void> {
    await this.#shared.remove(name);
  }

  /** The seeds whose shared etcd this machine has. */
  sharedDatastores(): string[] {
    return this.#shared.list();
  }

  /** Seedbed's root access to a seed's shared etcd (per-tenant backups and restores). */
  sharedDatastoreAccess(name: string): SharedEtcdAccess {
    return this.#shared.rootAccess(name);
  }

  /** The seed whose shared etcd holds a cluster's data; undefined for a cluster with an etcd of its own. */
  sharedDatastoreOf(clusterId: string): string | undefined {
    return readTenancy(this.clusterDir(clusterId))?.shared;
  }

  /** An export of the cluster's prefix of its shared etcd (per-tenant backups); undefined for a cluster with an etcd of its own. */
  async exportSharedTenant(clusterId: string, file: string): Promise<TenantExport | undefined> {
    const seed = this.sharedDatastoreOf(clusterId);
    return seed === undefined ? undefined : exportTenantPrefix(this.#shared.rootAccess(seed), clusterId, file);
  }

  /** Puts a shared etcd tenant's keys back to an export, its processes held stopped meanwhile (shared-restore.ts); other tenants are untouched. */
  async restoreSharedTenant(clusterId: string, request: TenantRestoreRequest): Promise<TenantRestoreResult> {
    const dir = this.clusterDir(clusterId);
    const seed = readTenancy(dir)?.shared;
    if (seed === undefined) throw new Error(`cluster ${clusterId} keeps its data in an etcd of its own, not a shared one: restore it from a snapshot (restoreEtcd)`);
    // One restore of a cluster at a time in this process, as for restoreEtcd.
    const running = this.#restoring.get(clusterId);
    if (running !== undefined && running !== request.id) throw new Error(`another restore (${running}) of cluster ${clusterId} is under way; it must finish first`);
    this.#restoring.set(clusterId, request.id);
    try {
      return await restoreTenant({ clusterDir: dir, clusterId, seed, root: this.#shared.rootAccess(seed), exclusive: (work) => this.#exclusive(clusterId, work), stopAll: () => this.#processes.stopCluster(clusterId, dir) }, request);
    } finally {
      this.#restoring.delete(clusterId);
    }
  }

  async list(): Promise<string[]> {
    return Promise.resolve(existsSync(this.#clustersDir) ? readdirSync(this.#clustersDir) : []);
  }

  /** Stops every cluster's processes and keeps their files, as when the platform shuts down. */
  async stopAll(): Promise<void> {
    await this.#processes.stopAll();
    await this.#shared.stopAll();
    await this.#balancer.stop();
  }

  /** Stops supervising and leaves every process running for another driver to adopt (a hand-over, or what a crash leaves). */
  detachAll(): void {
    this.#processes.detachAll();
    this.#shared.detachAll();
    this.#balancer.detach();
  }

  /** The processes of the cluster for this plan, on its own etcd (its members as recorded) or on a shared one's tenant access. */
  async #components(plan: ControlPlanePlan, dir: string, ports: ControlPlanePorts, endpoint: string, tenant: SharedTenantAccess | undefined): Promise<{ components: RenderedComponent[]; etcd: LocalMembers | undefined; adminTLS: ProbeTLS; replicas: number }> {
    const { base, layout, adminTLS } = this.#render(plan, dir, ports, endpoint, tenant);
    const replicas = Math.min(plan.controlPlane.apiServerReplicas, this.capabilities.maxAPIServerReplicas);
    // A tenant of a shared etcd runs no etcd of its own.
    const etcd = tenant !== undefined ? undefined : await this.#membership.members(dir, Math.min(plan.controlPlane.etcdMembers, this.capabilities.maxEtcdMembers));
    const components = withStartChecksums(renderLocalTopology({
      base,
      apiServerReplicas: replicas,
      ...(tenant !== undefined ? { members: [], etcdServers: tenant.endpoints } : etcd === undefined ? {} : { members: etcd.run, etcdServers: etcd.voterURLs }),
      endpointPort: ports.apiServer,
      advertiseAddress: this.#options.nodeAddress ?? "127.0.0.1",
      workDir: layout.workDir,
    }));
    return { components, etcd, adminTLS, replicas };
  }

  /** Moves the cluster's data to the datastore the plan names (datastore-move.ts); its writers are started again by the rest of the pass. */
  async #move(plan: ControlPlanePlan, dir: string, ports: ControlPlanePorts, endpoint: string, direction: MoveDirection): Promise<void> {
    const id = plan.clusterId;
    const launcher = this.#processes.launcher(id, dir);
    const result = await moveDatastore(direction, {
      clusterDir: dir,
      clusterId: id,
      stopWriters: () => this.#processes.stopWriters(id, dir, writerStopGraceMs),
      stopAll: () => this.#processes.stopCluster(id, dir),
      startOwnEtcd: async () => {
        const { components, etcd } = await this.#components({ ...plan, controlPlane: { ...plan.controlPlane, etcdMembers: 1 } }, dir, ports, endpoint, undefined);
        const members = components.filter((c) => c.spec.name === "etcd" || c.spec.name.startsWith("etcd-"));
        for (const member of members) {
          const requiredPath = etcd?.requiredPaths.get(member.spec.name);
          await launcher.launch(member.spec, join(dir, "logs", `${member.spec.name}.log`), requiredPath === undefined ? {} : { requiredPath });
        }
        const pki = pkiFiles(join(dir, "pki"));
        const etcdEndpoint = this.#membership.clientEndpoint(dir) ?? "";
        // etcd's /health on its client port (a single member's usual check goes through kube-apiserver, stopped now).
        const tls = { ca: readFileSync(pki.etcdCACert, "utf8"), cert: readFileSync(pki.apiServerEtcdClientCert, "utf8"), key: readFileSync(pki.apiServerEtcdClientKey, "utf8") };
        if (!(await waitUntil(async () => (await probe(`${etcdEndpoint}/health`, tls, 1000)) === 200, 60_000))) throw new Error(`the etcd of cluster ${id} did not serve within 60 s while its data moved; see its log in ${join(dir, "logs")}`);
        return { endpoints: [etcdEndpoint], caFile: pki.etcdCACert, certFile: pki.apiServerEtcdClientCert, keyFile: pki.apiServerEtcdClientKey, timeoutMs: 30_000 };
      },
      sharedRoot: (name) => this.#shared.rootAccess(name),
      makeTenant: async (name) => {
        await this.#shared.tenant(name, id, join(dir, "shared-etcd"));
      },
      removeTenant: async (name) => {
        await this.#shared.removeTenant(name, id);
      },
      forgetOwnEtcd: () => this.#membership.forget(dir),
    });
    this.#lastMove.set(id, { ...result, to: direction.to });
  }

  /** A shared etcd's tenant: what it uses recorded first (a delete then knows what to remove), its user, role and certificate made. */
  async #tenant(name: string, clusterId: string, dir: string): Promise<SharedTenantAccess> {
    if (readTenancy(dir)?.shared !== name) recordTenancy(dir, { shared: name });
    return this.#shared.tenant(name, clusterId, join(dir, "shared-etcd"));
  }


  /** Writes the cluster's files (only those that changed) and renders its processes, one of each. */
  #render(plan: ControlPlanePlan, dir: string, ports: ControlPlanePorts, endpoint: string, tenant: SharedTenantAccess | undefined): { base: RenderedComponent[]; layout: ControlPlaneLayout; adminTLS: ProbeTLS } {
    const kwok = plan.kwok === true;
    // The authentication configuration sits beside the certificates: written
    // with them, and part of the checksum that restarts the processes.
    const files = plan.authenticationConfig === undefined ? plan.pki : new Map([...plan.pki, [authenticationConfigFile, plan.authenticationConfig]]);
    const versions = componentVersionsOf(plan);
    const { layout, adminTLS } = writeLocalLayout({ dir, clusterName: plan.clusterId, server: endpoint, pki: files, version: versions.apiServer, controllersVersion: versions.controllers, kwok });
    const authenticationFile = join(dir, "pki", authenticationConfigFile);
    const authentication: Record<string, string> = plan.authenticationConfig === undefined ? {} : { "authentication-config": authenticationFile };
    const base = renderControlPlane({
      layout,
      ports,
      serviceCIDR: plan.network.serviceCIDR,
      podCIDR: plan.network.podCIDR,
      dnsDomain: plan.network.dnsDomain,
      components: { controllerManager: true, scheduler: true, kwok },
      unsafeNoFsync: this.#options.unsafeNoFsync,
      // Tenants are small clusters: dozens share one machine.
      smallCluster: true,
      nodeAddress: this.#options.nodeAddress,
      apiServerExtraFlags: { ...plan.apiServerExtraFlags, ...authentication, ...tenant?.apiServerFlags },
      loadedAtStart: { kubeAPIServer: [...(plan.authenticationConfig === undefined ? [] : [authenticationFile]), ...(tenant === undefined ? [] : [tenant.caFile])] },
    });
    return { base, layout, adminTLS };
  }

  /** A component's health; `version` is the one its binary was planned at (the launcher replaces a process of another spec, so a ready one runs it). */
  async #health(component: RenderedComponent, launcher: SupervisingLauncher, adminTLS: ProbeTLS, version: string | undefined): Promise<ComponentHealth> {
    const name = component.spec.name;
    const supervised = launcher.component(name);
    const running = supervised?.process !== undefined;
    const status = running ? await probe(component.health.url, probeTLS(component.health, adminTLS), 1000) : undefined;
    // A replica still running what was rendered before (its turn in a roll has not come) is not ready on the new rendering:
    // a CA rotation's next step, or an upgrade's, must wait for it.
    const outdated = running && !isDeepStrictEqual(supervised.spec, component.spec);
    const ready = status === 200 && !outdated;
    const restarts = supervised?.restarts ?? 0;
    const message = ready ? undefined : outdated ? `${name} serves but waits for its turn to be replaced with a changed configuration` : running ? `${name} runs but ${component.health.url} answers ${status ?? "nothing"} yet` : `${name} is not running (restarted ${restarts} times; see its log)`;
    return { name, running, ready, serving: status === 200, restarts, message, ...(ready && version !== undefined ? { version } : {}) };
  }
}
