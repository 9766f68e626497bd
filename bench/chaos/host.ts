// What the chaos benchmark sees of this machine: the tenant processes of a
// state directory (by their SEEDBED_PROCESS markers, as the local driver
// finds them), the loopback ports listened on, and the cluster directories
// with the ports each recorded.
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { findProcessesByMarker, processMarkerVariable } from "@seedbed/controlplane";

/** One tenant process: its cluster id and component, from its marker `seedbed:<state>/clusters/<id>/<component>`. */
export interface TenantProcess {
  readonly clusterId: string;
  readonly component: string;
  readonly pid: number;
}

/** Every process whose marker lies under `<stateDir>/clusters`. */
export function tenantProcesses(stateDir: string): TenantProcess[] {
  const prefix = `seedbed:${join(stateDir, "clusters")}`;
  const found: TenantProcess[] = [];
  for (const pid of findProcessesByMarker(prefix, { prefix: true })) {
    const marker = markerOf(pid);
    if (marker === undefined) continue; // gone meanwhile
    const [clusterId = "", component = ""] = marker.slice(prefix.length + 1).split("/");
    found.push({ clusterId, component, pid });
  }
  return found;
}

function markerOf(pid: number): string | undefined {
  try {
    const variable = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((v) => v.startsWith(`${processMarkerVariable}=`));
    return variable?.slice(processMarkerVariable.length + 1);
  } catch {
    return undefined;
  }
}

/** The cluster directories under the state directory, with the ports each recorded (ports.json), if any yet. */
export function clusterDirectories(stateDir: string): Map<string, number[]> {
  const dir = join(stateDir, "clusters");
  const found = new Map<string, number[]>();
  if (!existsSync(dir)) return found;
  for (const id of readdirSync(dir)) {
    let ports: number[] = [];
    try {
      ports = Object.values(JSON.parse(readFileSync(join(dir, id, "ports.json"), "utf8")) as Record<string, number>);
    } catch {
      // Not recorded yet, or being written: the next look finds them.
    }
    found.set(id, ports);
  }
  return found;
}

/** Listening TCP ports among `ports`, each with the pids holding its socket (found through /proc/<pid>/fd). */
export function listenersOn(ports: ReadonlySet<number>): Map<number, number[]> {
  const inodes = listeningSockets(ports);
  const owners = new Map<number, number[]>([...new Set(inodes.values())].map((port) => [port, []]));
  if (inodes.size === 0) return owners;
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    for (const target of socketLinks(pid)) {
      const port = inodes.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? "");
      if (port !== undefined && !owners.get(port)?.includes(pid)) owners.get(port)?.push(pid);
    }
  }
  return owners;
}

/** Socket inode → port of the listening TCP sockets (IPv4 and IPv6) on any of `ports`. */
function listeningSockets(ports: ReadonlySet<number>): Map<string, number> {
  const inodes = new Map<string, number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; field 9 the inode.
      const port = Number.parseInt(fields[1]?.split(":")[1] ?? "", 16);
      if (fields[3] === "0A" && ports.has(port)) inodes.set(fields[9] ?? "", port);
    }
  }
  return inodes;
}

/** Where a process's file descriptors point (empty when it is gone or not ours to read). */
function socketLinks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ""; // closed meanwhile
      }
    });
  } catch {
    return [];
  }
}

/** The SEEDBED_PROCESS marker of a process, if it has one. */
export function processMarker(pid: number): string | undefined {
  return markerOf(pid);
}

/** Pids of `seedbed operator` processes running on this state directory (by their command lines). */
export function operatorProcesses(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (args.includes("operator") && args.includes(`--state-dir=${stateDir}`)) pids.push(pid);
  }
  return pids;
}
