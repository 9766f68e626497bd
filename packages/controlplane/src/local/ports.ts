import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { takeLockFile } from "./lock-file.ts";

/**
 * Loopback ports handed out below the kernel's ephemeral range (32768+), so
 * outgoing connections never take them, and above well-known services.
 */
const firstPort = 20_000;
const lastPort = 32_000;

/** Where to look for ports and keep the locks. */
export interface ReserveOptions {
  /** Lock directory shared by every process that reserves ports. */
  readonly lockDir?: string;
  /** Inclusive range to pick from; defaults to 20000–32000. */
  readonly range?: readonly [number, number];
}

/** Ports reserved on this machine until released. */
export interface PortReservation {
  readonly ports: readonly number[];
  /** Lets other processes take these ports again. */
  readonly release: () => void;
}

/** Where reservations live: one lock file per port, shared by every process of this user. */
export function defaultPortLockDir(): string {
  return join(tmpdir(), `seedbed-ports-${process.getuid?.() ?? 0}`);
}

/**
 * Reserves `count` free loopback ports. A port counts as free when it can be
 * bound right now and no live process holds its lock file, so test files
 * running in parallel never receive the same port.
 */
export async function reservePorts(count: number, options: ReserveOptions = {}): Promise<PortReservation> {
  const lockDir = options.lockDir ?? defaultPortLockDir();
  const [low, high] = options.range ?? [firstPort, lastPort];
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const ports: number[] = [];
  const release = (): void => {
    for (const port of ports) rmSync(lockPath(lockDir, port), { force: true });
  };
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > 2000) throw new Error(`no free loopback port between ${low} and ${high} after ${attempt} tries`);
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (ports.includes(port) || !takeLockFile(lockPath(lockDir, port))) continue;
      if (await canBind(port)) ports.push(port);
      else rmSync(lockPath(lockDir, port), { force: true });
    }
  } catch (error) {
    release();
    throw error;
  }
  return { ports, release };
}

function lockPath(lockDir: string, port: number): string {
  return join(lockDir, `${port}.lock`);
}

/** True when 127.0.0.1:port can be listened on right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
