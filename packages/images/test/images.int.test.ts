import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { versions } from "@seedbed/binaries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentReference } from "../src/catalog/components.ts";
import { loadImages } from "../src/load/load.ts";
import { haveContainerd, startContainerd, type TestContainerd } from "./containerd.ts";

// Images of the real pinned binaries, loaded into a throw-away containerd
// with ctr (as a seed node's containerd gets them) and run with runc. The
// images are built into the usual cache (~/.cache/seedbed/images): about
// 30 s on two cores when cold (gzip of ~300 MB of binaries, the Seedbed
// image's ~20,000 files), 2 s when nothing changed; hence the longer
// limits on the tests that build the large images.
const ensureScript = fileURLToPath(new URL("../../../tools/node/ensure-containerd.sh", import.meta.url));
const k8s = versions.kubernetes[0] ?? "";
// Each container gets a cgroup of its own at the top of every hierarchy,
// which runc removes with the container: nothing is left under a parent.
const cgroupPrefix = `seedbed-images-test-${process.pid}`;

let containerd: TestContainerd;
const runDirBefore = existsSync("/run/containerd");
beforeAll(async () => {
  if (!haveContainerd()) execFileSync(ensureScript, { stdio: "inherit" });
  containerd = await startContainerd();
});
afterAll(async () => {
  await containerd.stop();
  expect(existsSync(containerd.dir)).toBe(false);
  const cgroupsLeft = readdirSync("/sys/fs/cgroup", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join("/sys/fs/cgroup", d.name)).filter((name) => name.startsWith(cgroupPrefix)));
  expect(cgroupsLeft).toEqual([]);
  if (!runDirBefore) expect(existsSync("/run/containerd")).toBe(false);
});

/**
 * Runs a container to its end (`ctr run --rm`) and returns what it printed.
 * Under load ctr can lose the output of a task that exits within
 * milliseconds (it copies the task's stdout fifo while the task may already
 * be gone): an empty answer is asked again, twice at most, so a binary that
 * never prints still fails.
 */
async function run(image: string, name: string, args: readonly string[]): Promise<string> {
  let out = "";
  for (let attempt = 0; attempt < 3 && out === ""; attempt++) out = await containerd.ctr([...runFlags(name), image, `${cgroupPrefix}-${name}`, ...args]);
  return out;
}

function runFlags(name: string): string[] {
  return ["run", "--rm", "--runc-root", containerd.runcRoot, "--fifo-dir", containerd.fifoDir, "--cgroup", `/${cgroupPrefix}-${name}`];
}

describe("images loaded into containerd", () => {
  it("run etcd and etcdctl from the etcd image, found on the PATH", async () => {
    const loaded = await loadImages({ ids: ["etcd"], containerd: { address: containerd.address } });
    const name = componentReference("etcd");
    expect(loaded.get("etcd")?.names).toEqual([name]);
    expect(await containerd.ctr(["images", "ls", "--quiet"])).toContain(name);
    const out = await run(name, "etcd", ["etcd", "--version"]);
    expect(out).toContain(`etcd Version: ${versions.etcd}`);
    expect(await run(name, "etcdctl", ["/usr/local/bin/etcdctl", "version"])).toContain(`etcdctl version: ${versions.etcd}`);
  });

  it("start each Kubernetes component by its own name from one shared binary layer", async () => {
    const loaded = await loadImages({ ids: ["kube-apiserver", "kube-scheduler"], containerd: { address: containerd.address } });
    const [apiserver, scheduler] = [loaded.get("kube-apiserver"), loaded.get("kube-scheduler")];
    expect(apiserver?.layerDigests[1]).toBe(scheduler?.layerDigests[1]);
    expect(apiserver?.manifestDigest).not.toBe(scheduler?.manifestDigest);
    // The multi-call binary answers as the component named by argv[0] (the link), and refuses a name it does not know.
    expect(await run(componentReference("kube-apiserver"), "apiserver", ["kube-apiserver", "--version"])).toContain(`Kubernetes v${k8s}`);
    const help = await run(componentReference("kube-scheduler"), "scheduler", ["kube-scheduler", "--help"]);
    expect(help).toMatch(/The Kubernetes scheduler is a control plane process/);
  }, 300_000);

  it("run the pause image's entrypoint until SIGTERM, as 65535", async () => {
    // The pinned pause program (make test builds it: tools/k8s/build.sh pause).
    await loadImages({ ids: ["pause"], containerd: { address: containerd.address } });
    const id = `${cgroupPrefix}-pause`;
    const child = spawn("ctr", ["--address", containerd.address, "-n", "k8s.io", ...runFlags("pause"), componentReference("pause"), id], { stdio: "ignore" });
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let pid = 0;
    for (let i = 0; i < 100 && pid === 0; i++) {
      const line = (await containerd.ctr(["tasks", "ls"])).split("\n").find((l) => l.startsWith(id) && l.includes("RUNNING"));
      pid = Number(line?.split(/\s+/)[1] ?? 0);
      if (pid === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(pid).toBeGreaterThan(0);
    expect(readFileSync(`/proc/${pid}/status`, "utf8")).toMatch(/^Uid:\s+65535\s/m);
    // Still running a moment later: it waits for a signal, it does not just exit.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.exitCode).toBeNull();
    await containerd.ctr(["tasks", "kill", "--signal", "SIGTERM", id]);
    expect(await exit).toBe(0);
  });

  it("run the Seedbed image: Node.js 24 with its libraries, the CLI on the PATH, the etcd tools, as 65532", async () => {
    const loaded = await loadImages({ ids: ["seedbed"], seedbed: { name: "docker.io/seedbed/seedbed:test" }, containerd: { address: containerd.address } });
    expect(loaded.get("seedbed")?.layerDigests).toHaveLength(5);
    const node = await run("docker.io/seedbed/seedbed:test", "node", ["node", "-p", "[process.versions.node, process.getuid(), process.cwd()].join(' ')"]);
    expect(node.trim()).toMatch(new RegExp(`^${versions.node.split(".")[0] ?? ""}\\.\\d+\\.\\d+ 65532 /app$`));
    // `seedbed` as the chart runs it: the link, the #!/usr/bin/env node line, the TypeScript sources and node_modules.
    expect(await run("docker.io/seedbed/seedbed:test", "cli", ["seedbed", "--help"])).toMatch(/Usage: seedbed/);
    // The etcd tools backups, restores and drills run, where SEEDBED_BIN_DIR points.
    expect(await run("docker.io/seedbed/seedbed:test", "seedbed-etcdctl", [`/usr/local/lib/seedbed/bin/etcdctl-v${versions.etcd}`, "version"])).toContain(`etcdctl version: ${versions.etcd}`);
  }, 300_000);
});
