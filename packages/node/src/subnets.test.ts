import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reservePodSubnet } from "./subnets.ts";

describe("reservePodSubnet", () => {
  const dirs: string[] = [];
  const lockDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-subnet-test-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("hands out distinct /24s of 10.242.0.0/16 and frees them on release", () => {
    const dir = lockDir();
    const taken = Array.from({ length: 20 }, () => reservePodSubnet(undefined, dir));
    const subnets = taken.map((r) => r.subnet);
    expect(new Set(subnets).size).toBe(20);
    for (const subnet of subnets) expect(subnet).toMatch(/^10\.242\.(25[0-4]|2[0-4]\d|1?\d?\d)\.0\/24$/);
    expect(readdirSync(dir)).toHaveLength(20);
    for (const r of taken) r.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("gives a node the subnet it had before when that one is free, and another when it is not", () => {
    const dir = lockDir();
    // One no node running on this machine routes.
    const routes = execFileSync("ip", ["-4", "route", "show"], { encoding: "utf8" });
    const third = Array.from({ length: 254 }, (_, i) => 254 - i).find((n) => !routes.includes(`10.242.${n}.`) && !routes.includes(`10.243.${n}.`));
    const before = `10.242.${String(third)}.0/24`;
    const first = reservePodSubnet(before, dir);
    expect(first.subnet).toBe(before);
    const second = reservePodSubnet(before, dir);
    expect(second.subnet).not.toBe(before);
    first.release();
    expect(reservePodSubnet(before, dir).subnet).toBe(before);
  });

  it("takes over the lock of a process that is gone, never that of a live one", () => {
    const dir = lockDir();
    // Every subnet locked by this (live) process but one, locked by a dead pid.
    for (let third = 1; third <= 254; third++) writeFileSync(join(dir, `${third}.lock`), String(third === 77 ? 2 ** 22 + 1 : process.pid));
    expect(reservePodSubnet(undefined, dir).subnet).toBe("10.242.77.0/24");
    expect(() => reservePodSubnet(undefined, dir)).toThrow(/no free pod subnet in 10\.242\.0\.0\/16/);
  });
});
