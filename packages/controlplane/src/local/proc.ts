import { readFileSync, readdirSync } from "node:fs";

/** The command line of a running process as its argv, or undefined when it is gone. */
export function readCommandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw.length === 0 ? undefined : raw.replace(/\0$/, "").split("\0");
  } catch {
    return undefined;
  }
}

/**
 * When the process started, in clock ticks since boot (field 22 of
 * /proc/<pid>/stat): with the pid, it tells a process apart from a later one
 * that happens to reuse the pid.
 */
export function readStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return afterName[19];
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists (zombies count as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The environment variable that tags every process Seedbed starts with its identity. */
export const processMarkerVariable = "SEEDBED_PROCESS";

/**
 * Pids of the processes tagged with this marker (their environment holds
 * SEEDBED_PROCESS=<marker>), oldest first. Found by scanning /proc, so a
 * process started just before a crash, before anything was written down, is
 * found as well. With `prefix`, every marker that starts with `marker/` matches.
 */
export function findProcessesByMarker(marker: string, options: { prefix?: boolean } = {}): number[] {
  const found: { pid: number; start: number }[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const value = readEnvironment(pid)?.get(processMarkerVariable);
    const matches = value !== undefined && (value === marker || (options.prefix === true && value.startsWith(`${marker}/`)));
    if (matches && isRunning(pid)) found.push({ pid, start: Number(readStartTime(pid) ?? 0) });
  }
  return found.sort((a, b) => a.start - b.start).map((p) => p.pid);
}

/** The environment of a running process, or undefined when it is gone or unreadable. */
export function readEnvironment(pid: number): Map<string, string> | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, "utf8");
    return new Map(raw.split("\0").filter((entry) => entry.includes("=")).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
  } catch {
    return undefined;
  }
}
