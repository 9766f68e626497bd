// What a user does first on the production path, end to end: `seedbed up
// --seed kubernetes`, a cluster created with the CLI, kubectl with its
// kubeconfig, and Ctrl-C — all as separate processes, as a user runs them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reservePorts, type PortReservation } from "@seedbed/controlplane";
import { processesMentioning } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, seedbed, startPlatform, stopPlatform, type RunningPlatform } from "./platform.ts";

describe("seedbed up --seed kubernetes", () => {
  const home = mkdtempSync(join(tmpdir(), "seedbed-up-real-"));
  let port: PortReservation;
  let platform: RunningPlatform | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    port = await reservePorts(1);
    env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]), SEEDBED_KUBECONFIG: join(home, "management.kubeconfig") };
    platform = await startPlatform(env, ["--seed", "kubernetes"]);
  }, 300_000);
  afterAll(async () => {
    await stopPlatform(platform, home, port);
  }, 180_000);

  it("makes a cluster whose control plane runs in real containers, and kubectl reaches it with the downloaded kubeconfig", () => {
    const created = seedbed(env, "cluster", "create", "web", "--wait");
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const kubeconfig = seedbed(env, "kubeconfig", "web", "--admin");
    expect(kubeconfig.status).toBe(0);
    const file = join(home, "web.kubeconfig");
    writeFileSync(file, kubeconfig.stdout);
    const namespaces = kubectl(file, "get", "ns", "-o", "name");
    expect(namespaces.stderr).toBe("");
    expect(namespaces.stdout).toContain("namespace/kube-system");
    // On the seed `up` runs: the cluster's pods, started by containerd.
    const pods = kubectl(join(home, "seed", "control-plane", "admin.kubeconfig"), "get", "pods", "-n", "cluster-default--web", "-o", "jsonpath={range .items[*]}{.metadata.labels.seedbed\\.dev/component} {.status.containerStatuses[0].containerID}{\"\\n\"}{end}");
    const lines = pods.stdout.trim().split("\n").sort();
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
    for (const line of lines) expect(line.split(" ")[1]).toMatch(/^containerd:\/\//);
  }, 300_000);

  it("stops on SIGTERM leaving no process and no node of the seed behind", async () => {
    const subnets = JSON.parse(readFileSync(join(home, "seed", "node-subnets.json"), "utf8")) as Record<string, string>;
    const nodeAddress = (subnets["seed-0"] ?? "").replace(/^10\.242\.(\d+)\.0\/24$/, "10.243.$1.2");
    expect(spawnSync("ip", ["-4", "route", "show"], { encoding: "utf8" }).stdout).toContain(nodeAddress);
    platform?.child.kill("SIGTERM");
    expect(await platform?.exited).toBe(0);
    platform = undefined;
    expect(processesMentioning(home).map((p) => p.commandLine)).toEqual([]);
    expect(spawnSync("ip", ["-4", "route", "show"], { encoding: "utf8" }).stdout).not.toContain(nodeAddress);
    // The seed's data stays for the next start.
    expect(existsSync(join(home, "seed", "control-plane", "etcd"))).toBe(true);
  }, 180_000);
});
