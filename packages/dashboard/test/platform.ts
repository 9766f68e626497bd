// `seedbed up` in a temporary SEEDBED_HOME, as a newcomer runs it, for the
// browser tests: started once per file, its banner read for the dashboard
// URL and the development users' passwords, stopped and removed at the end.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { binaryPath } from "@seedbed/binaries";
import { reservePorts, type PortReservation } from "@seedbed/controlplane";
import { loginWithPassword } from "@seedbed/identity/client";
import { processesMentioning } from "@seedbed/testing";
import { parseUpBanner } from "../../../tools/browser/up-banner.ts";

/** The CLI's entry point (run with this Node.js). */
export const cliScript = fileURLToPath(new URL("../../cli/src/bin/seedbed.ts", import.meta.url));

/** A running `seedbed up` and what its banner said. */
export interface Platform {
  readonly home: string;
  /** SEEDBED_HOME (and the reserved API port) for the CLI and kubectl's exec plugin. */
  readonly env: NodeJS.ProcessEnv;
  readonly dashboardURL: string;
  /** The REST API's origin, e.g. http://127.0.0.1:40123. */
  readonly apiURL: string;
  /** The admin kubeconfig of the management API. */
  readonly managementKubeconfig: string;
  readonly banner: string;
  password(user: string): string;
  /** Everything `seedbed up` printed so far (for failure messages). */
  output(): string;
  /** SIGTERM, waits for the exit, kills what is left under the home and removes it. */
  stop(): Promise<void>;
}

/** What a finished command printed. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const upTimeoutMs = 300_000;

/** Starts `seedbed up` in a new temporary home and resolves once its banner is out. */
export async function startPlatform(): Promise<Platform> {
  const home = mkdtempSync(join(tmpdir(), "seedbed-dashboard-test-"));
  const port = await reservePorts(1);
  const env: NodeJS.ProcessEnv = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]) };
  const child = spawn(process.execPath, [cliScript, "up"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const stop = (): Promise<void> => stopPlatform(child, home, port);
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`seedbed up was not up within ${upTimeoutMs} ms:\n${output}`)), upTimeoutMs);
      let seen = false;
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (seen || !output.includes("Seedbed is up")) return;
        seen = true;
        // The banner is one write; a moment more lets a pipe deliver all of it.
        setTimeout(() => {
          clearTimeout(timer);
          resolve(output.slice(output.indexOf("Seedbed is up")));
        }, 500);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`seedbed up exited with ${code} before it was up:\n${output}`));
      });
    });
    const parsed = parseUpBanner(banner);
    if (parsed.apiURL === undefined) throw new Error(`seedbed up's banner names no REST API:\n${banner}`);
    const { dashboardURL } = parsed;
    return {
      home,
      env,
      // Checked on use, so the platform's own parts stay usable (and cleaned up) without one.
      get dashboardURL(): string {
        if (dashboardURL === undefined) throw new Error(`seedbed up's banner names no dashboard (a line "Dashboard  http://…/"); it printed:\n${banner.split("\n").filter((line) => !line.includes("password")).join("\n")}`);
        return dashboardURL;
      },
      apiURL: parsed.apiURL,
      managementKubeconfig: join(home, "management.kubeconfig"),
      banner,
      password: (user) => {
        const password = parsed.passwords.get(user);
        if (password === undefined) throw new Error(`seedbed up's banner prints no password for ${user}; it names ${[...parsed.passwords.keys()].join(", ")}`);
        return password;
      },
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopPlatform(child: ChildProcess, home: string, port: PortReservation): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    // seedbed up stops its clusters and services first; a hung one is killed below.
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 120_000).unref())]);
  }
  for (const leftover of processesMentioning(home)) {
    try {
      process.kill(leftover.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  rmSync(home, { recursive: true, force: true });
  port.release();
}

/** The pinned kubectl with `kubeconfig`, in the platform's environment (the exec plugin reads SEEDBED_HOME). */
export function kubectl(platform: Platform, kubeconfig: string, ...args: string[]): CommandResult {
  return spawnSync(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], { env: { ...process.env, ...platform.env }, encoding: "utf8", timeout: 60_000 });
}

/** The seedbed CLI in the platform's environment. */
export function seedbed(platform: Platform, ...args: string[]): CommandResult {
  return spawnSync(process.execPath, [cliScript, ...args], { env: { ...process.env, ...platform.env }, encoding: "utf8", timeout: 120_000 });
}

/** An ID token of `user` from the platform's issuer: the bearer of the REST API, for calls the test makes itself. */
export async function idTokenOf(platform: Platform, user: string): Promise<string> {
  const file = JSON.parse(readFileSync(join(platform.home, "platform.json"), "utf8")) as { issuerURL: string; issuerCA?: string; clientID: string };
  const tokens = await loginWithPassword({ issuerURL: file.issuerURL, clientID: file.clientID, caPEM: file.issuerCA ?? "", username: user, password: platform.password(user) });
  return tokens.idToken;
}
