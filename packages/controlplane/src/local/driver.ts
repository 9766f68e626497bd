import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { authenticationConfigFile, componentVersionsOf, type CertificateNames, type EtcdConnection, type EtcdRestoreRequest, type ComponentHealth, type ControlPlaneObservation, type ControlPlanePlan, type DriverCapabilities, type HostingDriver } from "../driver.ts";
import { pkiFiles } from "../pki-layout.ts";
import { renderControlPlane, type ControlPlanePorts, type RenderedComponent } from "../render/control-plane.ts";
import { ClusterPortAllocator } from "./driver-ports.ts";
import { SupervisingLauncher } from "./launcher.ts";
import { beginStaging, holdForRestore, restoreCompleted, restoreFiles, restoreHold, swapInRestoredData, abandonStaging } from "./etcd-restore.ts";
import { writeLocalLayout } from "./layout.ts";
import { findProcessesByMarker } from "./proc.ts";
import { ManagedProcess } from "./process.ts";
import { probe, type ProbeTLS } from "./readiness.ts";
import { probeTLS } from "./start-components.ts";
import type { RestartBackoff, SupervisorEvent } from "./supervisor.ts";

/** A short digest of files' contents (missing files count as empty). */
function checksumOfFiles(paths: readonly string[]): string {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(`${path}\0${existsSync(path) ? readFileSync(path, "utf8") : ""}\0`);
  return hash.digest("hex").slice(0, 16);
}

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
   * One process of each component on loopback: no replicas, no Service (an
   * OwnPort endpoint is a loopback port, which NodePort, the default, stands
   * for), no source filter, and etcd's data in a directory of no set size.
   */
  readonly capabilities: DriverCapabilities = { maxAPIServerReplicas: 1, maxEtcdMembers: 1, sharedDatastore: false, serviceTypes: ["NodePort"], allowedSourceRanges: false, etcdStorageSize: false, backups: true };
  readonly #options: LocalDriverOptions;
  readonly #clustersDir: string;
  readonly #ports: ClusterPortAllocator;
  readonly #launchers = new Map<string, SupervisingLauncher>();
  #closed = false;
  readonly #kwokOrphansChecked = new Set<string>();
  /** Per cluster, the id of the restore under way in this process. */
  readonly #restoring = new Map<string, string>();
  /** Per cluster, the tail of its apply/restore/delete calls: a restore never stops processes an apply is starting. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: LocalDriverOptions) {
    const { nodeAddress } = options;
    // IPv4: an advertised address must be of the family of the Service range, which is IPv4 in every tenant.
    if (nodeAddress !== undefined && (isIP(nodeAddress) !== 4 || nodeAddress.startsWith("127."))) {
      throw new Error(`LocalDriverOptions.nodeAddress "${nodeAddress}" is not a non-loopback IPv4 address: give an address of this machine that machines' network namespaces reach (machineAddress() of @seedbed/node), or none`);
    }
    this.#options = options;
    this.#clustersDir = join(options.root, "clusters");
    this.#ports = new ClusterPortAllocator(this.#clustersDir);
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
    const { components, adminTLS } = this.#render(plan, dir, ports, endpoint);
    const versions = componentVersionsOf(plan);
    const launcher = this.#launcher(plan.clusterId, dir);
    const { nodeAddress } = this.#options;
    const endpoints = { endpoint, ...(nodeAddress === undefined ? {} : { nodeEndpoint: `https://${nodeAddress}:${ports.apiServer}` }) };
    // A restore holds the control plane stopped until its data is in place.
    const restoring = restoreHold(restoreFiles(dir));
    if (restoring !== undefined) {
      const stopped = (name: string): ComponentHealth => ({ name, running: false, ready: false, restarts: 0, message: `${name} is stopped while etcd is restored from a snapshot` });
      return { ...endpoints, restoring, components: components.map((c) => stopped(c.spec.name)) };
    }
    for (const component of components) {
      if (!launcher.restartPending(component.spec)) await launcher.launch(component.spec, join(dir, "logs", `${component.spec.name}.log`));
    }
    if (plan.kwok !== true) await this.#stopKwok(plan.clusterId, launcher);
    const versionOf: Readonly<Record<string, string>> = { "kube-apiserver": versions.apiServer, "kube-controller-manager": versions.controllers, "kube-scheduler": versions.controllers };
    const health = await Promise.all(components.map((c) => this.#health(c, launcher, adminTLS, versionOf[c.spec.name])));
    return { ...endpoints, components: health };
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
      await this.#stopCluster(clusterId, dir);
      swapInRestoredData(files, request.id);
    });
  }

  /** Stops every process of the cluster, this run's and any an earlier run left, last started first. */
  async #stopCluster(clusterId: string, dir: string): Promise<void> {
    const launcher = this.#launcher(clusterId, dir);
    for (const name of ["kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"]) await launcher.stop(name);
    for (const pid of findProcessesByMarker(this.#markerPrefix(clusterId), { prefix: true }).reverse()) {
      await ManagedProcess.adopt({ name: "orphan", command: "", args: [] }, "/dev/null", pid).stop();
    }
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
    const launcher = this.#launcher(clusterId, dir);
    // Its data goes next: no orderly shutdown to wait for.
    await launcher.killAll(deletionGraceMs);
    // Processes an earlier run started and this one never launched.
    const orphans = findProcessesByMarker(this.#markerPrefix(clusterId), { prefix: true });
    await Promise.all(orphans.map((pid) => ManagedProcess.adopt({ name: "orphan", command: "", args: [] }, "/dev/null", pid).stop(deletionGraceMs)));
    // Stopped launchers launch nothing more, so dropping this one leaves nothing running unseen.
    this.#launchers.delete(clusterId);
    this.#ports.release(this.#ports.recorded(dir));
    rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** The cluster's etcd on its loopback client port, with the API server's etcd client certificate: nothing to open or close. */
  async connectEtcd(clusterId: string): Promise<EtcdConnection | undefined> {
    const dir = this.clusterDir(clusterId);
    const port = this.#ports.recorded(dir)?.etcdClient;
    if (port === undefined) return undefined;
    const pki = pkiFiles(join(dir, "pki"));
    return Promise.resolve({ endpoint: `https://127.0.0.1:${port}`, caFile: pki.etcdCACert, certFile: pki.apiServerEtcdClientCert, keyFile: pki.apiServerEtcdClientKey, close: () => Promise.resolve() });
  }

  /** Loopback is on every certificate already; the node address, where machines reach the API, is added. */
  async certificateNames(): Promise<CertificateNames> {
    const { nodeAddress } = this.#options;
    return Promise.resolve({ apiServer: nodeAddress === undefined ? [] : [nodeAddress], etcd: [] });
  }

  async list(): Promise<string[]> {
    return Promise.resolve(existsSync(this.#clustersDir) ? readdirSync(this.#clustersDir) : []);
  }

  /** Stops every cluster's processes and keeps their files, as when the platform shuts down. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    for (const launcher of this.#launchers.values()) await launcher.stopAll();
    this.#launchers.clear();
  }

  /** Stops supervising and leaves every process running for another driver to adopt (a hand-over, or what a crash leaves). */
  detachAll(): void {
    this.#closed = true;
    for (const launcher of this.#launchers.values()) launcher.detachAll();
    this.#launchers.clear();
  }

  #markerPrefix(clusterId: string): string {
    return `seedbed:${this.#clustersDir}/${clusterId}`;
  }

  #launcher(clusterId: string, dir: string): SupervisingLauncher {
    // After shutdown nothing may start again: a reconcile still running would otherwise leave processes nobody stops.
    if (this.#closed) throw new Error("the local hosting driver has been stopped");
    let launcher = this.#launchers.get(clusterId);
    if (!launcher) {
      launcher = new SupervisingLauncher({
        cwd: dir,
        markerPrefix: this.#markerPrefix(clusterId),
        backoff: this.#options.backoff,
        onEvent: (event) => this.#options.onEvent?.(clusterId, event),
      });
      this.#launchers.set(clusterId, launcher);
    }
    return launcher;
  }

  /**
   * The last kwok node pool gone, its controller goes too — also one an
   * earlier run of the platform started (looked for once per cluster).
   */
  async #stopKwok(clusterId: string, launcher: SupervisingLauncher): Promise<void> {
    if (launcher.component("kwok") !== undefined) await launcher.stop("kwok");
    if (this.#kwokOrphansChecked.has(clusterId)) return;
    for (const pid of findProcessesByMarker(`${this.#markerPrefix(clusterId)}/kwok`)) {
      await ManagedProcess.adopt({ name: "kwok", command: "", args: [] }, "/dev/null", pid).stop();
    }
    this.#kwokOrphansChecked.add(clusterId);
  }

  /** Writes the cluster's files (only those that changed) and renders its processes. */
  #render(plan: ControlPlanePlan, dir: string, ports: ControlPlanePorts, endpoint: string): { components: RenderedComponent[]; adminTLS: ProbeTLS } {
    const kwok = plan.kwok === true;
    // The authentication configuration sits beside the certificates: written
    // with them, and part of the checksum that restarts the processes.
    const files = plan.authenticationConfig === undefined ? plan.pki : new Map([...plan.pki, [authenticationConfigFile, plan.authenticationConfig]]);
    const versions = componentVersionsOf(plan);
    const { layout, adminTLS } = writeLocalLayout({ dir, clusterName: plan.clusterId, server: endpoint, pki: files, version: versions.apiServer, controllersVersion: versions.controllers, kwok });
    const authenticationFile = join(dir, "pki", authenticationConfigFile);
    const authentication: Record<string, string> = plan.authenticationConfig === undefined ? {} : { "authentication-config": authenticationFile };
    const components = renderControlPlane({
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
      apiServerExtraFlags: { ...plan.apiServerExtraFlags, ...authentication },
      loadedAtStart: { kubeAPIServer: plan.authenticationConfig === undefined ? [] : [authenticationFile] },
    });
    // A checksum, in each process's environment, of the files it reads only
    // at start: when one of them changes the spec does, and the process is
    // replaced. Files it reloads itself (certificates renewed) restart nothing.
    const withChecksum = components.map((c) => ({ ...c, spec: { ...c.spec, env: { ...c.spec.env, SEEDBED_CONFIG_CHECKSUM: checksumOfFiles(c.loadedAtStart) } } }));
    return { components: withChecksum, adminTLS };
  }

  /** A component's health; `version` is the one its binary was planned at (the launcher replaces a process of another spec, so a ready one runs it). */
  async #health(component: RenderedComponent, launcher: SupervisingLauncher, adminTLS: ProbeTLS, version: string | undefined): Promise<ComponentHealth> {
    const name = component.spec.name;
    const supervised = launcher.component(name);
    const running = supervised?.process !== undefined;
    const status = running ? await probe(component.health.url, probeTLS(component.health, adminTLS), 1000) : undefined;
    const ready = status === 200;
    const restarts = supervised?.restarts ?? 0;
    const message = ready ? undefined : running ? `${name} runs but ${component.health.url} answers ${status ?? "nothing"} yet` : `${name} is not running (restarted ${restarts} times; see its log)`;
    return { name, running, ready, restarts, message, ...(ready && version !== undefined ? { version } : {}) };
  }
}
