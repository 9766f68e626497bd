import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";
import { binaryPath, minorOf, offeredKubernetesVersions } from "@seedbed/binaries";
import { reservePorts, type PortReservation } from "@seedbed/controlplane";
import { processesMentioning } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
// The two minors offered (tools/k8s/versions.json), newest first.
const [newPinned = "", oldPinned = ""] = offeredKubernetesVersions();

type Result = { status: number | null; stdout: string; stderr: string };

/**
 * `seedbed cluster upgrade --wait` and `cluster rollback --wait` end to
 * end: `seedbed up` (the management API, the operator with the local
 * driver, the embedded S3 store), a cluster on the older minor with a kwok
 * pool, upgraded to the newer one step by step as the command prints it,
 * then rolled back with its pre-upgrade snapshot — what was written after
 * it is gone, the version is the old one again.
 */
describe("seedbed cluster upgrade and rollback, end to end", () => {
  let home: string;
  let apiPort: PortReservation;
  let env: NodeJS.ProcessEnv;
  let up: ChildProcess | undefined;
  const seedbed = (...args: string[]): Result => spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 900_000 });
  const kubectl = (kubeconfig: string, ...args: string[]): Result => spawnSync(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
  const serverVersion = (kubeconfig: string): string => (JSON.parse(kubectl(kubeconfig, "get", "--raw", "/version").stdout) as { gitVersion: string }).gitVersion;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "seedbed-upgrade-e2e-"));
    apiPort = await reservePorts(1);
    env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(apiPort.ports[0]) };
    const child = spawn(process.execPath, [cli, "up"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    up = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes("Seedbed is up")) resolve();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => reject(new Error(`seedbed up exited with ${String(code)} before it was up:\n${output}`)));
    });
  }, 300_000);
  afterAll(async () => {
    const child = up;
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    for (const proc of processesMentioning(home)) process.kill(proc.pid, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
    apiPort.release();
  }, 120_000);

  it(`upgrades a cluster from ${minorOf(oldPinned)} to ${minorOf(newPinned)} printing each step, then rolls it back with its snapshot`, () => {
    const created = seedbed("cluster", "create", "up1", "--version", minorOf(oldPinned), "--nodes", "1", "--wait");
    expect(created.status, created.stderr).toBe(0);
    const secret = kubectl(join(home, "management.kubeconfig"), "get", "secret", clusterObjectNames.adminKubeconfigSecret("up1"), "-n", "project-default", "-o", `jsonpath={.data.${kubeconfigSecretKey}}`);
    const tenant = join(home, "up1.kubeconfig");
    writeFileSync(tenant, Buffer.from(secret.stdout, "base64"), { mode: 0o600 });
    expect(serverVersion(tenant)).toBe(`v${oldPinned}`);
    expect(kubectl(tenant, "create", "configmap", "before").status).toBe(0);

    const upgraded = seedbed("cluster", "upgrade", "up1", "--version", minorOf(newPinned), "--wait", "--timeout", "10m");
    expect(upgraded.status, `${upgraded.stdout}\n${upgraded.stderr}`).toBe(0);
    const lines = upgraded.stdout.trimEnd().split("\n");
    // One line per step change, in the version-skew order, each with the time since the wait began.
    const steps = lines.filter((l) => /^\[\d+(m\d+)?s\] /.test(l)).map((l) => l.replace(/^\[[^\]]+\] /, "").split(":")[0]);
    const order = steps.filter((s, i) => s !== steps[i - 1]);
    expect(order).toEqual(["Snapshot", "Etcd", "APIServer", "Controllers", "NodePools"].filter((s) => order.includes(s)));
    expect(steps).toEqual(expect.arrayContaining(["Snapshot", "APIServer", "Controllers", "NodePools"]));
    expect(upgraded.stdout).toMatch(new RegExp(`\\] APIServer: rolling kube-apiserver to ${newPinned.replaceAll(".", "\\.")}`));
    expect(lines.at(-1)).toMatch(new RegExp(`^Cluster up1 runs Kubernetes ${newPinned.replaceAll(".", "\\.")}: upgraded from ${oldPinned.replaceAll(".", "\\.")} in \\d+`));
    expect(serverVersion(tenant)).toBe(`v${newPinned}`);
    const get = seedbed("cluster", "get", "up1");
    expect(get.stdout).toMatch(/^Upgrade: +Completed .* step Done.*\n +pre-upgrade snapshot \S+/m);

    expect(kubectl(tenant, "create", "configmap", "after").status).toBe(0);
    const refused = seedbed("cluster", "rollback", "up1");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/etcd is restored from the pre-upgrade snapshot \S+ taken at \S+: changes made since are lost/);
    const rolledBack = seedbed("cluster", "rollback", "up1", "--yes", "--wait", "--timeout", "10m");
    expect(rolledBack.status, `${rolledBack.stdout}\n${rolledBack.stderr}`).toBe(0);
    expect(rolledBack.stdout).toMatch(/\n\[\d+s\] NodePools: .*\n(.*\n)*\[\d+s\] Snapshot: .*restoring etcd from the pre-upgrade snapshot/);
    expect(rolledBack.stdout).toMatch(new RegExp(`Cluster up1 runs Kubernetes ${oldPinned.replaceAll(".", "\\.")} again: rolled back, etcd restored from snapshot \\S+ \\(restore \\S+\\)\\.\\n$`));
    expect(serverVersion(tenant)).toBe(`v${oldPinned}`);
    expect(kubectl(tenant, "get", "configmap", "before").status).toBe(0);
    expect(kubectl(tenant, "get", "configmap", "after").stderr).toContain("NotFound");
  }, 1_500_000);
});
