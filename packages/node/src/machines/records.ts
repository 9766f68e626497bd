import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

/** What the provider knows of a machine: written once, before its agent starts. */
export interface MachineRecord {
  readonly name: string;
  readonly pool: { readonly namespace: string; readonly name: string; readonly clusterId: string };
  readonly kubernetesVersion: string;
  readonly createdAt: string;
}

/** What the machine's agent reports: Joining until the kubelet has joined, then Running; Failed with the reason. */
export interface MachineState {
  readonly phase: "Joining" | "Running" | "Failed";
  readonly message?: string;
  /** The machine's address (its InternalIP). */
  readonly address?: string;
  /** The agent's pid. */
  readonly pid: number;
  /**
   * The machine's containerd once Running (the agent has exited then): the
   * machine lives as long as this process does. Its start time tells it
   * from a later process that reuses the pid.
   */
  readonly containerd?: { readonly pid: number; readonly startTime: string };
}

/** The files of one machine's directory. */
export const machineFiles = {
  record: "machine.json",
  userData: "user-data",
  state: "state.json",
  log: "agent.log",
  /** The machine's root: write_files land under it. */
  root: "root",
  /** Names startRealNode's directory (containerd, the kubelet, logs), which lies under the temporary directory. */
  nodeDir: "node-dir",
} as const;

/** The node directories of machines start with this (other nodes' sweeps leave them alone: their agents clear them). */
export const machineNodeDirPrefix = "seedbed-machine-";

/** The node directory a machine's agent made, once it made one. */
export function readNodeDir(dir: string): string | undefined {
  try {
    const nodeDir = readFileSync(join(dir, machineFiles.nodeDir), "utf8").trim();
    return nodeDir === "" ? undefined : nodeDir;
  } catch {
    return undefined;
  }
}

/** Reads a machine's record; undefined while it is being made. */
export function readMachineRecord(dir: string): MachineRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, machineFiles.record), "utf8")) as MachineRecord;
  } catch {
    return undefined;
  }
}

/** The agent's last report, if any. */
export function readMachineState(dir: string): MachineState | undefined {
  const file = join(dir, machineFiles.state);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as MachineState;
  } catch {
    return undefined;
  }
}

/** Replaces the agent's report in one step (a reader never sees half a file). */
export function writeMachineState(dir: string, state: MachineState): void {
  const file = join(dir, machineFiles.state);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}
