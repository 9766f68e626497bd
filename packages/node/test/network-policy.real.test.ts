import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { CoreV1Api, NetworkingV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { seedLabels } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { localImage, startRealNode, type RealNode } from "../src/index.ts";
import { processesMentioning } from "../src/processes.ts";

const server = { namespace: "np-a", name: "server" };
const clientA = { namespace: "np-a", name: "client" };
const clientB = { namespace: "np-b", name: "client" };

/** An etcd pod (the images at hand have no shell): plain http on 2379, data in an emptyDir. */
function etcdPod(name: string, image: string, labels: Record<string, string>, readinessProbe: object): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      containers: [
        {
          name: "etcd",
          image,
          args: ["--data-dir=/var/lib/etcd/data", "--listen-client-urls=http://0.0.0.0:2379", "--advertise-client-urls=http://127.0.0.1:2379", "--listen-peer-urls=http://127.0.0.1:2380"],
          volumeMounts: [{ name: "data", mountPath: "/var/lib/etcd" }],
          readinessProbe,
        },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  };
}

/**
 * A client is Ready while `etcdctl endpoint health` against the server
 * succeeds from inside it: an exec probe runs in the pod's network
 * namespace, so each probe is a new connection from the pod's address,
 * which the policies judge. One failure makes it NotReady.
 */
function reachesServer(serverIP: string): object {
  return {
    exec: { command: ["/usr/local/bin/etcdctl", `--endpoints=http://${serverIP}:2379`, "--dial-timeout=2s", "--command-timeout=3s", "endpoint", "health"] },
    periodSeconds: 2,
    timeoutSeconds: 5,
    failureThreshold: 1,
    successThreshold: 1,
  };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

describe("NetworkPolicies on a real node", () => {
  const api = useKubeAPI({ controllers: true, realNodes: true });
  let node: RealNode | undefined;
  afterAll(async () => {
    await node?.stop();
  }, 120_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (node) process.stderr.write(`\n[network-policy] logs (last 60 lines each):\n${node.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-60).join("\n")).join("\n")}\n`);
    });
  });

  it("let a namespace's own client reach its server under default-deny and allow-from-namespace, keep another namespace's out, and let it in again once the policy goes", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const networking = kc.makeApiClient(NetworkingV1Api);
    const etcdImage = await localImage("etcd");
    const image = etcdImage.names[0] ?? "";
    node = await startRealNode({
      name: "netpol-0",
      server: api().nodeServer,
      clusterCA: { certificatePem: readFileSync(api().pki.caCert, "utf8"), privateKeyPem: readFileSync(api().pki.caKey, "utf8") },
      images: [etcdImage],
      kubeProxy: { clusterCIDR: "10.242.0.0/16" },
      networkPolicies: true,
      readyTimeoutMs: 120_000,
    });
    expect(node.pids().has("kube-network-policies")).toBe(true);

    for (const namespace of ["np-a", "np-b"]) {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await eventually(() => core.listNamespacedServiceAccount({ namespace }), (l) => l.items.some((sa) => sa.metadata?.name === "default"), { timeoutMs: 30_000, description: `service account default in ${namespace}` });
    }
    await core.createNamespacedPod({ namespace: server.namespace, body: etcdPod(server.name, image, { app: "server" }, { httpGet: { path: "/health", port: 2379 }, periodSeconds: 1 }) });
    const serverPod = await eventually(() => core.readNamespacedPod(server), isReady, { timeoutMs: 120_000, description: "the server pod Ready" });
    const serverIP = serverPod.status?.podIP ?? "";
    expect(serverIP).not.toBe("");
    for (const client of [clientA, clientB]) {
      await core.createNamespacedPod({ namespace: client.namespace, body: etcdPod(client.name, image, { app: "client" }, reachesServer(serverIP)) });
    }

    // No policy yet: both reach the server.
    for (const client of [clientA, clientB]) {
      await eventually(() => core.readNamespacedPod(client), isReady, { timeoutMs: 120_000, description: `${client.namespace}/${client.name} reaching the server without a policy` });
    }

    // Default-deny ingress in np-a, and the server open to np-a's pods only.
    await networking.createNamespacedNetworkPolicy({
      namespace: "np-a",
      body: { metadata: { name: "default-deny" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
    });
    await networking.createNamespacedNetworkPolicy({
      namespace: "np-a",
      body: {
        metadata: { name: "server-from-np-a" },
        spec: {
          podSelector: { matchLabels: { app: "server" } },
          policyTypes: ["Ingress"],
          // client-node names the field _from (from is a reserved word in its generator).
          ingress: [{ _from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "np-a" } } }], ports: [{ protocol: "TCP", port: 2379 }] }],
        },
      },
    });
    await eventually(() => core.readNamespacedPod(clientB), (p) => !isReady(p), { timeoutMs: 60_000, description: "np-b/client cut off from the server by the policy" });
    // np-b's client is out: a few probes later it is still out, while np-a's still gets in.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    expect(isReady(await core.readNamespacedPod(clientB))).toBe(false);
    expect(isReady(await core.readNamespacedPod(clientA))).toBe(true);
    // So is this machine: not in np-a either (the node's own root processes, such as the kubelet's probes, are let through).
    const fromMachine = spawnSync("curl", ["-sS", "-m", "3", `http://${serverIP}:2379/health`], { encoding: "utf8" });
    expect(fromMachine.status).not.toBe(0);
    expect(isReady(await core.readNamespacedPod(server))).toBe(true);

    // The policy goes: np-b's client reaches the server again.
    await networking.deleteNamespacedNetworkPolicy({ namespace: "np-a", name: "server-from-np-a" });
    await networking.deleteNamespacedNetworkPolicy({ namespace: "np-a", name: "default-deny" });
    await eventually(() => core.readNamespacedPod(clientB), isReady, { timeoutMs: 60_000, description: "np-b/client reaching the server once the policies are gone" });
    expect(isReady(await core.readNamespacedPod(clientA))).toBe(true);
  }, 600_000);

  it("hold a tenant's etcd to its kube-apiserver under the seed driver's default-deny (an empty ingress list)", async () => {
    expect(node).toBeDefined();
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const networking = api().kubeConfig().makeApiClient(NetworkingV1Api);
    const image = (await localImage("etcd")).names[0] ?? "";
    const id = "np1";
    const namespace = `cluster-${id}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await eventually(() => core.listNamespacedServiceAccount({ namespace }), (l) => l.items.some((sa) => sa.metadata?.name === "default"), { timeoutMs: 30_000, description: `service account default in ${namespace}` });
    // The shape renderNetworkPolicies (controlplane/src/seed/network.ts) gives: default-deny with `ingress: []`, etcd's clients only from the kube-apiserver.
    await networking.createNamespacedNetworkPolicy({ namespace, body: { metadata: { name: "default-deny" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [] } } });
    await networking.createNamespacedNetworkPolicy({
      namespace,
      body: {
        metadata: { name: "etcd" },
        spec: {
          podSelector: { matchLabels: seedLabels(id, "etcd") },
          policyTypes: ["Ingress"],
          ingress: [{ _from: [{ podSelector: { matchLabels: seedLabels(id, "kube-apiserver") } }], ports: [{ port: 2379 }] }],
        },
      },
    });
    await core.createNamespacedPod({ namespace, body: etcdPod("etcd-0", image, seedLabels(id, "etcd"), { httpGet: { path: "/health", port: 2379 }, periodSeconds: 1 }) });
    const etcd = await eventually(() => core.readNamespacedPod({ namespace, name: "etcd-0" }), isReady, { timeoutMs: 120_000, description: "the tenant's etcd Ready (the kubelet's probes pass the policies)" });
    const etcdIP = etcd.status?.podIP ?? "";
    await core.createNamespacedPod({ namespace, body: etcdPod("kube-apiserver", image, seedLabels(id, "kube-apiserver"), reachesServer(etcdIP)) });
    await core.createNamespacedPod({ namespace, body: etcdPod("kube-scheduler", image, seedLabels(id, "kube-scheduler"), reachesServer(etcdIP)) });
    await eventually(() => core.readNamespacedPod({ namespace, name: "kube-apiserver" }), isReady, { timeoutMs: 120_000, description: "the kube-apiserver-labelled pod reaching etcd" });
    // The scheduler's container runs and its probes fail: etcd is not its to reach.
    const scheduler = await eventually(() => core.readNamespacedPod({ namespace, name: "kube-scheduler" }), (p) => p.status?.containerStatuses?.[0]?.started === true, { timeoutMs: 60_000, description: "the kube-scheduler-labelled pod started" });
    await new Promise((resolve) => setTimeout(resolve, 8000));
    expect(isReady(scheduler)).toBe(false);
    expect(isReady(await core.readNamespacedPod({ namespace, name: "kube-scheduler" }))).toBe(false);
    expect(isReady(await core.readNamespacedPod({ namespace, name: "kube-apiserver" }))).toBe(true);
  }, 300_000);

  it("leaves nothing of the agent once the node stops: its process, and its nftables table with the namespace", async () => {
    const started = node;
    if (started === undefined) throw new Error("the node did not start");
    await started.stop();
    expect(processesMentioning(started.dir)).toEqual([]);
    expect(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout).not.toContain(started.namespace.name);
  }, 120_000);
});
