import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canBind, findProcessesByMarker, reservePorts, type PortReservation } from "@seedbed/controlplane";
import { eventually, processesMentioning } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterDir, kubectl, seedbed, seedbedAsync, startPlatform, stopPlatform, type RunningPlatform } from "./platform.ts";

interface ClusterJSON {
  status?: { phase?: string; endpoint?: string };
}

describe("Seedbed on one machine, end to end", () => {
  let home: string;
  let port: PortReservation;
  let env: NodeJS.ProcessEnv;
  let platform: RunningPlatform | undefined;
  const markerOf = (cluster: string): string => `seedbed:${clusterDir(home, "default", cluster)}`;
  const getCluster = (name: string): ClusterJSON => JSON.parse(seedbed(env, "cluster", "get", name, "-o", "json").stdout || "{}") as ClusterJSON;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "seedbed-e2e-"));
    port = await reservePorts(1);
    env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(port.ports[0]), SEEDBED_KUBECONFIG: "" };
    env.SEEDBED_KUBECONFIG = join(home, "management.kubeconfig");
    platform = await startPlatform(env);
  }, 120_000);
  afterAll(async () => {
    await stopPlatform(platform, home, port);
  }, 60_000);

  it("creates two clusters side by side; each answers kubectl with its own kubeconfig and refuses the other's", async () => {
    const [a, b] = await Promise.all([seedbedAsync(env, "cluster", "create", "a", "--wait"), seedbedAsync(env, "cluster", "create", "b", "--wait", "--version", "1.37")]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/phase Provisioning[\s\S]*✓ APIServerReady[\s\S]*Cluster a is ready at https:\/\/127\.0\.0\.1:\d+/);

    const kubeconfigs: Record<string, string> = {};
    for (const name of ["a", "b"]) {
      const printed = seedbed(env, "kubeconfig", name, "--admin");
      expect(printed.status, printed.stderr).toBe(0);
      kubeconfigs[name] = join(home, `${name}.kubeconfig`);
      writeFileSync(kubeconfigs[name], printed.stdout, { mode: 0o600 });
      expect(kubectl(kubeconfigs[name], "create", "namespace", `only-in-${name}`).status).toBe(0);
    }
    expect(kubectl(kubeconfigs.a ?? "", "get", "namespaces", "-o", "name").stdout).toContain("namespace/only-in-a");
    expect(kubectl(kubeconfigs.a ?? "", "get", "namespaces", "-o", "name").stdout).not.toContain("only-in-b");

    // a's admin certificate against b's endpoint (trusting b's CA so that TLS completes): refused.
    const aConfig = parse(readFileSync(kubeconfigs.a ?? "", "utf8")) as { clusters: { cluster: Record<string, string> }[] };
    const bConfig = parse(readFileSync(kubeconfigs.b ?? "", "utf8")) as { clusters: { cluster: Record<string, string> }[] };
    const crossed = structuredClone(aConfig);
    if (crossed.clusters[0] && bConfig.clusters[0]) crossed.clusters[0].cluster = bConfig.clusters[0].cluster;
    const crossedPath = join(home, "crossed.kubeconfig");
    writeFileSync(crossedPath, JSON.stringify(crossed), { mode: 0o600 });
    const refused = kubectl(crossedPath, "get", "namespaces");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/Unauthorized|provide credentials/);

    const list = seedbed(env, "cluster", "list");
    expect(list.stdout).toMatch(/^NAME\s+VERSION\s+PHASE\s+READY\s+ENDPOINT\s+AGE$/m);
    expect(list.stdout).toMatch(/^a\s+1\.37\.\d+\s+Running\s+True\s+https:/m);
  });

  it("tells a script what went wrong, with exit codes it can trust", () => {
    const taken = seedbed(env, "cluster", "create", "a");
    expect(taken.status).toBe(4);
    expect(taken.stderr).toContain("cluster a already exists in project default");
    const notOffered = seedbed(env, "cluster", "create", "old", "--version", "1.20");
    expect(notOffered.status).toBe(5);
    expect(notOffered.stderr).toMatch(/spec\.version: Invalid value: "1\.20": Kubernetes 1\.20 is not offered here/);
    const missing = seedbed(env, "cluster", "get", "nope");
    expect(missing.status).toBe(3);
    expect(seedbed(env, "cluster", "list", "--project", "nobody").stdout).toContain("No clusters in project nobody");
  });

  it("converges after the platform is killed with SIGKILL while a cluster is provisioning, with no duplicate process", async () => {
    const created = seedbed(env, "cluster", "create", "c");
    expect(created.status).toBe(0);
    // Wait until its processes have started, then kill the platform mid-provisioning.
    await eventually(() => Promise.resolve(findProcessesByMarker(markerOf("c"), { prefix: true }).length), (n) => n >= 2, { intervalMs: 50 });
    platform?.child.kill("SIGKILL");
    await platform?.exited;
    platform = await startPlatform(env);
    const ready = seedbed(env, "cluster", "create", "d", "--wait");
    expect(ready.status, ready.stderr).toBe(0);
    await eventually(() => Promise.resolve(getCluster("c")), (c) => c.status?.phase === "Running", { timeoutMs: 90_000 });
    for (const name of ["a", "b", "c", "d"]) {
      expect(findProcessesByMarker(markerOf(name), { prefix: true }), `processes of ${name}`).toHaveLength(4);
    }
  });

  it("stops every process on SIGTERM and brings every cluster back, same endpoint, on the next start", async () => {
    const before = getCluster("a").status?.endpoint;
    platform?.child.kill("SIGTERM");
    expect(await platform?.exited).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
    platform = await startPlatform(env);
    const after = await eventually(() => Promise.resolve(getCluster("a")), (c) => c.status?.phase === "Running", { timeoutMs: 90_000 });
    expect(after.status?.endpoint).toBe(before);
    expect(kubectl(join(home, "a.kubeconfig"), "get", "namespace", "only-in-a", "-o", "name").stdout.trim()).toBe("namespace/only-in-a");
  });

  it("adds, scales and removes worker nodes from the CLI; kubectl in the tenant sees them", async () => {
    const created = await seedbedAsync(env, "cluster", "create", "w", "--nodes", "2", "--wait");
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain("Node pool w-workers created with 2 machines");
    const config = join(home, "w.kubeconfig");
    writeFileSync(config, seedbed(env, "kubeconfig", "w", "--admin").stdout, { mode: 0o600 });
    const readyNodes = (): Promise<string[]> => Promise.resolve(kubectl(config, "get", "nodes", "--no-headers").stdout.split("\n").filter((l) => /\sReady\s/.test(l)));
    await eventually(readyNodes, (lines) => lines.length === 2, { timeoutMs: 60_000, description: "2 Ready nodes in w" });
    expect(seedbed(env, "nodepool", "scale", "w-workers", "--replicas", "3").status).toBe(0);
    await eventually(readyNodes, (lines) => lines.length === 3, { timeoutMs: 60_000, description: "3 Ready nodes in w" });
    const list = seedbed(env, "nodepool", "list", "--cluster", "w");
    expect(list.stdout).toMatch(/^NAME\s+CLUSTER\s+PROVIDER\s+DESIRED\s+READY\s+AUTOSCALING\s+PHASE\s+AGE$/m);
    await eventually(() => Promise.resolve(seedbed(env, "nodepool", "list", "--cluster", "w").stdout), (out) => /^w-workers\s+w\s+kwok\s+3\s+3\s+Running/m.test(out));
    const bad = seedbed(env, "nodepool", "scale", "w-workers", "--replicas", "-1");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--replicas must be a whole number");
    expect(seedbed(env, "nodepool", "delete", "w-workers").status).toBe(0);
    await eventually(readyNodes, (lines) => lines.length === 0, { timeoutMs: 60_000, description: "no nodes left in w" });
    // The last kwok pool gone, the cluster's kwok controller goes too.
    await eventually(() => Promise.resolve(findProcessesByMarker(`${markerOf("w")}/kwok`)), (pids) => pids.length === 0, { timeoutMs: 60_000, description: "kwok of w stopped" });
    expect(seedbed(env, "cluster", "delete", "w", "--wait").status).toBe(0);
  });

  it("deletes a cluster without leaving a process, a port or a file", async () => {
    const ports = Object.values(JSON.parse(readFileSync(join(clusterDir(home, "default", "b"), "ports.json"), "utf8")) as Record<string, number>);
    const deleted = seedbed(env, "cluster", "delete", "b", "--wait");
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(findProcessesByMarker(markerOf("b"), { prefix: true })).toEqual([]);
    for (const p of ports) expect(await canBind(p), `port ${p}`).toBe(true);
    expect(existsSync(clusterDir(home, "default", "b"))).toBe(false);
    expect(seedbed(env, "cluster", "get", "b").status).toBe(3);
  });
});
