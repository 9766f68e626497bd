import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "@seedbed/testing";
import { localImage as harnessImage, pauseImageName, startRealNode, toolboxImageName, type RealNode } from "../src/index.ts";
import { cgroupMounts, cniCacheEntries, hostDirs } from "../src/host.ts";
import { sweepAbandonedNodes } from "../src/teardown.ts";
import { processesMentioning } from "../src/processes.ts";
import { useKubeAPI } from "@seedbed/testing/vitest";

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
function traces(node: Pick<RealNode, "dir" | "network" | "namespace" | "cgroupRoot">): Record<string, unknown> {
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n").filter((l) => l.includes(node.dir) || l.includes(`/run/netns/${node.namespace.name} `));
  const link = spawnSync("ip", ["link", "show", node.namespace.hostLink], { encoding: "utf8" });
  const routes = spawnSync("ip", ["-4", "route", "show"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.includes(node.namespace.nodeAddress));
  const cgroups = cgroupMounts().filter((m) => existsSync(`${m}${node.cgroupRoot}`));
  // The kubelet's links to its containers' logs (other nodes' links are theirs).
  const logLinks = readdirSafe("/var/log/containers").filter((name) => {
    try {
      return readlinkSync(`/var/log/containers/${name}`).startsWith(`${node.dir}/`);
    } catch {
      return false;
    }
  });
  return {
    processes: processesMentioning(node.dir).map((p) => p.commandLine),
    mounts,
    namespace: existsSync(`/run/netns/${node.namespace.name}`),
    link: link.status === 0 ? link.stdout : "",
    routes,
    cgroups,
    logLinks,
    cniCache: cniCacheEntries(node.network.name, node.dir),
    dir: existsSync(node.dir),
  };
}

const nothingLeft = { processes: [], mounts: [], namespace: false, link: "", routes: [], cgroups: [], logLinks: [], cniCache: [], dir: false };

/** Directories of other nodes on this machine (running, or abandoned and not swept yet). */
function otherNodes(own: string): string[] {
  return readdirSafe(tmpdir())
    .filter((name) => name.startsWith("seedbed-node-"))
    .map((name) => join(tmpdir(), name))
    .filter((dir) => dir !== own && existsSync(join(dir, "node.json")));
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

  it("joins the cluster, runs a scheduled pod on its bridge that answers from the host and through a Service, and leaves nothing behind when stopped", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const etcdImage = await harnessImage("etcd");
    const machineBefore = machineState();
    const othersBefore = otherNodes("");
    node = await startRealNode({
      name: "real-0",
      server: api().nodeServer,
      clusterCA: { certificatePem: readFileSync(api().pki.caCert, "utf8"), privateKeyPem: readFileSync(api().pki.caKey, "utf8") },
      images: [etcdImage],
      kubeProxy: { clusterCIDR: "10.242.0.0/16" },
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
    // kube-proxy in the node's namespace: the Service answers at its NodePort on the node's address, and at its ClusterIP inside the node.
    const service = await core.createNamespacedService({
      namespace: "default",
      body: { metadata: { name: "etcd" }, spec: { type: "NodePort", selector: { app: "etcd" }, ports: [{ port: 2379, targetPort: 2379 }] } },
    });
    const nodePort = service.spec?.ports?.[0]?.nodePort ?? 0;
    const viaNodePort = await eventually(
      () => fetch(`http://${node?.address ?? ""}:${nodePort}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.json() as Promise<{ health?: string }>),
      (body) => body.health === "true",
      { timeoutMs: 30_000, description: `NodePort ${nodePort} on ${node.address}` },
    );
    expect(viaNodePort.health).toBe("true");
    const viaClusterIP = spawnSync("nsenter", [`--net=/run/netns/${node.namespace.name}`, "--", "curl", "-sS", "-m", "5", `http://${service.spec?.clusterIP ?? ""}:2379/health`], { encoding: "utf8" });
    expect(viaClusterIP.stdout).toContain('"health":"true"');
    // The toolbox every node imports: a shell as nonroot, and busybox's wget (the Service by its ClusterIP), nc (the pod) and nslookup.
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "toolbox" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "toolbox",
              image: toolboxImageName,
              imagePullPolicy: "IfNotPresent",
              env: [
                { name: "SERVICE", value: service.spec?.clusterIP ?? "" },
                { name: "POD", value: podIP },
              ],
              command: [
                "sh",
                "-c",
                [
                  'echo "uid $(id -u) on $(hostname)"',
                  "wget -q -O - http://$SERVICE:2379/health; echo",
                  // Writing stays open a moment: etcd cancels a request whose client half-closed.
                  "(printf 'GET /health HTTP/1.0\\r\\n\\r\\n'; sleep 1) | nc -w 5 $POD 2379 | tail -n 1; echo",
                  "nslookup 2>&1 | grep -q '^Usage: nslookup' && echo nslookup-ok",
                ].join("\n"),
              ],
            },
          ],
        },
      },
    });
    const toolbox = await eventually(
      () => core.readNamespacedPod({ namespace: "default", name: "toolbox" }),
      (p) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed",
      { timeoutMs: 60_000, description: "pod toolbox finished" },
    );
    const toolboxLog = await core.readNamespacedPodLog({ namespace: "default", name: "toolbox" });
    expect({ phase: toolbox.status?.phase, lines: toolboxLog.split("\n").filter((line) => line !== "") }).toEqual({
      phase: "Succeeded",
      lines: ["uid 65532 on toolbox", expect.stringContaining('"health":"true"'), expect.stringContaining('"health":"true"'), "nslookup-ok"],
    });
    // The API server reaches the kubelet (InternalIP, its serving certificate checked) for the container's log.
    const log = await core.readNamespacedPodLog({ namespace: "default", name: "etcd" });
    expect(log).toContain("serving client traffic insecurely");

    const before = traces(node);
    expect(before.mounts).not.toEqual([]);
    expect(before.namespace).toBe(true);
    expect(before.link).toContain(node.namespace.hostLink);
    expect(before.routes).not.toEqual([]);
    expect(before.cgroups).not.toEqual([]);

    await node.stop();
    expect(traces(node)).toEqual(nothingLeft);
    // The machine-wide directories and ip_forward are shared by every node of
    // the machine: they are as before only when no other node ran meanwhile
    // (tests of other files may run nodes at the same time).
    if (otherNodes(node.dir).length === 0 && othersBefore.length === 0) expect(machineState()).toEqual(machineBefore);
    else process.stderr.write(`[real-node] machine-wide state not compared: other nodes run (${[...othersBefore, ...otherNodes(node.dir)].join(", ")})\n`);
  }, 150_000);

  it("is cleared by the next node when the process that started it died without stopping it", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const child = spawn(process.execPath, [new URL("./fixtures/abandoned-node.ts", import.meta.url).pathname], {
      env: { ...process.env, NODE_NAME: "crashed-0", API_SERVER: api().nodeServer, CA_CERT: api().pki.caCert, CA_KEY: api().pki.caKey, PAUSE_IMAGE: pauseImageName() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const started = await new Promise<Pick<RealNode, "dir" | "network" | "namespace" | "cgroupRoot">>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(JSON.parse(out) as Pick<RealNode, "dir" | "network" | "namespace" | "cgroupRoot">);
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
    expect(left.namespace).toBe(true);
    expect(left.cniCache).not.toEqual([]);

    expect(await sweepAbandonedNodes()).toContain(started.dir);
    expect(traces(started)).toEqual(nothingLeft);
  }, 120_000);
});
