import { ManagedProcess } from "./process.ts";
import { findProcessesByMarker, processMarkerVariable, readEnvironment } from "./proc.ts";
import { SupervisingLauncher } from "./launcher.ts";
import type { RestartBackoff, SupervisorEvent } from "./supervisor.ts";

/** What ClusterProcesses needs. */
export interface ClusterProcessesOptions {
  /** <root>/clusters: the markers of a cluster's processes start with seedbed:<clustersDir>/<id>. */
  readonly clustersDir: string;
  readonly backoff?: RestartBackoff;
  readonly onEvent?: (clusterId: string, event: SupervisorEvent) => void;
}

/** Whether a process name is one of a cluster's etcd members ("etcd", "etcd-<member>"). */
function isEtcd(name: string): boolean {
  return name === "etcd" || name.startsWith("etcd-");
}

/**
 * The supervised processes of each local cluster: one launcher per
 * cluster, and the ways to stop them — also those an earlier run of the
 * platform started and this one never launched (found by their marker).
 * Once closed (the platform stops), nothing starts again.
 */
export class ClusterProcesses {
  readonly #o: ClusterProcessesOptions;
  readonly #launchers = new Map<string, SupervisingLauncher>();
  readonly #kwokOrphansChecked = new Set<string>();
  #closed = false;

  constructor(options: ClusterProcessesOptions) {
    this.#o = options;
  }

  /** Whether the driver has been stopped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The prefix of the markers of every process of a cluster. */
  markerPrefix(clusterId: string): string {
    return `seedbed:${this.#o.clustersDir}/${clusterId}`;
  }

  /** The launcher of a cluster, made on first use. */
  launcher(clusterId: string, dir: string): SupervisingLauncher {
    // After shutdown nothing may start again: a reconcile still running would otherwise leave processes nobody stops.
    if (this.#closed) throw new Error("the local hosting driver has been stopped");
    let launcher = this.#launchers.get(clusterId);
    if (!launcher) {
      launcher = new SupervisingLauncher({ cwd: dir, markerPrefix: this.markerPrefix(clusterId), ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }), onEvent: (event) => this.#o.onEvent?.(clusterId, event) });
      this.#launchers.set(clusterId, launcher);
    }
    return launcher;
  }

  /** Stops every process of the cluster, this run's and any an earlier run left, last started first. */
  async stopCluster(clusterId: string, dir: string): Promise<void> {
    const launcher = this.launcher(clusterId, dir);
    for (const name of launcher.names().reverse()) await launcher.stop(name);
    for (const pid of findProcessesByMarker(this.markerPrefix(clusterId), { prefix: true }).reverse()) {
      await ManagedProcess.adopt({ name: "orphan", command: "", args: [] }, "/dev/null", pid).stop();
    }
  }

  /** Stops every process of the cluster but its etcd members, all at once, each with `graceMs` to exit: nothing writes to etcd any more. */
  async stopWriters(clusterId: string, dir: string, graceMs: number): Promise<void> {
    const launcher = this.launcher(clusterId, dir);
    await Promise.all(launcher.names().filter((name) => !isEtcd(name)).map((name) => launcher.stop(name, graceMs)));
    const prefix = this.markerPrefix(clusterId);
    const orphans = findProcessesByMarker(prefix, { prefix: true }).filter((pid) => !isEtcd(readEnvironment(pid)?.get(processMarkerVariable)?.slice(prefix.length + 1) ?? "etcd"));
    await Promise.all(orphans.map((pid) => ManagedProcess.adopt({ name: "orphan", command: "", args: [] }, "/dev/null", pid).stop(graceMs)));
  }

  /**
   * The last kwok node pool gone, its controller goes too — also one an
   * earlier run of the platform started (looked for once per cluster).
   */
  async stopKwok(clusterId: string, launcher: SupervisingLauncher): Promise<void> {
    if (launcher.component("kwok") !== undefined) await launcher.stop("kwok");
    if (this.#kwokOrphansChecked.has(clusterId)) return;
    for (const pid of findProcessesByMarker(`${this.markerPrefix(clusterId)}/kwok`)) {
      await ManagedProcess.adopt({ name: "kwok", command: "", args: [] }, "/dev/null", pid).stop();
    }
    this.#kwokOrphansChecked.add(clusterId);
  }

  /** Kills every process of a cluster whose data goes next (no orderly shutdown), with `graceMs` to exit, and forgets its launcher. */
  async killCluster(clusterId: string, dir: string, graceMs: number): Promise<void> {
    await this.launcher(clusterId, dir).killAll(graceMs);
    // Processes an earlier run started and this one never launched.
    const orphans = findProcessesByMarker(this.markerPrefix(clusterId), { prefix: true });
    await Promise.all(orphans.map((pid) => ManagedProcess.adopt({ name: "orphan", command: "", args: [] }, "/dev/null", pid).stop(graceMs)));
    // Stopped launchers launch nothing more, so dropping this one leaves nothing running unseen.
    this.#launchers.delete(clusterId);
  }

  /** Stops every cluster's processes (the platform shuts down). */
  async stopAll(): Promise<void> {
    this.#closed = true;
    for (const launcher of this.#launchers.values()) await launcher.stopAll();
    this.#launchers.clear();
  }

  /** Stops supervising and leaves every process running for another driver to adopt. */
  detachAll(): void {
    this.#closed = true;
    for (const launcher of this.#launchers.values()) launcher.detachAll();
    this.#launchers.clear();
  }
}
