import type { ChildProcess } from "node:child_process";

/** Stops a child process with SIGTERM, and SIGKILL once `graceMs` have passed without it exiting; resolves when it has exited. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 20_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(kill);
}
