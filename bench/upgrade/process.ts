// What the upgrade benchmark reads of the operator process beyond
// bench/scale/measure.ts: its current RSS, and a reset of its peak so that
// the peak covers the plan alone, not the creation of the fleet before it.
import { readFileSync, writeFileSync } from "node:fs";

/** Resident set size of one process now, in MiB (0 once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Sets a process's peak RSS (VmHWM) back to its current RSS by writing 5
 * to /proc/PID/clear_refs (Linux 4.0 and later; our own child, so allowed).
 * False when the kernel refused: the peak then covers the process's life.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${String(pid)}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
