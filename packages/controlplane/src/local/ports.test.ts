import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canBind, reservePorts } from "./ports.ts";

describe("reservePorts", () => {
  const dirs: string[] = [];
  const lockDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-ports-test-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("never hands the same port to two holders", async () => {
    const dir = lockDir();
    const reservations = await Promise.all(Array.from({ length: 20 }, () => reservePorts(5, { lockDir: dir })));
    const all = reservations.flatMap((r) => r.ports);
    expect(new Set(all).size).toBe(100);
    expect(readdirSync(dir)).toHaveLength(100);
    for (const r of reservations) r.release();
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it("refuses a port held by a live process", async () => {
    const dir = lockDir();
    const held = await reservePorts(1, { lockDir: dir });
    const port = held.ports[0] ?? 0;
    await expect(reservePorts(1, { lockDir: dir, range: [port, port] })).rejects.toThrow(/no free loopback port/);
    held.release();
  });

  it("skips a port someone is listening on", async () => {
    const dir = lockDir();
    const { ports, release } = await reservePorts(1, { lockDir: dir });
    const port = ports[0] ?? 0;
    release();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      expect(await canBind(port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await canBind(port)).toBe(true);
  });

  it("takes over the lock of a process that has died", async () => {
    const dir = lockDir();
    const { ports, release } = await reservePorts(1, { lockDir: dir });
    const port = ports[0] ?? 0;
    release();
    // No process has pid 2^22+1 (above pid_max's default), so this lock is stale.
    writeFileSync(join(dir, `${port}.lock`), String(4_194_305));
    const again = await reservePorts(1, { lockDir: dir, range: [port, port] });
    expect(again.ports).toEqual([port]);
    expect(readFileSync(join(dir, `${port}.lock`), "utf8")).toBe(String(process.pid));
    again.release();
  });
});
