import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";
import { binaryPath } from "@seedbed/binaries";
import { canBind, reservePorts, type PortReservation } from "@seedbed/controlplane";
import { eventually, processesMentioning } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;

/** Starts `seedbed up` and resolves once it says it is up, with everything it printed. */
function startUp(env: NodeJS.ProcessEnv): { child: ChildProcess; ready: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [cli, "up"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("Seedbed is up")) resolve(output);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`seedbed up exited with ${code} before it was up:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

/** How the child ended: its exit code, or the signal that ended it (so a failure says which). */
function exitCode(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
    else child.once("exit", (code, signal) => resolve(code ?? signal));
  });
}

function kubectl(kubeconfig: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
}

describe("seedbed up", () => {
  let home: string;
  let apiPort: PortReservation;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "seedbed-up-test-"));
    apiPort = await reservePorts(1);
    env = { SEEDBED_HOME: home, SEEDBED_API_PORT: String(apiPort.ports[0]) };
  });
  afterAll(() => {
    for (const proc of processesMentioning(home)) process.kill(proc.pid, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
    apiPort.release();
  });

  it("starts the management API, stops every child on SIGTERM, and comes back with the same state", async () => {
    const first = startUp(env);
    const printed = await first.ready;
    const kubeconfig = join(home, "management.kubeconfig");
    expect(printed).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(printed).toContain(`https://127.0.0.1:${apiPort.ports[0]}`);
    expect(kubectl(kubeconfig, "create", "namespace", "kept-across-restarts").status).toBe(0);
    const running = processesMentioning(home).map((p) => p.commandLine);
    for (const component of ["/etcd-v", "/kube-apiserver-v", "/kube-controller-manager-v", "/versitygw-v"]) {
      expect(running.some((commandLine) => commandLine.includes(component)), `${component} runs`).toBe(true);
    }

    // A second platform on the same state directory is refused, naming the first.
    const second = spawnSync(process.execPath, [cli, "up"], { env: { ...process.env, ...env }, encoding: "utf8" });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`Seedbed is already running on ${home} (pid ${first.child.pid})`);

    const kubeconfigBefore = readFileSync(kubeconfig, "utf8");
    first.child.kill("SIGTERM");
    expect(await exitCode(first.child)).toBe(0);
    expect(first.output()).toContain("Seedbed stopped.");
    expect(processesMentioning(home)).toEqual([]);
    expect(await canBind(apiPort.ports[0] ?? 0)).toBe(true);

    const again = startUp(env);
    await again.ready;
    expect(readFileSync(kubeconfig, "utf8")).toBe(kubeconfigBefore);
    const ns = kubectl(kubeconfig, "get", "namespace", "kept-across-restarts", "-o", "jsonpath={.status.phase}");
    expect(ns.stdout).toBe("Active");
    again.child.kill("SIGINT");
    expect(await exitCode(again.child)).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  });

  it("adopts the management plane a killed seedbed up left running, without a second copy", async () => {
    const first = startUp(env);
    await first.ready;
    const before = processesMentioning(home).map((p) => p.pid).sort();
    expect(before.length).toBeGreaterThanOrEqual(3);
    first.child.kill("SIGKILL");
    await exitCode(first.child);
    // Its components run on, detached from the dead parent.
    expect(processesMentioning(home).map((p) => p.pid).sort()).toEqual(before);

    const second = startUp(env);
    const printed = await second.ready;
    expect(printed).toContain("Seedbed is up");
    expect(processesMentioning(home).map((p) => p.pid).sort()).toEqual(before);
    second.child.kill("SIGTERM");
    expect(await exitCode(second.child)).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  });

  it("stops every process it ever started and exits, whatever state its clusters are in", async () => {
    const up = startUp(env);
    await up.ready;
    const kubeconfig = join(home, "management.kubeconfig");
    const cluster = (name: string): string => `apiVersion: seedbed.dev/v1alpha1\nkind: Cluster\nmetadata: { name: ${name}, namespace: project-default }\nspec: {}\n`;
    const apply = (name: string): number | null => spawnSync(binaryPath("kubectl"), ["--kubeconfig", kubeconfig, "apply", "-f", "-"], { input: cluster(name), encoding: "utf8" }).status;
    expect(apply("first")).toBe(0);
    await eventually(async () => Promise.resolve(kubectl(kubeconfig, "get", "sbc", "first", "-n", "project-default", "-o", "jsonpath={.status.phase}").stdout), (phase) => phase === "Running", { timeoutMs: 120_000, description: "first Running" });
    // One cluster being deleted, one being provisioned, as the signal comes.
    expect(apply("second")).toBe(0);
    await eventually(async () => Promise.resolve(kubectl(kubeconfig, "get", "sbc", "second", "-n", "project-default", "-o", "jsonpath={.status.phase}").stdout), (phase) => phase === "Provisioning", { timeoutMs: 60_000, description: "second Provisioning" });
    expect(kubectl(kubeconfig, "delete", "sbc", "first", "-n", "project-default", "--wait=false").status).toBe(0);
    up.child.kill("SIGINT");
    expect(await exitCode(up.child)).toBe(0);
    expect(up.output()).toContain("Seedbed stopped.");
    expect(processesMentioning(home)).toEqual([]);
  });

  it("backs a cluster up into its embedded S3 store and restores it, from the command line", async () => {
    const up = startUp(env);
    await up.ready;
    const seedbed = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 300_000 });
    const created = seedbed("cluster", "create", "saved", "--wait");
    expect(created.status, created.stderr).toBe(0);
    const secret = kubectl(join(home, "management.kubeconfig"), "get", "secret", clusterObjectNames.adminKubeconfigSecret("saved"), "-n", "project-default", "-o", `jsonpath={.data.${kubeconfigSecretKey}}`);
    const tenant = join(home, "saved.kubeconfig");
    writeFileSync(tenant, Buffer.from(secret.stdout, "base64"), { mode: 0o600 });
    expect(kubectl(tenant, "create", "configmap", "before").status).toBe(0);
    const backup = seedbed("backup", "create", "--cluster", "saved", "--name", "saved-1", "--wait");
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/stored at s3:\/\/seedbed-backups\/default--saved\/saved-1-/);
    expect(kubectl(tenant, "create", "configmap", "after").status).toBe(0);
    const restore = seedbed("restore", "saved", "--wait");
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain("Restored cluster saved from backup saved-1");
    expect(kubectl(tenant, "get", "configmap", "before").status).toBe(0);
    expect(kubectl(tenant, "get", "configmap", "after").stderr).toContain("NotFound");
    up.child.kill("SIGTERM");
    expect(await exitCode(up.child)).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  });

  it("refuses a port that is not a port, naming the variable", () => {
    const bad = spawnSync(process.execPath, [cli, "up"], {
      env: { ...process.env, SEEDBED_HOME: join(home, "other"), SEEDBED_API_PORT: "http" },
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('SEEDBED_API_PORT must be a port number between 1 and 65535, got "http"');
  });
});
