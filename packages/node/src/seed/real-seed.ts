import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { componentLogs, reservePorts, startStandaloneControlPlane, type PKIFiles, type PortReservation, type StandaloneControlPlane, type StandalonePorts } from "@seedbed/controlplane";
import type { BuiltImage } from "@seedbed/images";
import { apply, ObjectClient } from "@seedbed/runtime";
import { localImage } from "../local-images.ts";
import { machineAddress } from "../machine-address.ts";
import { startRealNode, type RealNode } from "../real-node.ts";
import { defaultStorageClassName } from "../storage/names.ts";
import { startLocalVolumeProvisioner, type LocalVolumeProvisioner } from "../storage/provisioner.ts";
import { seedDNSManifests } from "./dns.ts";
import { KeptSubnets } from "./kept-subnets.ts";
import { waitUntil } from "./wait.ts";

/** Options of a one-machine real seed. */
export interface RealSeedOptions {
  /** Holds the control plane's data, certificates and logs, and the volumes; reused when it exists. */
  readonly dir: string;
  /** How many real nodes (default 1), named seed-0, seed-1, … */
  readonly nodes?: number;
  readonly kubernetesVersion?: string;
  /** Imported into every node besides CoreDNS and pause, e.g. the control-plane images tenants run. */
  readonly images?: readonly BuiltImage[];
  /** The control plane's loopback ports; reserved here when absent (and released on stop). */
  readonly ports?: StandalonePorts;
  /** Supervise the control plane (restart on crash, adopt after a restart of the caller) under this marker prefix. */
  readonly supervise?: { readonly markerPrefix: string };
  /** Only for throw-away seeds: etcd skips fsync. */
  readonly unsafeNoFsync?: boolean;
  /** How long the nodes and the DNS may take to get Ready; default 120 s. */
  readonly readyTimeoutMs?: number;
}

/** A running seed: what the operator needs to host control planes in it. */
export interface RealSeed {
  /** https://127.0.0.1:port: the seed's API for clients on this machine. */
  readonly server: string;
  /** An admin kubeconfig as YAML, and its file. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  readonly pki: PKIFiles;
  readonly nodes: readonly RealNode[];
  /** The default StorageClass, backed by directories on this machine. */
  readonly storageClassName: string;
  /** Every component's and node's log, each under a header. */
  logs(): string;
  /** Stops the provisioner, the nodes (leaving nothing of them on the machine) and the control plane; keeps `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** The seed's own networks: Services, and the pods its nodes' /24s come from. */
export const seedNetwork = { serviceCIDR: "10.96.0.0/16", podCIDR: "10.242.0.0/16", dnsAddress: "10.96.0.10", dnsDomain: "cluster.local" } as const;

/**
 * Starts a Kubernetes cluster on this machine that hosts real pods: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler as local
 * processes, real nodes (containerd, kubelet, kube-proxy and the
 * NetworkPolicy agent, each node in a network namespace of its own),
 * CoreDNS, and a default StorageClass with
 * its provisioner. What it needs is built here (images) or installed by
 * `make node-bins`. If anything fails to come up, whatever started is
 * stopped before the error is thrown.
 */
export async function startRealSeed(options: RealSeedOptions): Promise<RealSeed> {
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const coredns = await localImage("coredns");
  let reservation: PortReservation | undefined;
  let plane: StandaloneControlPlane | undefined;
  let provisioner: LocalVolumeProvisioner | undefined;
  const nodes: RealNode[] = [];
  const stopAll = async (): Promise<void> => {
    await provisioner?.stop();
    // Nodes first: their pods go while the API still answers the kubelets.
    const results = await Promise.allSettled(nodes.map((n) => n.stop()));
    await plane?.stop();
    reservation?.release();
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw new Error(`the seed's nodes were not fully removed: ${failed.map((f) => String(f.reason)).join("; ")}`);
  };
  try {
    let ports = options.ports;
    if (ports === undefined) {
      reservation = await reservePorts(5);
      const [apiServer = 0, etcdClient = 0, etcdPeer = 0, controllerManager = 0, scheduler = 0] = reservation.ports;
      ports = { apiServer, etcdClient, etcdPeer, controllerManager, scheduler };
    }
    plane = await startStandaloneControlPlane({
      dir: join(options.dir, "control-plane"),
      ports,
      kubernetesVersion: options.kubernetesVersion,
      controllerManager: true,
      scheduler: true,
      serviceClusterIPRange: seedNetwork.serviceCIDR,
      nodeAddress: machineAddress(),
      unsafeNoFsync: options.unsafeNoFsync,
      ...(options.supervise ? { supervise: options.supervise } : {}),
    });
    const kc = new KubeConfig();
    kc.loadFromString(plane.kubeconfig);
    const clusterCA = { certificatePem: readFileSync(plane.pki.caCert, "utf8"), privateKeyPem: readFileSync(plane.pki.caKey, "utf8") };
    const count = options.nodes ?? 1;
    // Each node keeps its subnet and so its address across restarts: the
    // clusters' published endpoints (and kubeconfigs handed out) name it.
    const subnets = new KeptSubnets(join(options.dir, "node-subnets.json"));
    for (let i = 0; i < count; i++) {
      const name = `seed-${i}`;
      const node = await startRealNode({
        name,
        podSubnet: subnets.get(name),
        server: plane.nodeServer,
        clusterCA,
        kubernetesVersion: options.kubernetesVersion,
        images: [coredns, ...(options.images ?? [])],
        kubeProxy: { clusterCIDR: seedNetwork.podCIDR },
        // The tenants' NetworkPolicies (default-deny, etcd only from their kube-apiserver) hold.
        networkPolicies: true,
        clusterDNS: { address: seedNetwork.dnsAddress, domain: seedNetwork.dnsDomain },
      });
      nodes.push(node);
      subnets.set(name, node.network.subnet);
    }
    provisioner = await startLocalVolumeProvisioner({ kubeConfig: kc, baseDir: join(options.dir, "volumes") });
    const client = ObjectClient.fromKubeConfig(kc);
    for (const object of seedDNSManifests({ image: coredns.names[0] ?? "", address: seedNetwork.dnsAddress, domain: seedNetwork.dnsDomain })) await apply(client, object);
    await waitForSeedReady(kc, nodes, timeoutMs);
  } catch (error) {
    await stopAll().catch((cleanupError: unknown) => process.stderr.write(`[seedbed/node] stopping a seed that failed to start: ${String(cleanupError)}\n`));
    throw error;
  }

  const started = plane;
  let stopped: Promise<void> | undefined;
  return {
    server: started.server,
    kubeconfig: started.kubeconfig,
    kubeconfigPath: started.kubeconfigPath,
    kubeConfig(): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromString(started.kubeconfig);
      return kc;
    },
    pki: started.pki,
    nodes,
    storageClassName: defaultStorageClassName,
    logs: () => [componentLogs(started.logFiles), ...nodes.map((n) => n.logs())].join("\n"),
    stop(): Promise<void> {
      stopped ??= stopAll();
      return stopped;
    },
  };
}

/** Every node Ready and CoreDNS available: pods scheduled from now on resolve names and reach Services. */
async function waitForSeedReady(kc: KubeConfig, nodes: readonly RealNode[], timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const node of nodes) {
    await waitUntil(
      async () => (await core.readNode({ name: node.name })).status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      { deadline, what: `node ${node.name} Ready`, logs: () => node.logs() },
    );
  }
  await waitUntil(async () => ((await apps.readNamespacedDeployment({ namespace: "kube-system", name: "coredns" })).status?.availableReplicas ?? 0) > 0, {
    deadline,
    what: "CoreDNS available in kube-system",
    logs: () => nodes.map((n) => n.logs()).join("\n"),
  });
}
