import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { findProcessesByMarker, isProcessAlive, isRunning, processMarkerVariable, readStartTime } from "@seedbed/controlplane";
import type { Machine, MachineProvider, MachineRequest, PoolRef } from "@seedbed/providers";
import { clearAbandonedNode } from "../teardown.ts";
import { machineFiles, readMachineRecord, readMachineState, readNodeDir, type MachineRecord, type MachineState } from "./records.ts";

/** The agent each machine runs as (agent.ts beside this file). */
const agentScript = fileURLToPath(new URL("./agent.ts", import.meta.url));

/** How long a machine's agent gets to remove the machine after SIGTERM before it is killed and cleared from outside. */
const stopGraceMs = 90_000;

/**
 * Machines that are real kubelets on this machine (packages/node): each
 * one a detached agent process (agent.ts) that carries out the user data
 * the cloud providers send. The provider keeps no state in memory: every
 * machine is a directory `<root>/<cluster id>/<machine>/` with its record
 * (pool, version, creation time), user data and the agent's report, so
 * after an operator crash `list` finds every machine, and an agent is found
 * again by its process marker. A directory appears whole (renamed into
 * place) before its agent starts; one whose agent never started (a crash
 * in between) is started by the next `create` or `list`.
 */
export class LocalMachineProvider implements MachineProvider {
  readonly type = "local";
  readonly #root: string;

  /** `root` is the provider's directory, e.g. <state dir>/machines. */
  constructor(root: string) {
    this.#root = root;
  }

  async create(request: MachineRequest): Promise<Machine> {
    const dir = this.#machineDir(request.pool.clusterId, request.name);
    if (!existsSync(dir)) {
      const staging = `${dir}.new`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true, mode: 0o700 });
      const record: MachineRecord = { name: request.name, pool: { ...request.pool }, kubernetesVersion: request.kubernetesVersion, createdAt: new Date().toISOString() };
      // The user data holds the bootstrap token: only root reads it.
      writeFileSync(join(staging, machineFiles.userData), request.userData, { mode: 0o600 });
      writeFileSync(join(staging, machineFiles.record), JSON.stringify(record));
      renameSync(staging, dir);
    }
    this.#ensureAgent(dir);
    return this.#machine(dir) ?? Promise.reject(new Error(`machine ${request.name} has no record in ${dir}`));
  }

  async delete(pool: PoolRef, machine: Machine): Promise<void> {
    const dir = this.#machineDir(pool.clusterId, machine.name);
    if (!existsSync(dir)) return;
    const agents = findProcessesByMarker(marker(dir));
    for (const pid of agents) process.kill(pid, "SIGTERM");
    const deadline = Date.now() + stopGraceMs;
    while (agents.some(isProcessAlive) && Date.now() < deadline) await sleep(200);
    for (const pid of agents.filter(isProcessAlive)) process.kill(pid, "SIGKILL");
    // What an agent that died (or was killed) left: processes, namespace, cgroups, mounts.
    const nodeDir = readNodeDir(dir);
    // Its agent is gone by now (exited once the machine joined, stopped, or killed above).
    if (nodeDir !== undefined) await clearAbandonedNode(nodeDir, { ownerGone: true });
    rmSync(dir, { recursive: true, force: true });
  }

  async list(pool: PoolRef): Promise<Machine[]> {
    const clusterDir = join(this.#root, pool.clusterId);
    if (!existsSync(clusterDir)) return [];
    const machines: Machine[] = [];
    for (const name of readdirSync(clusterDir)) {
      // Staged by a create that crashed before renaming it: never a machine, no agent ran for it.
      if (name.endsWith(".new")) {
        rmSync(join(clusterDir, name), { recursive: true, force: true });
        continue;
      }
      const dir = join(clusterDir, name);
      const record = readMachineRecord(dir);
      if (record?.pool.name !== pool.name) continue;
      this.#ensureAgent(dir);
      const machine = this.#machine(dir);
      if (machine) machines.push(machine);
    }
    return Promise.resolve(machines);
  }

  /** Removes every machine of every cluster, as a platform torn down for good does (tests). */
  async deleteAll(): Promise<void> {
    if (!existsSync(this.#root)) return;
    for (const clusterId of readdirSync(this.#root)) {
      for (const name of readdirSync(join(this.#root, clusterId))) {
        const record = readMachineRecord(join(this.#root, clusterId, name));
        if (record === undefined) rmSync(join(this.#root, clusterId, name), { recursive: true, force: true });
        else await this.delete(record.pool, { name: record.name, nodeName: record.name, providerID: "", phase: "Running", createdAt: record.createdAt });
      }
    }
  }

  #machineDir(clusterId: string, name: string): string {
    for (const part of [clusterId, name]) if (!/^[a-z0-9][-a-z0-9.]*$/.test(part)) throw new Error(`"${part}" is not a safe machine directory name`);
    return join(this.#root, clusterId, name);
  }

  /** Starts the agent of a machine that never had one; an agent that ran and exited stays gone (the machine failed). */
  #ensureAgent(dir: string): void {
    if (readMachineState(dir) !== undefined || findProcessesByMarker(marker(dir)).length > 0) return;
    const log = openSync(join(dir, machineFiles.log), "a", 0o600);
    try {
      const child = spawn(process.execPath, [agentScript, dir], {
        cwd: dir,
        detached: true,
        stdio: ["ignore", log, log],
        env: { ...process.env, [processMarkerVariable]: marker(dir) },
      });
      child.unref();
    } finally {
      closeSync(log);
    }
  }

  #machine(dir: string): Machine | undefined {
    const record = readMachineRecord(dir);
    if (record === undefined) return undefined;
    const { phase, message } = machinePhase(readMachineState(dir), findProcessesByMarker(marker(dir)).length > 0, (pid, startTime) => isRunning(pid) && readStartTime(pid) === startTime);
    return { name: record.name, nodeName: record.name, providerID: `local://${record.pool.clusterId}/${record.name}`, phase, createdAt: record.createdAt, ...(message === undefined ? {} : { message }) };
  }
}

/**
 * A machine's phase from its agent's report: Pending while the agent joins
 * it, Running once joined while its containerd lives (the agent has exited
 * then; a kubelet that died leaves the machine Running and its Node
 * NotReady, for auto-healing to judge), Failed with the reason otherwise.
 */
export function machinePhase(state: MachineState | undefined, agentAlive: boolean, processAlive: (pid: number, startTime: string) => boolean): { phase: Machine["phase"]; message?: string } {
  if (state?.phase === "Running") {
    const containerd = state.containerd;
    if (containerd === undefined || processAlive(containerd.pid, containerd.startTime)) return { phase: "Running" };
    return { phase: "Failed", message: "the machine's containerd is gone (the machine stopped or crashed)" };
  }
  if (agentAlive || state === undefined) return { phase: "Pending" };
  if (state.phase === "Failed") return { phase: "Failed", ...(state.message === undefined ? {} : { message: state.message }) };
  return { phase: "Failed", message: "its agent exited before the machine joined; see agent.log in the machine's directory" };
}

/** The process marker of a machine's agent. */
function marker(dir: string): string {
  return `seedbed-machine:${dir}`;
}
