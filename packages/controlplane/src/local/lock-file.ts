import { readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * Creates a lock file holding this process's pid, exclusively; a lock whose
 * owner has died is taken over. Returns whether this process holds it now.
 * Shared by everything on this machine that hands out a scarce thing
 * (loopback ports, pod subnets) to several processes at once.
 */
export function takeLockFile(path: string): boolean {
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = Number(readFileSync(path, "utf8"));
  if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) return false;
  rmSync(path, { force: true });
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false; // another process took it over first
  }
}

/** Whether a process with this pid exists (signal 0; EPERM means it exists but is another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
