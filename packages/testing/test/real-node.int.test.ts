import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "../src/eventually.ts";
import { harnessImage, pauseImageName, startRealNode, type PodNetwork, type RealNode } from "../src/index.ts";
import { cgroupMounts, cniCacheEntries, hostDirs } from "../src/node/host.ts";
import { sweepAbandonedNodes } from "../src/node/teardown.ts";
import { processesMentioning } from "../src/processes.ts";
import { useKubeAPI } from "../src/vitest.ts";

/**
 * The machine-wide state a node touches: the same after it stops as before
 * it started. (/run/containerd is left out: any containerd on the machine,
 * such as the image builder's tests', makes it.)
 */
function machineState(): { hostDirs: string[]; ipForward: string } {
  return {
    hostDirs: hostDirs.filter((dir) => !dir.startsWith("/run/containerd") && existsSync(dir)),
    ipForward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(),
  };
}

/** What a node may leave on the machine, each read afresh. */
function traces(node: Pick<RealNode, "dir" | "network" | "cgroupRoot">): Record<string, unknown> {
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n").filter((l) => l.includes(node.dir));
  const link = spawnSync("ip", ["link", "show", node.network.bridge], { encoding: "utf8" });
  const iptables = spawnSync("iptables-save", [], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.includes(node.network.name));
  const cgroups = cgroupMounts().filter((m) => existsSync(`${m}${node.cgroupRoot}`));
  const logLinks = readdirSafe("/var/log/containers").filter((name) => name.includes("default_etcd"));
  return {
    processes: processesMentioning(node.dir).map((p) => p.commandLine),
    mounts,
    bridge: link.status === 0 ? link.stdout : "",
    iptables,
    cgroups,
    logLinks,
    cniCache: cniCacheEntries(node.network.name, node.dir),
    dir: existsSync(node.dir),
  };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe("a real node", () => {
  const api = useKubeAPI({ controllers: true, realNodes: true });
  let node: RealNode | undefined;
  afterAll(async () => {
    await node?.stop();
  }, 120_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (node) process.stderr.write(`\n[real-node] logs (last 80 lines each):\n${node.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-80).join("\n")).join("\n")}\n`);
    });
  });

  it("joins the cluster, runs a scheduled pod on its bridge that answers from the host, and leaves nothing behind when stopped", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const etcdImage = await harnessImage("etcd");
    const machineBefore = machineState();
    node = await startRealNode({
      name: "real-0",
      server: api().server,
      clusterCA: { certificatePem: readFileSync(api().pki.caCert, "utf8"), privateKeyPem: readFileSync(api().pki.caKey, "utf8") },
      images: [etcdImage],
    });
    const ready = await eventually(
      () => core.readNode({ name: "real-0" }),
      (n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      { timeoutMs: 60_000, description: "node real-0 Ready" },
    );
    expect(ready.status?.nodeInfo?.kubeletVersion).toBe(`v${versions.kubernetes[0]}`);
    expect(ready.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);

    // The service account token is a projected volume: a tmpfs the kubelet mounts, and the teardown must unmount.
    await eventually(() => core.listNamespacedServiceAccount({ namespace: "default" }), (l) => l.items.some((sa) => sa.metadata?.name === "default"));
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "etcd", labels: { app: "etcd" } },
        spec: {
          containers: [
            {
              name: "etcd",
              image: etcdImage.names[0],
              args: ["--data-dir=/var/lib/etcd/data", "--listen-client-urls=http://0.0.0.0:2379", "--advertise-client-urls=http://127.0.0.1:2379", "--listen-peer-urls=http://127.0.0.1:2380"],
              volumeMounts: [{ name: "data", mountPath: "/var/lib/etcd" }],
              readinessProbe: { httpGet: { path: "/health", port: 2379 }, periodSeconds: 1 },
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    });
    const pod = await eventually(
      () => core.readNamespacedPod({ namespace: "default", name: "etcd" }),
      (p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      { timeoutMs: 60_000, description: "pod etcd Ready" },
    );
    expect(pod.spec?.nodeName).toBe("real-0");
    const podIP = pod.status?.podIP ?? "";
    // An address of the node's own bridge subnet: the request below stays on this machine.
    expect(podIP.startsWith(node.network.subnet.replace(/\.0\/24$/, "."))).toBe(true);
    const health = await fetch(`http://${podIP}:2379/health`, { signal: AbortSignal.timeout(5000) });
    expect(await health.json()).toMatchObject({ health: "true" });
    // The API server reaches the kubelet (InternalIP, its serving certificate checked) for the container's log.
    const log = await core.readNamespacedPodLog({ namespace: "default", name: "etcd" });
    expect(log).toContain("serving client traffic insecurely");

    const before = traces(node);
    expect(before.mounts).not.toEqual([]);
    expect(before.bridge).toContain(node.network.bridge);
    expect(before.iptables).not.toEqual([]);
    expect(before.cgroups).not.toEqual([]);
    expect(machineState()).not.toEqual(machineBefore);

    await node.stop();
    expect(traces(node)).toEqual({ processes: [], mounts: [], bridge: "", iptables: [], cgroups: [], logLinks: [], cniCache: [], dir: false });
    expect(machineState()).toEqual(machineBefore);
  }, 150_000);

  it("is cleared by the next node when the process that started it died without stopping it", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const child = spawn(process.execPath, [new URL("./fixtures/abandoned-node.ts", import.meta.url).pathname], {
      env: { ...process.env, NODE_NAME: "crashed-0", API_SERVER: api().server, CA_CERT: api().pki.caCert, CA_KEY: api().pki.caKey, PAUSE_IMAGE: pauseImageName() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const started = await new Promise<{ dir: string; network: PodNetwork; cgroupRoot: string }>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(JSON.parse(out) as { dir: string; network: PodNetwork; cgroupRoot: string });
      });
      child.once("exit", (code) => reject(new Error(`the node process exited (${code}) before its node started`)));
    });
    // The static pod runs (its mirror pod says so): a sandbox with its netns, veth, NAT rules and mounts.
    await eventually(
      () => core.readNamespacedPod({ namespace: "default", name: "sleeper-crashed-0" }),
      (p) => p.status?.phase === "Running" && p.status.podIP !== undefined,
      { timeoutMs: 60_000, description: "static pod sleeper Running" },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    const left = traces(started);
    expect(left.processes).not.toEqual([]); // the kubelet and containerd outlive their owner
    expect(left.iptables).not.toEqual([]);
    expect(left.cniCache).not.toEqual([]);

    expect(await sweepAbandonedNodes()).toContain(started.dir);
    expect(traces(started)).toEqual({ processes: [], mounts: [], bridge: "", iptables: [], cgroups: [], logLinks: [], cniCache: [], dir: false });
  }, 120_000);
});
