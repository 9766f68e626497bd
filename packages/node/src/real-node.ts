import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPath } from "@seedbed/binaries";
import { componentLogs, logTail, ManagedProcess, waitForReady } from "@seedbed/controlplane";
import { importImage as importIntoContainerd, type BuiltImage } from "@seedbed/images";
import { renderCNIConfig, type PodNetwork } from "./cni-config.ts";
import { renderContainerdConfig } from "./containerd-config.ts";
import { createCgroupRoot, ensureInotifyLimits } from "./host.ts";
import { localImage } from "./local-images.ts";
import { renderKubeletConfig } from "./kubelet-config.ts";
import { renderKubeProxyConfig } from "./kube-proxy-config.ts";
import { grantNetworkPolicyAgent, networkPolicyAgentArgs, networkPolicyAgentHealthPort } from "./network-policies.ts";
import { nodeLayout, type NodeLayout } from "./layout.ts";
import { createNodeNamespace, enableHostForwarding, inNamespace, nodeNamespace, type NodeNamespace } from "./netns.ts";
import { writeNodeCredentials, type ClusterCA } from "./node-pki.ts";
import { reservePodSubnet, type SubnetReservation } from "./subnets.ts";
import { nodeDirPrefix, readIPForward, sweepAbandonedNodes, tearDown, writeNodeRecord, type NodeRecord } from "./teardown.ts";


/** Options of a real node. */
export interface RealNodeOptions {
  /** The Node's name (a DNS label). */
  readonly name: string;
  /**
   * The API server the kubelet registers with, https://host:port, at an
   * address the node's network namespace reaches (this machine's own
   * address, not 127.0.0.1, which is the namespace's own loopback).
   */
  readonly server: string;
  /** Signs the kubelet's client and serving certificates. */
  readonly clusterCA: ClusterCA;
  readonly kubernetesVersion?: string;
  /** Imported into the node's containerd before the kubelet starts (the pause image always is). */
  readonly images?: readonly BuiltImage[];
  /** Static pod manifests, run by the kubelet without the API server's say. */
  readonly staticPods?: readonly object[];
  /** How long containerd and the kubelet may take to come up; default 60 s. */
  readonly readyTimeoutMs?: number;
  /** Run kube-proxy (iptables mode, in the node's namespace) for this pod CIDR of the cluster: Services then work on the node. */
  readonly kubeProxy?: { readonly clusterCIDR: string };
  /** The pod subnet (10.244.N.0/24) to take when it is free: the one this node had before, so that its address (10.243.N.2) stays. */
  readonly podSubnet?: string;
  /** The cluster's DNS Service address and domain, written into every pod's resolv.conf. */
  readonly clusterDNS?: { readonly address: string; readonly domain: string };
  /**
   * Enforce NetworkPolicies on this node: kube-network-policies (nftables and
   * NFQUEUE) in the node's namespace, with its RBAC applied through the
   * cluster CA (network-policies.ts). Without it, policies are accepted by
   * the API and ignored by the bridge.
   */
  readonly networkPolicies?: boolean;
}

/** A kubelet with its own containerd, runc and CNI bridge on this machine. */
export interface RealNode {
  readonly name: string;
  readonly dir: string;
  /** The CNI network: its name, bridge and pod subnet. */
  readonly network: PodNetwork;
  /** The node's network namespace and addresses. */
  readonly namespace: NodeNamespace;
  /** The node's InternalIP: this machine reaches its kubelet, NodePorts and pods there. */
  readonly address: string;
  /** The parent of the node's pod cgroups, e.g. /seedbed-ab12cd. */
  readonly cgroupRoot: string;
  readonly containerdSocket: string;
  /** Loads an image into the node's containerd (namespace k8s.io, where the CRI looks). */
  importImage(image: BuiltImage): Promise<void>;
  /** Pids of containerd, the kubelet, kube-proxy and kube-network-policies. */
  pids(): ReadonlyMap<string, number>;
  /** The logs of containerd, the kubelet, kube-proxy, kube-network-policies and the teardown, each under a header. */
  logs(): string;
  /**
   * Stops the kubelet, removes every pod through the CRI (which runs the CNI
   * DEL of each), stops containerd, and removes whatever is left: processes,
   * cgroups, mounts, the network namespace, the directory. Safe to call
   * twice.
   */
  stop(): Promise<void>;
}

/** Where Debian's containernetworking-plugins puts the CNI plugins. */
const cniBinDir = "/usr/lib/cni";

/** Nodes still running in this process: their processes are killed if it exits without stopping them. */
const running = new Set<Map<string, ManagedProcess>>();
let exitHookInstalled = false;

/**
 * Starts containerd and a kubelet (and kube-proxy when asked) in a network
 * namespace of their own, registered with `options.server`; resolves once
 * the kubelet is healthy.
 */
export async function startRealNode(options: RealNodeOptions): Promise<RealNode> {
  checkHost();
  const kubelet = binaryPath("kubelet", { kubernetesVersion: options.kubernetesVersion });
  const criClean = binaryPath("cri-clean", { kubernetesVersion: options.kubernetesVersion });
  const kubeProxy = options.kubeProxy === undefined ? undefined : binaryPath("kube-proxy", { kubernetesVersion: options.kubernetesVersion });
  const netpol = options.networkPolicies === true ? binaryPath("kube-network-policies") : undefined;
  const pause = await localImage("pause");
  const timeoutMs = options.readyTimeoutMs ?? 60_000;

  const id = randomBytes(3).toString("hex");
  const layout = nodeLayout(mkdtempSync(join(tmpdir(), nodeDirPrefix)));
  const cgroupRoot = `/seedbed-${id}`;
  const processes = new Map<string, ManagedProcess>();
  let subnet: SubnetReservation | undefined;
  let record: NodeRecord | undefined;
  const teardown = async (): Promise<void> => {
    if (record) return tearDown({ layout, record, processes, criClean, subnet });
    // Nothing made on the machine yet.
    rmSync(layout.dir, { recursive: true, force: true });
    subnet?.release();
  };
  installExitHook();
  running.add(processes);
  try {
    await sweepAbandonedNodes();
    subnet = reservePodSubnet(options.podSubnet);
    const network: PodNetwork = { name: `seedbed-${id}`, bridge: `sbr-${id}`, subnet: subnet.subnet };
    const namespace = nodeNamespace(id, subnet.subnet);
    record = { ownerPid: process.pid, network, namespace, cgroupRoot, ipForward: readIPForward() };
    writeNodeRecord(layout, record);
    createNodeNamespace(namespace);
    enableHostForwarding();
    for (const d of [layout.logDir, layout.imageDir, layout.containerd.root, layout.containerd.state, layout.cni.confDir, layout.cni.ipamDir, layout.kubelet.rootDir, layout.kubelet.podLogsDir, layout.kubelet.staticPodDir]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
    }
    writeFileSync(layout.containerd.config, renderContainerdConfig({ layout, sandboxImage: pause.names[0] ?? "", cniBinDir }));
    writeFileSync(join(layout.cni.confDir, "10-seedbed.conflist"), renderCNIConfig(network, layout));
    const credentials = await writeNodeCredentials({ name: options.name, address: namespace.nodeAddress, server: options.server, ca: options.clusterCA, pkiDir: layout.kubelet.pkiDir, kubeconfigPath: layout.kubelet.kubeconfig, kubeProxyKubeconfigPath: layout.kubeProxy.kubeconfig });
    writeFileSync(
      layout.kubelet.config,
      renderKubeletConfig({
        layout,
        address: namespace.nodeAddress,
        cgroupRoot,
        clusterDNS: options.clusterDNS,
        clientCAFile: credentials.caFile,
        tlsCertFile: credentials.servingCertFile,
        tlsPrivateKeyFile: credentials.servingKeyFile,
        staticPods: (options.staticPods?.length ?? 0) > 0,
      }),
    );
    for (const [i, pod] of (options.staticPods ?? []).entries()) writeFileSync(join(layout.kubelet.staticPodDir, `pod-${i}.json`), JSON.stringify(pod));
    createCgroupRoot(cgroupRoot);

    processes.set("containerd", await start(layout, namespace, "containerd", "containerd", ["--config", layout.containerd.config]));
    await waitForContainerd(layout, processes.get("containerd"), timeoutMs);
    for (const image of [pause, ...(options.images ?? [])]) await importImage(layout, image);

    const kubeletProc = await start(layout, namespace, "kubelet", kubelet, [
      `--config=${layout.kubelet.config}`,
      `--kubeconfig=${credentials.kubeconfig}`,
      `--root-dir=${layout.kubelet.rootDir}`,
      `--hostname-override=${options.name}`,
      `--node-ip=${namespace.nodeAddress}`,
    ]);
    processes.set("kubelet", kubeletProc);
    await waitForReady({ url: `http://${namespace.nodeAddress}:${kubeletHealthzPort}/healthz`, tls: {}, process: kubeletProc, timeoutMs });
    if (kubeProxy !== undefined && options.kubeProxy !== undefined) {
      writeFileSync(layout.kubeProxy.config, renderKubeProxyConfig({ kubeconfig: layout.kubeProxy.kubeconfig, clusterCIDR: options.kubeProxy.clusterCIDR, nodeAddress: namespace.nodeAddress }));
      const proxyProc = await start(layout, namespace, "kube-proxy", kubeProxy, [`--config=${layout.kubeProxy.config}`, `--hostname-override=${options.name}`]);
      processes.set("kube-proxy", proxyProc);
      await waitForReady({ url: `http://${namespace.nodeAddress}:${kubeProxyHealthzPort}/healthz`, tls: {}, process: proxyProc, timeoutMs });
    }
    if (netpol !== undefined) {
      // After the kubelet: the agent only decides for pods bound to this Node.
      await grantNetworkPolicyAgent({ server: options.server, ca: options.clusterCA, kubeconfigPath: layout.networkPolicies.kubeconfig });
      const agentProc = await start(layout, namespace, "kube-network-policies", netpol, networkPolicyAgentArgs({ kubeconfig: layout.networkPolicies.kubeconfig, nodeName: options.name, nodeAddress: namespace.nodeAddress }));
      processes.set("kube-network-policies", agentProc);
      // Healthy once its nftables table is in the namespace: from then on, policies hold.
      await waitForReady({ url: `http://${namespace.nodeAddress}:${networkPolicyAgentHealthPort}/healthz`, tls: {}, process: agentProc, timeoutMs });
    }

    let stopped: Promise<void> | undefined;
    return {
      name: options.name,
      dir: layout.dir,
      network,
      namespace,
      address: namespace.nodeAddress,
      cgroupRoot,
      containerdSocket: layout.containerd.socket,
      importImage: (image) => importImage(layout, image),
      pids: () => new Map([...processes].map(([name, proc]) => [name, proc.pid])),
      logs: () => nodeLogs(layout),
      stop(): Promise<void> {
        stopped ??= teardown().finally(() => running.delete(processes));
        return stopped;
      },
    };
  } catch (error) {
    // Nothing half-made: whatever started is torn down before the error goes up.
    const logs = nodeLogs(layout);
    await teardown().catch((cleanupError: unknown) => process.stderr.write(`[seedbed/testing] node teardown after a failed start: ${String(cleanupError)}\n`));
    running.delete(processes);
    if (error instanceof Error) error.message += `\n${logs.split("\n").slice(-80).join("\n")}`;
    throw error;
  }
}

/** Fails with the command that fixes it when the machine lacks what a node needs. */
function checkHost(): void {
  if (process.getuid?.() !== 0) throw new Error("a real node needs root: it mounts, creates network interfaces, cgroups and iptables rules");
  const missing = ["/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc", "/usr/bin/nsenter", `${cniBinDir}/bridge`, `${cniBinDir}/host-local`, `${cniBinDir}/loopback`, "/usr/sbin/iptables"].filter((file) => {
    try {
      accessSync(file);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`a real node needs ${missing.join(", ")}: install them with tools/node/ensure-containerd.sh`);
  ensureInotifyLimits();
}

/** The kubelet's and kube-proxy's health ports on the node's address: each node has its own namespace, so the defaults do. */
const kubeletHealthzPort = 10248;
const kubeProxyHealthzPort = 10256;

/** Starts one of the node's processes inside its network namespace. */
function start(layout: NodeLayout, namespace: NodeNamespace, name: string, binary: string, binaryArgs: readonly string[]): Promise<ManagedProcess> {
  const { command, args } = inNamespace(namespace, binary, binaryArgs);
  return ManagedProcess.start(
    // containerd finds its shim and runc on PATH, and the CNI plugins and kube-proxy iptables.
    { name, command, args, env: { PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` } },
    { logFile: join(layout.logDir, `${name}.log`), cwd: layout.dir },
  );
}

async function waitForContainerd(layout: NodeLayout, proc: ManagedProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc?.exitStatus) throw new Error(`containerd exited before it served ${layout.containerd.socket}:\n${logTail(join(layout.logDir, "containerd.log"))}`);
    if (spawnSync("ctr", ["--address", layout.containerd.socket, "version"], { stdio: "ignore" }).status === 0) return;
    await sleep(100);
  }
  throw new Error(`containerd did not serve ${layout.containerd.socket} within ${timeoutMs} ms:\n${logTail(join(layout.logDir, "containerd.log"))}`);
}

async function importImage(layout: NodeLayout, image: BuiltImage): Promise<void> {
  await importIntoContainerd(image.path, { address: layout.containerd.socket });
}

function nodeLogs(layout: NodeLayout): string {
  return componentLogs(["containerd", "kubelet", "kube-proxy", "kube-network-policies", "cri-clean"].map((name) => [name, join(layout.logDir, `${name}.log`)] as const));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A runner that exits must not leave a kubelet running; what the node made
  // on the machine stays until the next startRealNode sweeps it (node.json).
  process.once("exit", () => {
    for (const processes of running) for (const proc of processes.values()) proc.signal("SIGKILL");
  });
}
