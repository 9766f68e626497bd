// Memory and CPU of processes, from /proc.
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** A field of /proc/<pid>/smaps_rollup in KiB (0 when the process is gone). */
function rollupKiB(pid: number, field: "Pss" | "Rss"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Proportional set size in MiB: each shared page counted once in all, split
 * among the processes that map it — so the one kube-apiserver binary that N
 * tenants map is not counted N times.
 */
export function pssMiB(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + rollupKiB(pid, "Pss"), 0) / 1024;
}

/** Resident set size in MiB (shared pages counted in every process). */
export function rssMiB(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + rollupKiB(pid, "Rss"), 0) / 1024;
}

/** User plus system CPU seconds a process has used so far (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** MemAvailable of this machine in MiB. */
export function availableMiB(): number {
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

/**
 * CPU used by groups of processes over a window, as percent of one core:
 * the difference of their CPU seconds before and after, over the window.
 */
export async function cpuPercentOver(groups: ReadonlyMap<string, readonly number[]>, seconds: number): Promise<Map<string, number>> {
  const sum = (pids: readonly number[]): number => pids.reduce((total, pid) => total + cpuSeconds(pid), 0);
  const before = new Map([...groups].map(([name, pids]) => [name, sum(pids)]));
  const began = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - began) / 1000;
  return new Map([...groups].map(([name, pids]) => [name, ((sum(pids) - (before.get(name) ?? 0)) / elapsed) * 100]));
}

/** Mean, min and max of some figures, rounded to one decimal. */
export function summary(values: readonly number[]): { mean: number; min: number; max: number } {
  const round = (x: number): number => Math.round(x * 10) / 10;
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return { mean: round(values.reduce((a, b) => a + b, 0) / values.length), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}
