import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Container, type V1Pod } from "@kubernetes/client-node";
import { clientLoop } from "./client-loop.ts";
import { apiVersion, clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { localRegistry, processesMentioning, type RealSeed } from "@seedbed/node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Operator } from "../src/index.ts";
import { startRealSeedOperator, type RealSeedOperator } from "./real-seed-platform.ts";

const namespace = "project-real";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Ready condition of a pod. */
const podReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

describe("tenant control planes as real pods on a real seed", () => {
  const api = useKubeAPI({ controllers: true });
  const dir = mkdtempSync(join(tmpdir(), "seedbed-real-seed-"));
  let seed: RealSeed;
  let platform: RealSeedOperator | undefined;
  let operator: Operator;
  let objects: CustomObjectsApi;
  let seedCore: CoreV1Api;
  let seedApps: AppsV1Api;
  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  /** The admin kubeconfig the operator wrote for a cluster: the one a user downloads. */
  const tenantKubeConfig = async (name: string): Promise<KubeConfig> => {
    const secret = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(name) });
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString("utf8"));
    return kc;
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    platform = await startRealSeedOperator(kc, namespace, dir, ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
    ({ seed, operator } = platform);
    objects = kc.makeApiClient(CustomObjectsApi);
    seedCore = seed.kubeConfig().makeApiClient(CoreV1Api);
    seedApps = seed.kubeConfig().makeApiClient(AppsV1Api);
  }, 300_000);
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      process.stderr.write(`\n[real-seed] logs:\n${platform?.logTails() ?? ""}\n`);
    });
  });

  it("runs every component as a Ready pod in real containers, and the tenant API answers at its published endpoint", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "web", namespace }, spec: {} } });
    const running = await eventually(() => readCluster("web"), (c) => c.status?.phase === "Running", { timeoutMs: 180_000, description: "cluster web Running" });
    expect(running.status?.seed).toBe("real");
    const ns = "cluster-real--web";
    const pods = (await seedCore.listNamespacedPod({ namespace: ns })).items;
    expect(pods.map((p) => p.metadata?.labels?.["seedbed.dev/component"]).sort()).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
    for (const pod of pods) {
      expect(podReady(pod), `${pod.metadata?.name ?? ""} Ready`).toBe(true);
      expect(pod.spec?.nodeName).toBe("seed-0");
      // Real containers: containerd started them, as non-root.
      expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
      expect(pod.spec?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.spec?.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    }
    // etcd's volume came from the seed's default StorageClass, provisioned on this machine.
    const claims = (await seedCore.listNamespacedPersistentVolumeClaim({ namespace: ns })).items;
    expect(claims.map((c) => [c.spec?.storageClassName, c.status?.phase])).toEqual([[seed.storageClassName, "Bound"]]);

    // The operator's own tenant connection and a user's kubeconfig both go to the published endpoint.
    expect(running.status?.endpoint).toBe(`https://${seed.nodes[0]?.address ?? ""}:${String((await seedCore.readNamespacedService({ namespace: ns, name: "kube-apiserver" })).spec?.ports?.[0]?.nodePort)}`);
    const tenant = await tenantKubeConfig("web");
    expect(tenant.getCurrentCluster()?.server).toBe(running.status?.endpoint);
    const names = (await tenant.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system"]));
    // Inside the tenant, kubernetes.default points at the published address.
    const slices = await eventually(
      () => tenant.makeApiClient(CoreV1Api).readNamespacedEndpoints({ namespace: "default", name: "kubernetes" }).catch(() => undefined),
      (e) => (e?.subsets?.[0]?.addresses?.length ?? 0) > 0,
      { timeoutMs: 30_000, description: "the tenant's kubernetes endpoints" },
    );
    expect(slices?.subsets?.[0]?.addresses?.[0]?.ip).toBe(seed.nodes[0]?.address);
  }, 240_000);

  it("runs kwok for a kwok pool as a real pod, and the pool's Nodes are Ready in the tenant", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "web", replicas: 2 } } });
    const kwok = await eventually(
      () => seedCore.listNamespacedPod({ namespace: "cluster-real--web", labelSelector: "seedbed.dev/component=kwok" }),
      (list) => list.items.length === 1 && list.items.every(podReady),
      { timeoutMs: 120_000, description: "the kwok pod Ready in the seed" },
    );
    expect(kwok.items[0]?.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
    const tenant = (await tenantKubeConfig("web")).makeApiClient(CoreV1Api);
    await eventually(
      () => tenant.listNode(),
      (list) => list.items.length === 2 && list.items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
      { timeoutMs: 120_000, description: "2 Ready nodes of pool workers in the tenant" },
    );
  }, 300_000);

  it("hosts a cluster naming the local Seed as processes, beside the real seed, behind the same management API", async () => {
    await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "here" }, spec: { driver: "local" } } });
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "beside", namespace }, spec: { seed: "here" } } });
    const running = await eventually(() => readCluster("beside"), (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster beside Running on the local seed" });
    expect(running.status?.seed).toBe("here");
    expect(running.status?.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Nothing of it in the real seed.
    expect((await seedCore.listNamespace()).items.map((n) => n.metadata?.name)).not.toContain("cluster-real--beside");
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: "beside" });
    await eventually(() => objects.listNamespacedCustomObject({ ...resource, plural: "clusters" }) as Promise<{ items: Cluster[] }>, (l) => !l.items.some((c) => c.metadata.name === "beside"), { timeoutMs: 60_000, description: "cluster beside gone" });
  }, 180_000);

  it("scales the API servers 2 → 3 → 2 with no failed request from a client loop", async () => {
    const ns = "cluster-real--web";
    const tenant = await tenantKubeConfig("web");
    const setReplicas = (replicas: number): Promise<unknown> =>
      objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "web", body: { spec: { controlPlane: { replicas } } } }, mergePatch);
    const readyAPIServers = async (): Promise<number> => {
      const d = await seedApps.readNamespacedDeployment({ namespace: ns, name: "kube-apiserver" });
      return d.status?.replicas === d.spec?.replicas && d.status?.readyReplicas === d.spec?.replicas ? (d.spec?.replicas ?? 0) : -1;
    };
    await setReplicas(2);
    await eventually(readyAPIServers, (n) => n === 2, { timeoutMs: 120_000, description: "2 API servers ready" });
    const loop = clientLoop(tenant);
    await setReplicas(3);
    await eventually(readyAPIServers, (n) => n === 3, { timeoutMs: 120_000, description: "3 API servers ready" });
    await setReplicas(2);
    await eventually(readyAPIServers, (n) => n === 2, { timeoutMs: 120_000, description: "back to 2 API servers" });
    // Past the shutdown delay of the one that went.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const result = await loop.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(50);
  }, 420_000);

  it("reports real pod failures with their reasons: ImagePullBackOff, CrashLoopBackOff, Pending", async () => {
    const ns = "cluster-real--web";
    const reasonOf = async (): Promise<string> => {
      const cluster = await readCluster("web");
      return (cluster.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join("\n");
    };
    // The scheduler is the component a user can lose for a while without losing the API. Each case
    // starts from the deployment as rendered, changed in one place, so no failure hides another.
    const original = await seedApps.readNamespacedDeployment({ namespace: ns, name: "kube-scheduler" });
    const provoke = async (change: (container: V1Container) => void): Promise<void> => {
      // The deployment controller writes its status meanwhile: on a conflict, read it again.
      for (let attempt = 1; ; attempt++) {
        const current = await seedApps.readNamespacedDeployment({ namespace: ns, name: "kube-scheduler" });
        const body = structuredClone(original);
        if (body.metadata) {
          body.metadata.resourceVersion = current.metadata?.resourceVersion;
          body.metadata.managedFields = undefined;
        }
        const container = body.spec?.template.spec?.containers[0];
        if (container) change(container);
        try {
          await seedApps.replaceNamespacedDeployment({ namespace: ns, name: "kube-scheduler", body });
          return;
        } catch (error) {
          if (attempt >= 5 || (error as { code?: number }).code !== 409) throw error;
        }
      }
    };
    await provoke((c) => {
      c.image = `${localRegistry}/kube-scheduler:v0.0.0-missing`;
    });
    await eventually(reasonOf, (text) => /kube-scheduler.*(ImagePullBackOff|ErrImagePull)/.test(text), { timeoutMs: 90_000, description: "ImagePullBackOff in the Cluster's conditions" });
    await provoke((c) => {
      c.args = [...(c.args ?? []), "--no-such-flag"];
    });
    await eventually(reasonOf, (text) => /kube-scheduler.*CrashLoopBackOff/.test(text), { timeoutMs: 120_000, description: "CrashLoopBackOff in the Cluster's conditions" });
    await provoke((c) => {
      c.resources = { limits: c.resources?.limits, requests: { ...c.resources?.requests, cpu: "500" } };
    });
    await eventually(reasonOf, (text) => /kube-scheduler.*Unschedulable/.test(text), { timeoutMs: 90_000, description: "Pending (Unschedulable) in the Cluster's conditions" });
    // Back as rendered: the cluster is healthy again.
    await provoke(() => undefined);
    await eventually(() => readCluster("web"), (c) => c.status?.conditions?.find((x) => x.type === "Ready")?.status === "True", { timeoutMs: 120_000, description: "cluster web Ready again" });
  }, 360_000);

  it("removes every object from the seed when the Cluster is deleted", async () => {
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: "web" });
    await eventually(
      () => seedCore.listNamespace(),
      (list) => !list.items.some((n) => n.metadata?.name === "cluster-real--web"),
      { timeoutMs: 120_000, description: "namespace cluster-real--web gone" },
    );
    // The volume went with its claim (reclaim policy Delete), directory included.
    await eventually(() => seedCore.listPersistentVolume(), (list) => list.items.length === 0, { timeoutMs: 60_000, description: "no PersistentVolume left" });
    expect(readdirSync(join(dir, "seed", "volumes"))).toEqual([]);
  }, 180_000);

  it("stops leaving no process, network namespace, link or route of its node behind", async () => {
    await operator.stop();
    const node = seed.nodes[0];
    await seed.stop();
    expect(processesMentioning(join(dir, "seed")).map((p) => p.commandLine)).toEqual([]);
    if (node === undefined) throw new Error("the seed had no node");
    expect(processesMentioning(node.dir)).toEqual([]);
    expect(existsSync(`/run/netns/${node.namespace.name}`)).toBe(false);
    expect(existsSync(node.dir)).toBe(false);
    expect(spawnSync("ip", ["link", "show", node.namespace.hostLink]).status).not.toBe(0);
    expect(spawnSync("ip", ["-4", "route", "show"], { encoding: "utf8" }).stdout).not.toContain(node.namespace.nodeAddress);
  }, 120_000);
});
