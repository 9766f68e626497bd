// Pods of a real node as the kernel sees them: the kubelet (cgroupfs
// driver) puts each pod's containers in cgroup <cgroupRoot>/kubepods/
// [burstable|besteffort/]pod<uid>/<container>, in every hierarchy. The
// processes there, their CPU time (cpuacct) and the cgroup's memory are what
// a pod costs the machine. Works with cgroup v1 (these machines) and v2.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const v1 = existsSync("/sys/fs/cgroup/memory/cgroup.procs");

/** The directory of a pod's cgroup in a hierarchy (v1: "memory", "cpuacct"; ignored on v2), or undefined while it has none. */
export function podCgroup(hierarchy: "memory" | "cpuacct", cgroupRoot: string, podUID: string): string | undefined {
  const root = join("/sys/fs/cgroup", v1 ? hierarchy : "", cgroupRoot, "kubepods");
  // The cgroupfs driver names it pod<uid>; the systemd driver would say pod<uid with _>.slice.
  const names = new Set([`pod${podUID}`, `kubepods-pod${podUID.replaceAll("-", "_")}.slice`]);
  const find = (dir: string, depth: number): string | undefined => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) if (entry.isDirectory() && names.has(entry.name)) return join(dir, entry.name);
    if (depth === 0) return undefined;
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const found = find(join(dir, entry.name), depth - 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(root, 2);
}

/** Every process in a cgroup and its children (the pause process and each container's). */
export function cgroupPids(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    try {
      pids.push(...readFileSync(join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number));
      for (const entry of readdirSync(d, { withFileTypes: true })) if (entry.isDirectory()) walk(join(d, entry.name));
    } catch {
      // gone while we looked
    }
  };
  walk(dir);
  return [...new Set(pids)];
}

/** CPU seconds the cgroup has used so far (0 when it is gone). */
export function cgroupCpuSeconds(dir: string): number {
  try {
    if (v1) return Number(readFileSync(join(dir, "cpuacct.usage"), "utf8")) / 1e9;
    const usec = /^usage_usec (\d+)/m.exec(readFileSync(join(dir, "cpu.stat"), "utf8"))?.[1];
    return Number(usec ?? 0) / 1e6;
  } catch {
    return 0;
  }
}

/**
 * The cgroup's working set in MiB — usage less inactive file pages, what the
 * kubelet compares with memory limits and eviction thresholds (page cache
 * of etcd's data and of the images included, unlike a process's PSS).
 */
export function cgroupWorkingSetMiB(dir: string): number {
  try {
    const stat = readFileSync(join(dir, "memory.stat"), "utf8");
    const field = (name: string): number => Number(new RegExp(`^${name} (\\d+)`, "m").exec(stat)?.[1] ?? 0);
    const usage = v1 ? Number(readFileSync(join(dir, "memory.usage_in_bytes"), "utf8")) : Number(readFileSync(join(dir, "memory.current"), "utf8"));
    const inactiveFile = v1 ? field("total_inactive_file") : field("inactive_file");
    return Math.max(0, usage - inactiveFile) / 1024 / 1024;
  } catch {
    return 0;
  }
}
