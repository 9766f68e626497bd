import { existsSync, readdirSync, rmSync } from "node:fs";
import { findProcessesByMarker, ManagedProcess, readCommandLine, SupervisedComponent, type ProcessSpec, type SupervisorEvent } from "@seedbed/controlplane";
import { agentFiles, agentMarker, agentMarkerPrefix } from "./names.ts";

/** Who an agent works for: what its command line says. */
export interface AgentTarget {
  readonly clusterUID: string;
  readonly namespace: string;
  readonly cluster: string;
}

/** How agents are run. */
export interface AgentProcessesOptions {
  readonly workDir: string;
  /** The agent's entry point (a .ts file node runs). */
  readonly script: string;
  /** Default: the node running the operator. */
  readonly node?: string;
  /** How long an agent has to exit after SIGTERM before SIGKILL (default 5 s). */
  readonly graceMs?: number;
  readonly onEvent?: (target: AgentTarget, event: SupervisorEvent) => void;
}

/**
 * The agent processes of one work directory, one per cluster (by uid):
 * each supervised (restarted with backoff when it exits), in a process
 * group of its own, found again by its marker after the operator restarts
 * (adopted, never started twice).
 */
export class AgentProcesses {
  readonly #options: AgentProcessesOptions;
  readonly #components = new Map<string, SupervisedComponent>();

  constructor(options: AgentProcessesOptions) {
    this.#options = options;
  }

  /** The process spec of a cluster's agent: the same inputs give the same command line, which adoption compares. Pure. */
  spec(target: AgentTarget): ProcessSpec {
    const files = agentFiles(this.#options.workDir, target.clusterUID);
    return {
      name: "seedbed-agent",
      command: this.#options.node ?? process.execPath,
      args: [
        this.#options.script,
        "--management-kubeconfig", files.managementKubeconfig,
        "--tenant-kubeconfig", files.tenantKubeconfig,
        "--namespace", target.namespace,
        "--cluster", target.cluster,
        "--marker", agentMarker(this.#options.workDir, target.clusterUID),
      ],
    };
  }

  /**
   * Makes sure the cluster's agent runs (adopting one an earlier operator
   * left); returns its pid, or undefined while one that exited waits out its
   * restart backoff (a pass must not cut that short).
   */
  async ensure(target: AgentTarget): Promise<number | undefined> {
    let component = this.#components.get(target.clusterUID);
    if (component === undefined) {
      const files = agentFiles(this.#options.workDir, target.clusterUID);
      component = new SupervisedComponent({
        spec: this.spec(target),
        logFile: files.log,
        cwd: files.dir,
        marker: agentMarker(this.#options.workDir, target.clusterUID),
        backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 60_000 },
        onEvent: (event) => this.#options.onEvent?.(target, event),
      });
      this.#components.set(target.clusterUID, component);
    }
    if (component.restartPending) return undefined;
    return (await component.ensureRunning()).pid;
  }

  /** The pid of the cluster's running agent, if this operator runs one. */
  pid(clusterUID: string): number | undefined {
    return this.#components.get(clusterUID)?.process?.pid;
  }

  /** How many agents run. */
  running(): number {
    let count = 0;
    for (const component of this.#components.values()) if (component.process !== undefined) count++;
    return count;
  }

  /** Stops the cluster's agent (SIGTERM, then SIGKILL), also one an earlier operator left and nobody adopted. */
  async stop(clusterUID: string): Promise<void> {
    const component = this.#components.get(clusterUID);
    this.#components.delete(clusterUID);
    const graceMs = this.#options.graceMs ?? 5000;
    if (component !== undefined) {
      await component.stop(graceMs);
      return;
    }
    for (const pid of findProcessesByMarker(agentMarker(this.#options.workDir, clusterUID))) await ManagedProcess.adopt({ name: "seedbed-agent", command: "", args: [] }, "/dev/null", pid).stop(graceMs);
  }

  /** Stops the cluster's agent and removes its files (credentials and log). */
  async remove(clusterUID: string): Promise<void> {
    await this.stop(clusterUID);
    rmSync(agentFiles(this.#options.workDir, clusterUID).dir, { recursive: true, force: true });
  }

  /** Whether the cluster's agent has files here (cheap: what tells a cluster that never had an agent, without a /proc scan). */
  hasFiles(clusterUID: string): boolean {
    return existsSync(agentFiles(this.#options.workDir, clusterUID).dir);
  }

  /**
   * Removes the agents of clusters that no longer exist, which an earlier
   * operator left: their processes (found by marker) and their files.
   * `exists` is asked again just before each removal.
   */
  async removeOrphans(exists: (clusterUID: string) => boolean): Promise<string[]> {
    const prefix = agentMarkerPrefix(this.#options.workDir);
    const uids = new Set<string>(existsSync(this.#options.workDir) ? readdirSync(this.#options.workDir) : []);
    for (const pid of findProcessesByMarker(prefix, { prefix: true })) {
      // Its marker is on its command line too (--marker), which the exported /proc helpers read.
      const args = readCommandLine(pid) ?? [];
      const marker = args[args.indexOf("--marker") + 1];
      if (marker?.startsWith(`${prefix}/`) === true) uids.add(marker.slice(prefix.length + 1));
    }
    const removed: string[] = [];
    for (const uid of uids) {
      if (uid === "" || uid.startsWith(".") || exists(uid)) continue;
      await this.remove(uid);
      removed.push(uid);
    }
    return removed;
  }

  /** Stops every agent this operator runs (the platform stops: no process is left). */
  async stopAll(): Promise<void> {
    const uids = [...this.#components.keys()];
    await Promise.all(uids.map((uid) => this.stop(uid)));
  }
}
