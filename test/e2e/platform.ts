import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { newClusterId } from "@seedbed/api";
import type { PortReservation } from "@seedbed/controlplane";
import { processesMentioning } from "@seedbed/testing";

const cli = new URL("../../packages/cli/src/bin/seedbed.ts", import.meta.url).pathname;

/** A `seedbed up` running as its own process, the way a user runs it. */
export interface RunningPlatform {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `seedbed up` (with `args`, e.g. --seed kubernetes) and resolves once it says it is up. */
export async function startPlatform(env: NodeJS.ProcessEnv, args: readonly string[] = []): Promise<RunningPlatform> {
  const child = spawn(process.execPath, [cli, "up", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("Seedbed is up")) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`seedbed up exited with ${code} before it was up:\n${output}`)));
  });
  return { child, output: () => output, exited };
}

/** Stops `seedbed up` (SIGTERM), kills anything of the state directory still running, and removes it and the port reservation. */
export async function stopPlatform(platform: RunningPlatform | undefined, home: string, port: PortReservation): Promise<void> {
  platform?.child.kill("SIGTERM");
  await platform?.exited;
  for (const proc of processesMentioning(home)) process.kill(proc.pid, "SIGKILL");
  rmSync(home, { recursive: true, force: true });
  port.release();
}

/** Runs the seedbed CLI and returns what it printed and its exit code. */
export function seedbed(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 180_000 });
}

/** Runs seedbed asynchronously (for commands that should run side by side). */
export function seedbedAsync(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the pinned kubectl. */
export function kubectl(kubeconfig: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
}

/** Where a cluster's files live under the state directory. */
export function clusterDir(home: string, project: string, cluster: string): string {
  return join(home, "clusters", newClusterId(`project-${project}`, cluster));
}
