import { readFileSync, readdirSync } from "node:fs";

/** A process found on this machine. */
export interface FoundProcess {
  readonly pid: number;
  readonly commandLine: string;
}

/**
 * Every process whose command line contains `text` (typically a test's
 * temporary directory): what a test asserts to be empty after cleanup.
 * Reads /proc, so it sees processes of any parent, orphans included.
 */
export function processesMentioning(text: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
      continue; // exited while we looked
    }
    if (commandLine.includes(text)) found.push({ pid, commandLine });
  }
  return found;
}
