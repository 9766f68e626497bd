import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Owns $SEEDBED_HOME/seedbed.pid, so that two platforms never run on one state directory. */
export function claimPidFile(home: string): () => void {
  const file = join(home, "seedbed.pid");
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number(readFileSync(file, "utf8"));
    if (owner !== process.pid && isAlive(owner)) {
      throw new Error(`Seedbed is already running on ${home} (pid ${owner}). Stop it with Ctrl-C in its terminal, or: kill ${owner}`);
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
