import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** A throw-away containerd owned by one test: everything under one temporary directory. */
export interface TestContainerd {
  readonly dir: string;
  readonly address: string;
  /** runc's state for `ctr run --runc-root` (ctr's default is /run/containerd/runc, outside the directory). */
  readonly runcRoot: string;
  /** Where `ctr run --fifo-dir` puts a container's stdio FIFOs (ctr's default is /run/containerd/fifo). */
  readonly fifoDir: string;
  /** ctr against this containerd in `namespace`; resolves with stdout, rejects with stderr. */
  ctr(args: readonly string[], namespace?: string): Promise<string>;
  /** Stops containerd and removes its directory; throws if a mount under it is left. */
  stop(): Promise<void>;
}

/** Whether containerd, ctr and runc are installed (tools/node/ensure-containerd.sh installs them). */
export function haveContainerd(): boolean {
  return ["/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc"].every((file) => existsSync(file));
}

/** Mount points under `dir`, from /proc/self/mountinfo. */
export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

// containerd 1.6's shims put their sockets in /run/containerd/s whatever
// the state directory (runtime/v2/shim: socketRoot is the default state
// dir); each shim removes its socket, not the directory.
const sharedDirs = ["/run/containerd/s", "/run/containerd/fifo", "/run/containerd"];

/**
 * Starts containerd with its own --config, root, state and sockets under a
 * temporary directory (no CRI: `ctr run` needs none), and waits until it
 * answers.
 */
export async function startContainerd(): Promise<TestContainerd> {
  const dir = await mkdtemp(join(tmpdir(), "seedbed-ctrd-"));
  const ours = sharedDirs.filter((d) => !existsSync(d));
  const address = join(dir, "containerd.sock");
  const config = join(dir, "config.toml");
  await mkdir(join(dir, "root"));
  await mkdir(join(dir, "state"));
  await writeFile(
    config,
    [
      "version = 2",
      `root = ${JSON.stringify(join(dir, "root"))}`,
      `state = ${JSON.stringify(join(dir, "state"))}`,
      // The CRI is not needed for ctr run; opt would create /opt/containerd.
      `disabled_plugins = ${JSON.stringify(["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"])}`,
      "[grpc]",
      `  address = ${JSON.stringify(address)}`,
      "[ttrpc]",
      `  address = ${JSON.stringify(`${address}.ttrpc`)}`,
      "",
    ].join("\n"),
  );
  const log = createWriteStream(join(dir, "containerd.log"));
  const child: ChildProcess = spawn("containerd", ["--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const ctr = async (args: readonly string[], namespace = "k8s.io"): Promise<string> => {
    try {
      return (await exec("ctr", ["--address", address, "--namespace", namespace, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      const failed = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`ctr ${args.join(" ")}: ${failed.stderr ?? ""}${failed.stdout ?? ""}${failed.message}`);
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    const left = mountsUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    // Only directories this containerd made, and only when empty: another may be using them.
    for (const shared of ours) await rmdir(shared).catch(() => undefined);
    if (left.length > 0) throw new Error(`containerd left mounts: ${left.join(", ")}`);
  };

  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) {
      const text = readFileSync(join(dir, "containerd.log"), "utf8");
      await stop();
      throw new Error(`containerd exited at start:\n${text.slice(-2000)}`);
    }
    if (spawnSync("ctr", ["--address", address, "version"], { stdio: "ignore" }).status === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`containerd did not answer on ${address} within 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { dir, address, runcRoot: join(dir, "runc"), fifoDir: join(dir, "fifo"), ctr, stop };
}
