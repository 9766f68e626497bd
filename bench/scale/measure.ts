// What the scale benchmark reads from /proc and the audit log.
import { existsSync, readFileSync } from "node:fs";

/** User + system CPU seconds of one process so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set size of one process so far, in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds of each seed component so far. */
export function seedCpuSeconds(pids: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...pids].map(([component, pid]) => [component, cpuSeconds(pid)]));
}

/** Audit events (one per finished request) in the log. */
export function auditEvents(path: string): { verb: string; resource: string; subresource?: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const event = JSON.parse(line) as { verb: string; objectRef?: { resource?: string; subresource?: string } };
      return { verb: event.verb, resource: event.objectRef?.resource ?? "", subresource: event.objectRef?.subresource };
    });
}

/** Requests per cluster by "verb resource[/subresource]", largest first. */
export function requestsByKind(events: ReturnType<typeof auditEvents>, clusters: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => [key, Number((n / clusters).toFixed(2))]));
}
