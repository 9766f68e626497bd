import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mountsUnder } from "./cleanup-plan.ts";

/**
 * The effects of starting and tearing down a node on this machine: cgroups,
 * mounts, and the few files the kubelet and the CNI
 * plugins write outside the node's directory. Each step is safe to repeat,
 * so a teardown that failed half-way can simply run again.
 */

/** Every cgroup hierarchy mounted on this machine (v1 controllers and the unified v2 tree). */
export function cgroupMounts(procMounts = readFileSync("/proc/mounts", "utf8")): string[] {
  return procMounts
    .split("\n")
    .map((line) => line.split(" "))
    .filter((fields) => fields[2] === "cgroup" || fields[2] === "cgroup2")
    .map((fields) => fields[1] ?? "")
    .filter((path) => path !== "");
}

/**
 * Creates `/<name>` in every hierarchy: the kubelet's cgroupRoot must exist
 * and it does not create it. A new v1 cpuset starts empty and would refuse
 * every task, so it gets its parent's CPUs and memory nodes.
 */
export function createCgroupRoot(name: string): void {
  for (const mount of cgroupMounts()) {
    const dir = join(mount, name);
    mkdirSync(dir, { recursive: true });
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      const own = join(dir, file);
      if (existsSync(own) && readFileSync(own, "utf8").trim() === "") writeFileSync(own, readFileSync(join(mount, file), "utf8"));
    }
  }
}

/** Kills every process left in `/<name>` (any hierarchy), then removes its cgroups, innermost first. */
export async function removeCgroupRoot(name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let left = 0;
    for (const mount of cgroupMounts()) {
      const root = join(mount, name);
      if (!existsSync(root)) continue;
      for (const dir of cgroupTree(root).reverse()) {
        killAll(readPids(join(dir, "cgroup.procs")));
        try {
          rmdirSync(dir);
        } catch {
          left++; // busy until its last process is reaped
        }
      }
    }
    if (left === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cgroups /${name} could not be removed: processes still in them (see /sys/fs/cgroup/*/${name}/**/cgroup.procs)`);
}

function cgroupTree(root: string): string[] {
  const dirs = [root];
  for (const entry of readdirSync(root, { withFileTypes: true })) if (entry.isDirectory()) dirs.push(...cgroupTree(join(root, entry.name)));
  return dirs;
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Unmounts everything at or under `dir`, innermost first; a busy mount is detached lazily. */
export function unmountUnder(dir: string): void {
  for (let pass = 0; pass < 5; pass++) {
    const mounts = mountsUnder(readFileSync("/proc/mounts", "utf8"), dir);
    if (mounts.length === 0) return;
    for (const mount of mounts) {
      if (spawnSync("umount", [mount], { stdio: "ignore" }).status !== 0) spawnSync("umount", ["-l", mount], { stdio: "ignore" });
    }
  }
  const left = mountsUnder(readFileSync("/proc/mounts", "utf8"), dir);
  if (left.length > 0) throw new Error(`could not unmount ${left.join(", ")}`);
}

/** The kubelet links each container's log into /var/log/containers, whatever its podLogsDir. */
export function removeContainerLogLinks(podLogsDir: string, linkDir = "/var/log/containers"): void {
  let names: string[];
  try {
    names = readdirSync(linkDir);
  } catch {
    return;
  }
  for (const name of names) {
    const link = join(linkDir, name);
    try {
      if (readlinkSync(link).startsWith(`${podLogsDir}/`)) rmSync(link, { force: true });
    } catch {
      // not a link
    }
  }
}

/**
 * libcni caches each attachment's result in /var/lib/cni/results; a DEL
 * removes it, but a node whose pods never got one (its process died)
 * leaves them: its own network's, and the loopback network's, which only
 * the sandbox path inside tells apart.
 */
export function removeCNICache(network: string, nodeDir: string, cacheDir = "/var/lib/cni/results"): void {
  for (const name of cniCacheEntries(network, nodeDir, cacheDir)) rmSync(join(cacheDir, name), { force: true });
}

/** The names of the cache entries of a node's network or of sandboxes in its directory. */
export function cniCacheEntries(network: string, nodeDir: string, cacheDir = "/var/lib/cni/results"): string[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (name.startsWith(`${network}-`)) return true;
    try {
      return readFileSync(join(cacheDir, name), "utf8").includes(`"${nodeDir}/`);
    } catch {
      return false;
    }
  });
}

/**
 * Raises the per-user inotify limits when they are below what a machine
 * running several API servers and nodes needs: every kube-apiserver holds 6
 * instances, containerd and the kubelet more, and at Debian's default of
 * 128 containerd's CRI plugin fails to load ("failed to create fsnotify
 * watcher: too many open files"), so the node never gets Ready. Raising a
 * limit takes nothing from anyone; it is left raised.
 */
export function ensureInotifyLimits(wanted: { instances: number; watches: number } = { instances: 2048, watches: 524_288 }): void {
  const raise = (file: string, minimum: number): void => {
    const path = `/proc/sys/fs/inotify/${file}`;
    if (Number(readFileSync(path, "utf8").trim()) < minimum) writeFileSync(path, String(minimum));
  };
  raise("max_user_instances", wanted.instances);
  raise("max_user_watches", wanted.watches);
}

/**
 * Directories the kubelet, containerd and libcni create outside a node's
 * directory whatever they are told (the device-plugin socket directory, the
 * container log links, the CNI result cache, the shims' sockets), innermost
 * first.
 */
export const hostDirs: readonly string[] = ["/var/lib/kubelet/device-plugins", "/var/lib/kubelet", "/var/log/containers", "/var/lib/cni/results", "/var/lib/cni", "/run/containerd/s", "/run/containerd"];

/**
 * Removes the kubelet's device-manager socket (it never removes it itself),
 * then those of `hostDirs` that are empty: anything else in them belongs to
 * someone. Only for when no other node of ours runs: the socket path is
 * hard-coded, so it is one per machine.
 */
export function removeEmptyHostDirs(): void {
  rmSync("/var/lib/kubelet/device-plugins/kubelet.sock", { force: true });
  for (const dir of hostDirs) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty, or not there
    }
  }
}
