import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, PolicyV1Api, setHeaderOptions, type KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { apiVersion, type Cluster, type NodePool } from "@seedbed/api";
import { binaryPath } from "@seedbed/binaries";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { LocalMachineProvider, localRegistry, machineAddress, processesMentioning, toolboxImageName } from "@seedbed/node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

// Real machines of the `local` provider: kubelets with their own containerd
// in network namespaces, started from the cloud-init user data the cloud
// providers send, joining a local-driver tenant through TLS bootstrap.
describe("local machines", () => {
  const api = useKubeAPI({ controllers: true });
  const namespace = "project-metal";
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let tenant: KubeConfig;
  let tenantCore: CoreV1Api;
  let kubeconfigFile: string;

  const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
  const readPool = async (name: string): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...group, plural: "nodepools", name })) as NodePool;
  const readyNodes = async (): Promise<V1Node[]> => (await tenantCore.listNode()).items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  const kubectl = (...args: string[]): string => {
    const run = spawnSync(binaryPath("kubectl"), [`--kubeconfig=${kubeconfigFile}`, ...args], { encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  };
  const toolboxPod = (name: string, node: string, script: string, labels: Record<string, string> = {}): V1Pod => ({
    metadata: { name, labels },
    spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: "main", image: toolboxImageName, imagePullPolicy: "Never", command: ["sh", "-c", script] }] },
  });
  const running = (name: string): Promise<V1Pod> =>
    eventually(() => tenantCore.readNamespacedPod({ namespace: "default", name }), (p) => p.status?.phase === "Running" && p.status.podIP !== undefined, { timeoutMs: 90_000, description: `pod ${name} Running` });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    // Old service-account tokens retire 10 s after a CA rotation's new key signs, so a rotation completes within the test.
    // Add-on images under the local registry, as `seedbed up` names them: the machines import CoreDNS under that name.
    platform = await startLocalOperator(kc, namespace, { nodeAddress: machineAddress(), tokenLifetimeMs: 10_000, addons: { imageRegistry: localRegistry } });
    await objects.createNamespacedCustomObject({ ...group, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "metal", namespace }, spec: { network: { podCIDR: "10.44.0.0/16" } } } });
    const cluster = await eventually(async () => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "metal" })) as Cluster, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster Running" });
    expect(cluster.status?.nodeEndpoint).toMatch(new RegExp(`^https://${machineAddress().replaceAll(".", "\\.")}:\\d+$`));
    tenant = await tenantKubeConfig(core, namespace, "metal");
    tenantCore = tenant.makeApiClient(CoreV1Api);
    kubeconfigFile = join(platform.stateDir, "tenant.kubeconfig");
    writeFileSync(kubeconfigFile, tenant.exportConfig(), { mode: 0o600 });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("joins two machines from their cloud-init user data: Ready Nodes with pod ranges of the cluster and approved serving certificates", async () => {
    await objects.createNamespacedCustomObject({
      ...group,
      plural: "nodepools",
      body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "metal", replicas: 2, provider: { type: "local" }, autoHealing: { enabled: true, notReadyTimeout: "20s" }, drainTimeout: "60s" } },
    });
    const pool = await eventually(() => readPool("workers"), (p) => p.status?.readyReplicas === 2, { timeoutMs: 240_000, description: "2 local machines ready" });
    expect(pool.status?.phase).toBe("Running");
    const nodes = await readyNodes();
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node.spec?.podCIDR).toMatch(/^10\.44\.\d+\.0\/24$/);
      expect(node.metadata?.labels?.["seedbed.dev/node-pool"]).toBe("workers");
      expect(node.status?.addresses?.find((a) => a.type === "InternalIP")?.address).toMatch(/^10\.243\.\d+\.2$/);
      expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+/);
    }
    // Both certificates came through CSRs: the client one for the token, the serving one from Seedbed's approver.
    type CSRList = { items: { spec: { signerName: string; username: string }; status?: { conditions?: { type: string }[] } }[] };
    const approved = (csrs: CSRList, signer: string): string[] => csrs.items.filter((c) => c.spec.signerName === signer && c.status?.conditions?.some((x) => x.type === "Approved")).map((c) => c.spec.username);
    const csrs = await eventually(() => Promise.resolve(JSON.parse(kubectl("get", "csr", "-o", "json")) as CSRList), (list) => approved(list, "kubernetes.io/kubelet-serving").length >= 2, { timeoutMs: 60_000, description: "serving CSRs approved" });
    expect(approved(csrs, "kubernetes.io/kube-apiserver-client-kubelet").every((user) => user.startsWith("system:bootstrap:"))).toBe(true);
    expect(approved(csrs, "kubernetes.io/kube-apiserver-client-kubelet").length).toBeGreaterThanOrEqual(2);
    expect(new Set(approved(csrs, "kubernetes.io/kubelet-serving"))).toEqual(new Set(nodes.map((n) => `system:node:${n.metadata?.name ?? ""}`)));
  });

  it("runs pods that reach each other across machines and through a Service, with logs, exec and port-forward through the API", async () => {
    const [a, b] = (await readyNodes()).map((n) => n.metadata?.name ?? "");
    await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod("web", a ?? "", "mkdir -p /tmp/www && echo hello-from-web > /tmp/www/index.html && echo serving && exec httpd -f -p 8080 -h /tmp/www", { app: "web" }) });
    await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod("client", b ?? "", "echo ready && exec sleep 3600") });
    await tenantCore.createNamespacedService({ namespace: "default", body: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } } });
    const web = await running("web");
    await running("client");
    expect(web.status?.podIP).toMatch(/^10\.44\./);

    const service = await tenantCore.readNamespacedService({ namespace: "default", name: "web" });
    // Pod to pod across machines, then by ClusterIP (kube-proxy on the client's machine).
    expect(kubectl("exec", "client", "--", "timeout", "5", "wget", "-qO-", `http://${web.status?.podIP ?? ""}:8080/`)).toBe("hello-from-web\n");
    await eventually(() => Promise.resolve(spawnSync(binaryPath("kubectl"), [`--kubeconfig=${kubeconfigFile}`, "exec", "client", "--", "timeout", "3", "wget", "-qO-", `http://${service.spec?.clusterIP ?? ""}/`], { encoding: "utf8" }).stdout), (out) => out === "hello-from-web\n", { timeoutMs: 30_000, description: "the Service answers" });
    expect(kubectl("logs", "web")).toContain("serving");
    // attach: the container's output, live, through the API server and the kubelet.
    await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod("ticker", a ?? "", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done") });
    await running("ticker");
    const attached = spawnSync(binaryPath("kubectl"), [`--kubeconfig=${kubeconfigFile}`, "attach", "ticker", "--pod-running-timeout=30s"], { encoding: "utf8", timeout: 4000 });
    expect(attached.stdout).toMatch(/tick-\d+/);
    await tenantCore.deleteNamespacedPod({ namespace: "default", name: "ticker", gracePeriodSeconds: 0 });

    // port-forward: the API server streams to the kubelet, which connects into the pod.
    const forward = spawn(binaryPath("kubectl"), [`--kubeconfig=${kubeconfigFile}`, "port-forward", "pod/web", ":8080"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        forward.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /127\.0\.0\.1:(\d+) ->/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        forward.once("exit", (code) => reject(new Error(`kubectl port-forward exited ${String(code)}: ${out}`)));
      });
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toBe("hello-from-web\n");
    } finally {
      forward.kill();
    }
  });

  it("resolves names in pods through CoreDNS, the add-on every cluster gets, running on the machines", async () => {
    const cluster = await eventually(async () => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "metal" })) as Cluster, (c) => c.status?.conditions?.some((x) => x.type === "AddonsReady" && x.status === "True") === true, { timeoutMs: 120_000, description: "AddonsReady" });
    expect(cluster.status?.addons?.find((a) => a.name === "coredns")?.phase).toBe("Installed");
    const [a] = (await readyNodes()).map((n) => n.metadata?.name ?? "");
    await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod("resolver", a ?? "", "echo ready && exec sleep 3600") });
    await running("resolver");
    const kubernetesIP = (await tenantCore.readNamespacedService({ namespace: "default", name: "kubernetes" })).spec?.clusterIP ?? "?";
    // The pod's resolv.conf names the tenth address of the service range (the kubelet's clusterDNS from the cloud-init); kube-proxy takes it to a CoreDNS pod.
    expect(kubectl("exec", "resolver", "--", "cat", "/etc/resolv.conf")).toMatch(/nameserver 10\.96\.0\.10/);
    const lookup = (name: string): Promise<string> => Promise.resolve(spawnSync(binaryPath("kubectl"), [`--kubeconfig=${kubeconfigFile}`, "exec", "resolver", "--", "nslookup", name], { encoding: "utf8", timeout: 20_000 }).stdout);
    const answer = await eventually(() => lookup("kubernetes.default.svc.cluster.local"), (out) => out.includes(kubernetesIP), { timeoutMs: 60_000, description: "CoreDNS answers kubernetes.default" });
    expect(answer).toContain("10.96.0.10");
    await tenantCore.deleteNamespacedPod({ namespace: "default", name: "resolver", gracePeriodSeconds: 0 });
  });

  it("refuses machines whose bootstrap token is forged or expired, and says why", async () => {
    const machinesDir = join(platform.stateDir, "machines");
    const provider = new LocalMachineProvider(machinesDir);
    const clusterId = await clusterIdOf("metal");
    const [good] = await provider.list({ namespace, name: "workers", clusterId });
    const goodDir = join(machinesDir, clusterId, good?.name ?? "?");
    const userData = readFileSync(join(goodDir, "user-data"), "utf8");
    const { kubernetesVersion } = JSON.parse(readFileSync(join(goodDir, "machine.json"), "utf8")) as { kubernetesVersion: string };
    const issued = /token: [a-z0-9]{6}\.[a-z0-9]{16}/.exec(userData)?.[0];
    expect(issued).toBeDefined();
    const expiredId = "expird";
    await tenantCore.createNamespacedSecret({
      namespace: "kube-system",
      body: {
        metadata: { name: `bootstrap-token-${expiredId}` },
        type: "bootstrap.kubernetes.io/token",
        stringData: { "token-id": expiredId, "token-secret": "0123456789abcdef", expiration: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"), "usage-bootstrap-authentication": "true", "auth-extra-groups": "system:bootstrappers:seedbed" },
      },
    }).catch(() => undefined); // the token cleaner may remove it at once: then it is unknown, which is refused the same way
    // A pool of its own, so the operator neither adopts nor heals these.
    const pool = { namespace, name: "intruders", clusterId };
    const tokens = { forged: "abcdef.0123456789abcdef", expired: `${expiredId}.0123456789abcdef` };
    for (const [name, token] of Object.entries(tokens)) {
      await provider.create({ name: `bad-${name}`, pool, template: { cpu: "1", memory: "1Gi", pods: 10 }, kubernetesVersion, userData: userData.replace(issued ?? "", `token: ${token}`) });
    }
    for (const name of Object.keys(tokens)) {
      const failed = await eventually(async () => (await provider.list(pool)).find((m) => m.name === `bad-${name}`), (m) => m?.phase === "Failed", { timeoutMs: 120_000, description: `machine bad-${name} Failed` });
      expect(failed?.message).toMatch(/Unauthorized/);
    }
    expect((await tenantCore.listNode()).items.map((n) => n.metadata?.name)).toEqual(expect.not.arrayContaining(["bad-forged", "bad-expired"]));
    for (const machine of await provider.list(pool)) await provider.delete(pool, machine);
    expect(await provider.list(pool)).toEqual([]);
  });

  it("drains a machine under a PodDisruptionBudget on scale-down, and replaces one whose kubelet died", async () => {
    const clusterId = await clusterIdOf("metal");
    await tenantCore.deleteNamespacedPod({ namespace: "default", name: "client", gracePeriodSeconds: 0 });
    const nodes = (await readyNodes()).map((n) => n.metadata?.name ?? "");
    // One guarded pod on each machine; the budget lets one go at a time.
    for (const [i, node] of nodes.entries()) await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod(`guarded-${i}`, node, "exec sleep 3600", { app: "guarded" }) });
    await tenant.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({ namespace: "default", body: { metadata: { name: "guarded" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "guarded" } } } } });
    for (const i of nodes.keys()) await running(`guarded-${i}`);
    await objects.patchNamespacedCustomObject({ ...group, plural: "nodepools", name: "workers", body: [{ op: "replace", path: "/spec/replicas", value: 1 }] });
    const scaled = await eventually(() => readPool("workers"), (p) => p.status?.replicas === 1 && p.status.readyReplicas === 1, { timeoutMs: 120_000, description: "pool scaled to 1" });
    const removed = nodes.find((n) => !scaled.status?.machines?.some((m) => m.name === n)) ?? "";
    // Evicted, not killed with its machine: the eviction went through the budget.
    const events = await tenantCore.listNamespacedEvent({ namespace: "default" });
    expect(events.items.some((e) => e.involvedObject.name?.startsWith("guarded-") === true && e.reason === "Killing")).toBe(true);
    expect(existsSync(join(platform.stateDir, "machines", clusterId, removed))).toBe(false);
    expect(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout).not.toContain(removed);

    // The kubelet of the last machine dies: the Node goes NotReady and the machine is replaced after notReadyTimeout.
    const [survivor] = scaled.status?.machines ?? [];
    const kubelets = spawnSync("pgrep", ["-f", `hostname-override=${survivor?.name ?? "?"}`], { encoding: "utf8" }).stdout.trim().split("\n").filter((p) => p !== "");
    expect(kubelets.length).toBeGreaterThan(0);
    for (const pid of kubelets) process.kill(Number(pid), "SIGKILL");
    const healed = await eventually(() => readPool("workers"), (p) => p.status?.readyReplicas === 1 && p.status.machines?.[0]?.name !== survivor?.name, { timeoutMs: 240_000, description: "the dead machine replaced" });
    expect(healed.status?.machines).toHaveLength(1);
    expect(existsSync(join(platform.stateDir, "machines", clusterId, survivor?.name ?? "?"))).toBe(false);
  });

  it("replaces a machine that crashed at once, and leaves no trace of it or of the pool when it goes", async () => {
    const clusterId = await clusterIdOf("metal");
    const [machine] = (await readPool("workers")).status?.machines ?? [];
    const machineDir = join(platform.stateDir, "machines", clusterId, machine?.name ?? "?");
    const nodeDir = readFileSync(join(machineDir, "node-dir"), "utf8").trim();

    // Joined, the agent has handed the machine over and exited: the machine runs on its own.
    await eventually(() => Promise.resolve(findProcessesByMarker(`seedbed-machine:${machineDir}`)), (agents) => agents.length === 0, { timeoutMs: 60_000, description: "the agent gone once joined" });
    const state = JSON.parse(readFileSync(join(machineDir, "state.json"), "utf8")) as { phase: string; address: string; containerd: { pid: number } };
    expect(state.phase).toBe("Running");
    expect(processesMentioning(nodeDir).length).toBeGreaterThan(0);
    // The machine crashes (its containerd dies): Failed, replaced without waiting for notReadyTimeout.
    process.kill(state.containerd.pid, "SIGKILL");
    const healed = await eventually(() => readPool("workers"), (p) => p.status?.readyReplicas === 1 && p.status.machines?.[0]?.name !== machine?.name, { timeoutMs: 120_000, description: "the crashed machine replaced" });
    expect(healed.status?.machines).toHaveLength(1);
    expect(processesMentioning(nodeDir)).toEqual([]);
    expect(existsSync(nodeDir)).toBe(false);
    expect(existsSync(machineDir)).toBe(false);
    expect(spawnSync("ip", ["-4", "route", "show"], { encoding: "utf8" }).stdout).not.toContain(`${state.address} `);

    await objects.deleteNamespacedCustomObject({ ...group, plural: "nodepools", name: "workers" });
    await eventually(() => readPool("workers").then(() => false, () => true), (gone) => gone, { timeoutMs: 120_000, description: "pool deleted" });
    expect(readdirSync(join(platform.stateDir, "machines", clusterId))).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith("seedbed-machine-"))).toEqual([]);
    expect((await tenantCore.listNode()).items).toEqual([]);
  });

  it("changes a pool's kubelet version by replacing its machine: a real kubelet of each offered minor joins, the old one drained first", async () => {
    const poolNodes = async (): Promise<V1Node[]> => (await readyNodes()).filter((n) => n.metadata?.labels?.["seedbed.dev/node-pool"] === "versions");
    const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    // One minor behind the cluster (1.37): allowed by the skew policy.
    await objects.createNamespacedCustomObject({ ...group, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "versions", namespace }, spec: { clusterName: "metal", replicas: 1, version: "1.36", provider: { type: "local" } } } });
    const [old] = await eventually(poolNodes, (nodes) => nodes.length === 1, { timeoutMs: 240_000, description: "a machine at 1.36 Ready" });
    expect(old?.status?.nodeInfo?.kubeletVersion).toBe("v1.36.3");
    // The pin removed: the pool follows the cluster's version, and its machine is replaced.
    await objects.patchNamespacedCustomObject({ ...group, plural: "nodepools", name: "versions", body: { spec: { version: null } } }, mergePatch);
    const rolled = await eventually(() => readPool("versions"), (p) => p.status?.version === "1.37.1" && p.status.updatedReplicas === 1 && p.status.replicas === 1 && p.status.readyReplicas === 1, { timeoutMs: 300_000, description: "the pool rolled to 1.37.1" });
    const [fresh] = await poolNodes();
    expect(fresh?.metadata?.name).not.toBe(old?.metadata?.name);
    expect(fresh?.status?.nodeInfo?.kubeletVersion).toBe("v1.37.1");
    expect(rolled.status?.machines?.map((m) => m.version)).toEqual(["1.37.1"]);
    // The kubelet process of the new machine is the 1.37.1 binary.
    const [pid] = spawnSync("pgrep", ["-f", `hostname-override=${fresh?.metadata?.name ?? "?"}`], { encoding: "utf8" }).stdout.trim().split("\n");
    expect(readFileSync(`/proc/${pid ?? "?"}/cmdline`, "utf8").split("\0")[0]).toMatch(/kubelet-v1\.37\.1$/);
    await objects.deleteNamespacedCustomObject({ ...group, plural: "nodepools", name: "versions" });
    await eventually(() => readPool("versions").then(() => false, () => true), (gone) => gone, { timeoutMs: 120_000, description: "pool versions deleted" });
  });

  it("replaces the machines that joined before a CA rotation while it is Prepared, so that their kubelets trust the new CA when it completes", async () => {
    const poolNodes = async (): Promise<V1Node[]> => (await readyNodes()).filter((n) => n.metadata?.labels?.["seedbed.dev/node-pool"] === "trust");
    const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const readCluster = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "metal" })) as Cluster;
    await objects.createNamespacedCustomObject({ ...group, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "trust", namespace }, spec: { clusterName: "metal", replicas: 1, provider: { type: "local" } } } });
    const [before] = await eventually(poolNodes, (nodes) => nodes.length === 1, { timeoutMs: 240_000, description: "a machine Ready" });
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "metal", body: { metadata: { annotations: { "seedbed.dev/rotate-ca": new Date().toISOString() } } } }, mergePatch);
    const prepared = await eventually(readCluster, (c) => c.status?.certificates?.rotation?.phase === "Prepared", { timeoutMs: 180_000, description: "the rotation Prepared" });
    // Asked to complete at once: it waits for the machine made before to be replaced first.
    await objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "metal", body: { metadata: { annotations: { "seedbed.dev/complete-ca-rotation": prepared.status?.certificates?.rotation?.id ?? "" } } } }, mergePatch);
    const waiting = await eventually(readCluster, (c) => (c.status?.certificates?.rotation?.message ?? "").includes("machines made before the rotation"), { timeoutMs: 60_000, description: "the rotation waiting for the old machine" });
    expect(waiting.status?.certificates?.rotation?.phase).toBe("Prepared");
    const completed = await eventually(readCluster, (c) => c.status?.certificates?.rotation?.phase === "Completed", { timeoutMs: 420_000, description: "the rotation Completed" });
    // The admin kubeconfig of before trusts only the old CA: the current one from now on.
    tenant = await eventually(() => tenantKubeConfig(core, namespace, "metal"), (kc) => Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64").toString() === completed.status?.certificateAuthority, { timeoutMs: 60_000, description: "the admin kubeconfig with the new CA only" });
    tenantCore = tenant.makeApiClient(CoreV1Api);
    writeFileSync(kubeconfigFile, tenant.exportConfig(), { mode: 0o600 });
    const [after] = await eventually(poolNodes, (nodes) => nodes.length === 1, { timeoutMs: 120_000, description: "the pool's machine Ready after the rotation" });
    expect(after?.metadata?.name).not.toBe(before?.metadata?.name);
    const pool = await readPool("trust");
    expect(Date.parse(pool.status?.machines?.[0]?.createdTime ?? "")).toBeGreaterThanOrEqual(Date.parse(prepared.status?.certificates?.rotation?.phaseTime ?? ""));
    // Its kubelet serves and answers through the API with the new CA in place: logs of a pod on it.
    await tenantCore.createNamespacedPod({ namespace: "default", body: toolboxPod("after-rotation", after?.metadata?.name ?? "", "echo trusted; sleep 3600") });
    await running("after-rotation");
    expect(kubectl("logs", "after-rotation")).toContain("trusted");
    expect(completed.status?.certificates?.authorities?.every((a) => a.previous === undefined)).toBe(true);
    await tenantCore.deleteNamespacedPod({ namespace: "default", name: "after-rotation", gracePeriodSeconds: 0 });
    await objects.deleteNamespacedCustomObject({ ...group, plural: "nodepools", name: "trust" });
    await eventually(() => readPool("trust").then(() => false, () => true), (gone) => gone, { timeoutMs: 120_000, description: "pool trust deleted" });
  });

  /** A cluster's id, the name of its machines' directory. */
  async function clusterIdOf(name: string): Promise<string> {
    const cluster = (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name })) as Cluster;
    return cluster.status?.clusterID ?? "";
  }
});
