// What the nodes benchmark reads of the local provider's machines: their
// records on disk and their processes in /proc. A machine is the directory
// <state dir>/machines/<cluster id>/<machine>/ (packages/node/src/machines).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { processesMentioning } from "@seedbed/node";

/** One local machine as its directory tells it. */
export interface LocalMachine {
  readonly name: string;
  readonly dir: string;
  /** When the provider made its directory (ms since the epoch). */
  readonly createdAtMs: number;
  /** Its agent's pid, once the agent reported. */
  readonly agentPid?: number;
  /** Its node directory (containerd, kubelet), once the agent made one. */
  readonly nodeDir?: string;
}

/** The machines of a cluster (none when its directory is gone). */
export function localMachines(machinesDir: string, clusterId: string): LocalMachine[] {
  const clusterDir = join(machinesDir, clusterId);
  if (!existsSync(clusterDir)) return [];
  return readdirSync(clusterDir).map((name) => {
    const dir = join(clusterDir, name);
    const record = readJSON(join(dir, "machine.json")) as { createdAt?: string } | undefined;
    const state = readJSON(join(dir, "state.json")) as { pid?: number } | undefined;
    const nodeDir = readText(join(dir, "node-dir"));
    return { name, dir, createdAtMs: Date.parse(record?.createdAt ?? ""), ...(state?.pid === undefined ? {} : { agentPid: state.pid }), ...(nodeDir === undefined ? {} : { nodeDir }) };
  });
}

/**
 * Every process of a machine: its agent, whatever names its node directory
 * (containerd, kubelet, kube-proxy, the shims, which re-parent themselves
 * away from containerd) and their descendants (the pause processes and
 * containers, whose command lines name nothing of the machine).
 */
export function machineProcesses(machine: LocalMachine): number[] {
  const roots = [...(machine.agentPid === undefined ? [] : [machine.agentPid]), ...(machine.nodeDir === undefined ? [] : processesMentioning(machine.nodeDir).map((p) => p.pid))];
  return withDescendants(roots, parentsOfAll());
}

/** `roots` and every process below them, each once, given each process's parent. */
export function withDescendants(roots: readonly number[], parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const found = new Set<number>();
  const pending = [...roots];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    if (found.has(pid)) continue;
    found.add(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return [...found].sort((a, b) => a - b);
}

/** What a process of a machine is: "agent", else the file name it runs (kubelet-v1.37.1, containerd, …; "?" when it is gone). */
export function processName(machine: LocalMachine, pid: number): string {
  if (pid === machine.agentPid) return "agent";
  const program = readText(`/proc/${pid}/cmdline`)?.split("\0")[0];
  return program?.slice(program.lastIndexOf("/") + 1) ?? "?";
}

/** Each running process's parent, from /proc/<pid>/stat. */
function parentsOfAll(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (stat === undefined) continue;
    // After the command name (which may hold spaces and parentheses): state, then ppid.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isInteger(parent)) parents.set(pid, parent);
  }
  return parents;
}

function readText(path: string): string | undefined {
  try {
    const text = readFileSync(path, "utf8").trim();
    return text === "" ? undefined : text;
  } catch {
    return undefined; // not there yet, or the process exited
  }
}

function readJSON(path: string): unknown {
  const text = readText(path);
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined; // being replaced
  }
}
