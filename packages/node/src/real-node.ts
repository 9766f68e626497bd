import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPath } from "@seedbed/binaries";
import { componentLogs, logTail, ManagedProcess, waitForReady } from "@seedbed/controlplane";
import { importImage as importIntoContainerd, type BuiltImage } from "@seedbed/images";
import { podRangesOf, renderCNIConfig, renderCNIConfigTemplate, renderedCNIConfigName, type PodNetwork } from "./cni-config.ts";
import { renderContainerdConfig } from "./containerd-config.ts";
import { createCgroupRoot, ensureInotifyLimits } from "./host.ts";
import { localImage, toolboxImage } from "./local-images.ts";
import { renderKubeletConfig } from "./kubelet-config.ts";
import { renderKubeProxyConfig } from "./kube-proxy-config.ts";
import { grantNetworkPolicyAgent, networkPolicyAgentArgs, networkPolicyAgentHealthPort } from "./network-policies.ts";
import { nodeLayout, type NodeLayout } from "./layout.ts";
import { createNodeNamespace, enableHostForwarding, inNamespace, nodeNamespace, routePodRange, type NodeNamespace } from "./netns.ts";
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
   * Required, as `clusterCA` is, unless the node joins (`join`).
   */
  readonly server?: string;
  /** Signs the kubelet's client and serving certificates. */
  readonly clusterCA?: ClusterCA;
  readonly kubernetesVersion?: string;
  /** Imported into the node's containerd before the kubelet starts (the pause, toolbox and CoreDNS images always are). */
  readonly images?: readonly BuiltImage[];
  /** Static pod manifests, run by the kubelet without the API server's say. */
  readonly staticPods?: readonly object[];
  /** How long containerd and the kubelet may take to come up; default 60 s. */
  readonly readyTimeoutMs?: number;
  /** Run kube-proxy (iptables mode, in the node's namespace) for this pod CIDR of the cluster: Services then work on the node. */
  readonly kubeProxy?: { readonly clusterCIDR: string };
  /** The pod subnet (10.242.N.0/24) to take when it is free: the one this node had before, so that its address (10.243.N.2) stays. */
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
  /**
   * Join the cluster as a cloud machine does (TLS bootstrap with a token)
   * instead of with credentials signed here; the pods then take the Node's
   * pod range from the cluster. `server` and `clusterCA` are not used.
   */
  readonly join?: NodeJoin;
  /**
   * The node's directory, made when missing. Without it, a fresh one under
   * the temporary directory, which the next node started on this machine
   * clears if this process dies; a directory given here is its owner's to
   * clear (clearAbandonedNode).
   */
  readonly dir?: string;
}

/** How a node joins its cluster with a bootstrap token, as machine user data tells a kubelet. */
export interface NodeJoin {
  /** The bootstrap kubeconfig (a token): the kubelet trades it for a client certificate through a CSR. */
  readonly bootstrapKubeconfig: string;
  /** Where the kubelet writes the kubeconfig of its own certificate; kube-proxy uses it too. */
  readonly kubeconfig: string;
  /** The cluster CA the kubelet trusts for clients (its file, as the user data wrote it). */
  readonly clientCAFile: string;
  /** The user data's KubeletConfiguration, which this machine's settings are laid over. */
  readonly kubeletConfiguration: Readonly<Record<string, unknown>>;
  /** Further kubelet flags of the user data (--node-labels=…). */
  readonly kubeletArgs: readonly string[];
  /** Run kube-proxy once the kubelet has its certificate, with this kubeconfig (the kubelet's, in Seedbed's user data). */
  readonly kubeProxy?: { readonly clusterCIDR: string; readonly kubeconfig: string };
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
  /**
   * Resolves once a joining node has its client certificate, its pod range
   * routed and kube-proxy running (at once for other nodes); rejects if the
   * kubelet exits first, with the end of its log (a refused token shows there).
   */
  readonly joined: Promise<void>;
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
  /**
   * Stops owning the node: its processes keep running when this process
   * exits (they run detached), as a booted machine runs without whoever
   * started it. Whoever clears the node's directory later removes them
   * (clearAbandonedNode).
   */
  release(): void;
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
  const pause = await localImage("pause");
  // Every node has the toolbox, so pods here have a shell and network tools without a registry.
  const toolbox = await toolboxImage();
  // And CoreDNS, the add-on every cluster gets, named as Seedbed renders it under the local registry (seedbed up's image mirror).
  const coredns = await localImage("coredns");
  const timeoutMs = options.readyTimeoutMs ?? 60_000;

  const id = randomBytes(3).toString("hex");
  if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const layout = nodeLayout(options.dir ?? mkdtempSync(join(tmpdir(), nodeDirPrefix)));
  const { join: joining } = options;
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
    createNodeNamespace(namespace, { routePodSubnet: joining === undefined });
    enableHostForwarding();
    for (const d of [layout.logDir, layout.imageDir, layout.containerd.root, layout.containerd.state, layout.cni.confDir, layout.cni.ipamDir, layout.kubelet.rootDir, layout.kubelet.podLogsDir, layout.kubelet.staticPodDir]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
    }
    const kubeletCredentialArgs = await writeNodeConfiguration({ options, layout, network, namespace, cgroupRoot, sandboxImage: pause.names[0] ?? "" });
    createCgroupRoot(cgroupRoot);

    processes.set("containerd", await start(layout, namespace, "containerd", "containerd", ["--config", layout.containerd.config]));
    await waitForContainerd(layout, processes.get("containerd"), timeoutMs);
    for (const image of [pause, toolbox, coredns, ...(options.images ?? [])]) await importImage(layout, image);

    const kubeletProc = await start(layout, namespace, "kubelet", kubelet, [
      `--config=${layout.kubelet.config}`,
      ...kubeletCredentialArgs,
      `--root-dir=${layout.kubelet.rootDir}`,
      `--hostname-override=${options.name}`,
      `--node-ip=${namespace.nodeAddress}`,
    ]);
    processes.set("kubelet", kubeletProc);
    await waitForReady({ url: `http://${namespace.nodeAddress}:${kubeletHealthzPort}/healthz`, tls: {}, process: kubeletProc, timeoutMs });
    if (!joining) await startStandaloneExtras({ options, layout, namespace, processes, timeoutMs });

    let stopped: Promise<void> | undefined;
    const joined = joining
      ? completeJoin({ layout, namespace, name: options.name, join: joining, kubelet: kubeletProc, processes, stopped: () => stopped !== undefined, kubeProxy: binaryPath("kube-proxy", { kubernetesVersion: options.kubernetesVersion }) })
      : Promise.resolve();
    // Whoever does not wait for it still must not crash the process on a rejection.
    joined.catch(() => undefined);
    return {
      name: options.name,
      dir: layout.dir,
      network,
      namespace,
      address: namespace.nodeAddress,
      cgroupRoot,
      containerdSocket: layout.containerd.socket,
      joined,
      importImage: (image) => importImage(layout, image),
      pids: () => new Map([...processes].map(([name, proc]) => [name, proc.pid])),
      logs: () => nodeLogs(layout),
      stop(): Promise<void> {
        stopped ??= teardown().finally(() => running.delete(processes));
        return stopped;
      },
      release(): void {
        running.delete(processes);
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

/** What writing a node's configuration needs. */
interface NodeConfigurationInput {
  readonly options: RealNodeOptions;
  readonly layout: NodeLayout;
  readonly network: PodNetwork;
  readonly namespace: NodeNamespace;
  readonly cgroupRoot: string;
  readonly sandboxImage: string;
}

/**
 * Writes the CNI, containerd and kubelet configuration (and the node's
 * credentials, unless it joins with a token); returns the kubelet's
 * credential flags.
 */
async function writeNodeConfiguration(input: NodeConfigurationInput): Promise<string[]> {
  const { options, layout, network, namespace, cgroupRoot } = input;
  const { join: joining } = options;
  const cniTemplate = join(layout.dir, "cni", "conflist.template");
  if (joining) writeFileSync(cniTemplate, renderCNIConfigTemplate(network, layout));
  else writeFileSync(join(layout.cni.confDir, "10-seedbed.conflist"), renderCNIConfig(network, layout));
  writeFileSync(layout.containerd.config, renderContainerdConfig({ layout, sandboxImage: input.sandboxImage, cniBinDir, ...(joining ? { cniConfigTemplate: cniTemplate } : {}) }));
  const credentials = joining
    ? undefined
    : await writeNodeCredentials({ name: options.name, address: namespace.nodeAddress, ...signer(options), pkiDir: layout.kubelet.pkiDir, kubeconfigPath: layout.kubelet.kubeconfig, kubeProxyKubeconfigPath: layout.kubeProxy.kubeconfig });
  writeFileSync(
    layout.kubelet.config,
    renderKubeletConfig({
      layout,
      address: namespace.nodeAddress,
      cgroupRoot,
      clusterDNS: options.clusterDNS,
      clientCAFile: credentials?.caFile ?? joining?.clientCAFile ?? "",
      tlsCertFile: credentials?.servingCertFile,
      tlsPrivateKeyFile: credentials?.servingKeyFile,
      base: joining?.kubeletConfiguration,
      staticPods: (options.staticPods?.length ?? 0) > 0,
    }),
  );
  for (const [i, pod] of (options.staticPods ?? []).entries()) writeFileSync(join(layout.kubelet.staticPodDir, `pod-${i}.json`), JSON.stringify(pod));
  if (!joining) return [`--kubeconfig=${credentials?.kubeconfig ?? ""}`];
  // The certificates it asks for go into the node's directory (the default, /var/lib/kubelet/pki, is the machine's, shared by every node).
  return [`--bootstrap-kubeconfig=${joining.bootstrapKubeconfig}`, `--kubeconfig=${joining.kubeconfig}`, `--cert-dir=${layout.kubelet.pkiDir}`, ...joining.kubeletArgs];
}

/** What starting a node's own kube-proxy and policy agent needs. */
interface ExtrasInput {
  readonly options: RealNodeOptions;
  readonly layout: NodeLayout;
  readonly namespace: NodeNamespace;
  readonly processes: Map<string, ManagedProcess>;
  readonly timeoutMs: number;
}

/** kube-proxy and the NetworkPolicy agent of a node with credentials signed here, when asked for. */
async function startStandaloneExtras(input: ExtrasInput): Promise<void> {
  const { options, layout, namespace, processes, timeoutMs } = input;
  if (options.kubeProxy !== undefined) {
    const kubeProxy = binaryPath("kube-proxy", { kubernetesVersion: options.kubernetesVersion });
    writeFileSync(layout.kubeProxy.config, renderKubeProxyConfig({ kubeconfig: layout.kubeProxy.kubeconfig, clusterCIDR: options.kubeProxy.clusterCIDR, nodeAddress: namespace.nodeAddress }));
    const proxyProc = await start(layout, namespace, "kube-proxy", kubeProxy, [`--config=${layout.kubeProxy.config}`, `--hostname-override=${options.name}`]);
    processes.set("kube-proxy", proxyProc);
    await waitForReady({ url: `http://${namespace.nodeAddress}:${kubeProxyHealthzPort}/healthz`, tls: {}, process: proxyProc, timeoutMs });
  }
  if (options.networkPolicies === true) {
    const netpol = binaryPath("kube-network-policies");
    // After the kubelet: the agent only decides for pods bound to this Node.
    await grantNetworkPolicyAgent({ ...signer(options), kubeconfigPath: layout.networkPolicies.kubeconfig });
    const agentProc = await start(layout, namespace, "kube-network-policies", netpol, networkPolicyAgentArgs({ kubeconfig: layout.networkPolicies.kubeconfig, nodeName: options.name, nodeAddress: namespace.nodeAddress }));
    processes.set("kube-network-policies", agentProc);
    // Healthy once its nftables table is in the namespace: from then on, policies hold.
    await waitForReady({ url: `http://${namespace.nodeAddress}:${networkPolicyAgentHealthPort}/healthz`, tls: {}, process: agentProc, timeoutMs });
  }
}

/** The API server and CA a node without `join` gets its credentials from. */
function signer(options: RealNodeOptions): { server: string; ca: ClusterCA } {
  if (options.server === undefined || options.clusterCA === undefined) throw new Error(`node ${options.name}: server and clusterCA are required unless the node joins with a bootstrap token (join)`);
  return { server: options.server, ca: options.clusterCA };
}

/**
 * A token the API server does not know yet (its Secret reaches the
 * authenticator's cache a moment after it is written) is refused too: only
 * a refusal that lasts this long means the token is bad.
 */
const tokenRefusalGraceMs = 20_000;
/** How long joining may take in all: certificate, pod range, kube-proxy. */
const joinTimeoutMs = 180_000;

/** The kubelet's last complaint about its certificates (the CSR it could not create, or one not approved), if any. */
function lastCertificateError(kubeletLog: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(kubeletLog, "utf8").slice(-64 * 1024);
  } catch {
    return undefined;
  }
  const lines = text.split("\n").filter((line) => line.startsWith("E") && /certificate/i.test(line));
  const last = lines.at(-1);
  return last === undefined ? undefined : (/err="([^"]*)"/.exec(last)?.[1] ?? last.slice(0, 300));
}

/** What finishing a join needs. */
interface JoinProgress {
  readonly layout: NodeLayout;
  readonly namespace: NodeNamespace;
  readonly name: string;
  readonly join: NodeJoin;
  readonly kubelet: ManagedProcess;
  readonly processes: Map<string, ManagedProcess>;
  readonly stopped: () => boolean;
  readonly kubeProxy: string;
}

/**
 * Waits for the kubelet's certificate (its kubeconfig appears) and for the
 * pod range containerd rendered from the Node's spec.podCIDR, routes that
 * range to the node, and starts kube-proxy with the kubelet's kubeconfig.
 */
async function completeJoin(progress: JoinProgress): Promise<void> {
  const { layout, namespace, join: joining, kubelet } = progress;
  const rendered = join(layout.cni.confDir, renderedCNIConfigName);
  const kubeletLog = join(layout.logDir, "kubelet.log");
  const startedAt = Date.now();
  const waitFor = async (what: string, ready: () => boolean): Promise<void> => {
    while (!ready()) {
      if (progress.stopped()) throw new Error(`node ${progress.name} stopped before ${what}`);
      if (kubelet.exitStatus) throw new Error(`the kubelet of ${progress.name} exited before ${what}:\n${logTail(kubeletLog)}`);
      const elapsed = Date.now() - startedAt;
      const refusal = elapsed >= tokenRefusalGraceMs ? lastCertificateError(kubeletLog) : undefined;
      if (refusal !== undefined && /Unauthorized/.test(refusal)) {
        throw new Error(`the cluster refused the bootstrap token of ${progress.name} (Unauthorized for ${Math.round(elapsed / 1000)} s): it is unknown, expired or revoked; a new machine gets a new token\nkubelet: ${refusal}`);
      }
      if (elapsed >= joinTimeoutMs) throw new Error(`node ${progress.name} did not finish joining within ${joinTimeoutMs / 1000} s (${what} is missing)\nkubelet: ${refusal ?? lastCertificateError(kubeletLog) ?? "no certificate error logged"}`);
      await sleep(250);
    }
  };
  // The kubelet writes its kubeconfig before the certificate it names exists: wait for the certificate.
  await waitFor("it got its client certificate", () => existsSync(join(layout.kubelet.pkiDir, "kubelet-client-current.pem")));
  await waitFor("the cluster gave it a pod range", () => existsSync(rendered));
  for (const range of podRangesOf(readFileSync(rendered, "utf8"))) routePodRange(namespace, range);
  if (joining.kubeProxy === undefined || progress.stopped()) return;
  mkdirSync(dirname(layout.kubeProxy.config), { recursive: true, mode: 0o700 });
  writeFileSync(layout.kubeProxy.config, renderKubeProxyConfig({ kubeconfig: joining.kubeProxy.kubeconfig, clusterCIDR: joining.kubeProxy.clusterCIDR, nodeAddress: namespace.nodeAddress }));
  const proxyProc = await start(layout, namespace, "kube-proxy", progress.kubeProxy, [`--config=${layout.kubeProxy.config}`, `--hostname-override=${progress.name}`]);
  progress.processes.set("kube-proxy", proxyProc);
  await waitForReady({ url: `http://${namespace.nodeAddress}:${kubeProxyHealthzPort}/healthz`, tls: {}, process: proxyProc, timeoutMs: 60_000 });
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
