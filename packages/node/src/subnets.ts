import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { takeLockFile } from "@seedbed/controlplane";

/** A pod subnet held for one node until released. */
export interface SubnetReservation {
  /** e.g. 10.242.17.0/24 */
  readonly subnet: string;
  readonly release: () => void;
}

/**
 * Reserves a free /24 of 10.242.0.0/16 for a node's pods: one no other live
 * process of this machine holds (a lock file with its pid, as ports are
 * reserved) and no route of this machine already covers. `preferred`
 * (the subnet a node had before) is taken when it is free, so that a node
 * started again keeps its address.
 */
export function reservePodSubnet(preferred?: string, lockDir = join(tmpdir(), `seedbed-pod-subnets-${process.getuid?.() ?? 0}`)): SubnetReservation {
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const routes = execFileSync("ip", ["-4", "route", "show"], { encoding: "utf8" });
  const wanted = preferred === undefined ? undefined : /^10\.242\.(\d{1,3})\.0\/24$/.exec(preferred)?.[1];
  // Start at a random place so that concurrent nodes rarely race for one lock.
  const start = wanted === undefined ? Math.floor(Math.random() * 254) : Number(wanted) - 1;
  for (let i = 0; i < 254; i++) {
    const third = 1 + ((start + i) % 254);
    const subnet = `10.242.${third}.0/24`;
    // The node's link takes 10.243.N.0/30 (netns.ts): both must be free.
    if (routes.includes(`10.242.${third}.`) || routes.includes(`10.243.${third}.`)) continue;
    const lock = join(lockDir, `${third}.lock`);
    if (takeLockFile(lock)) return { subnet, release: () => rmSync(lock, { force: true }) };
  }
  throw new Error(`no free pod subnet in 10.242.0.0/16 (locks in ${lockDir}); stop other nodes or remove stale locks`);
}

