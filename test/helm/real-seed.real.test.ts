// The chart for real: `helm install` of deploy/helm/seedbed into a
// one-machine real seed (real kubelet, containerd, kube-proxy), the operator
// and the server as real pods from the locally built Seedbed image, leader
// election across two operator pods, a Cluster whose control plane runs as
// real pods in the same seed, `helm upgrade` and `helm uninstall`.
//
// Heavy: it starts a real seed and runs four Node.js pods and a tenant
// control plane on it. It is part of `make test` like every *.int.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import { allKinds, apiVersion, group, type Cluster, type Seed } from "@seedbed/api";
import { buildImage, imagesCacheDir, seedbedImage, type BuiltImage } from "@seedbed/images";
import { localImage, localRegistry, startRealSeed, type RealSeed } from "@seedbed/node";
import { eventually } from "@seedbed/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chartDir, createHelm, release, type Helm } from "./tools.ts";

/** The Seedbed image as the test names it: imported into the seed's node, never pulled. */
const seedbedRepository = `${localRegistry}/seedbed`;
const seedbedTag = "dev";
const instance = `app.kubernetes.io/instance=${release.name}`;
const operatorPods = `${instance},app.kubernetes.io/component=operator`;
const serverPods = `${instance},app.kubernetes.io/component=server`;
const leaseName = "seedbed-operator";
const seedName = "in-cluster";
const project = "project-demo";
const tenant = "web";
const tenantNamespace = "cluster-demo--web";

const podReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
const rolledOut = (d: V1Deployment): boolean =>
  (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
  d.status?.updatedReplicas === d.spec?.replicas &&
  d.status?.readyReplicas === d.spec?.replicas &&
  d.status?.replicas === d.spec?.replicas;

describe("the chart installed into a real seed", () => {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-chart-real-"));
  let seed: RealSeed | undefined;
  let helm: Helm | undefined;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let leases: CoordinationV1Api;
  let objects: CustomObjectsApi;
  const helmRun = async (...args: string[]): Promise<string> => {
    if (helm === undefined) throw new Error("no helm");
    const result = await helm.run(...args, "--kubeconfig", seed?.kubeconfigPath ?? "");
    if (result.status !== 0) throw new Error(`helm ${args.join(" ")} failed (${String(result.status)}):\n${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  const pods = async (labelSelector: string): Promise<V1Pod[]> => (await core.listNamespacedPod({ namespace: release.namespace, labelSelector })).items.filter((p) => p.metadata?.deletionTimestamp === undefined);
  const holder = async (): Promise<string> => (await leases.readNamespacedLease({ namespace: release.namespace, name: leaseName })).spec?.holderIdentity ?? "";
  const readCluster = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ group, version: "v1alpha1", namespace: project, plural: "clusters", name: tenant })) as Cluster;

  beforeAll(async () => {
    const images: BuiltImage[] = await Promise.all([
      buildImage(await seedbedImage({ name: `${seedbedRepository}:${seedbedTag}` }), { cacheDir: imagesCacheDir() }),
      ...(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const).map((image) => localImage(image)),
    ]);
    seed = await startRealSeed({ dir: join(dir, "seed"), images, unsafeNoFsync: true });
    const kc = seed.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    leases = kc.makeApiClient(CoordinationV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    helm = createHelm();
  }, 300_000);
  afterAll(async () => {
    try {
      helm?.dispose();
    } finally {
      await seed?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      const lines: string[] = [];
      for (const pod of await pods(instance).catch(() => [])) {
        const name = pod.metadata?.name ?? "";
        const log = await core.readNamespacedPodLog({ namespace: release.namespace, name }).catch((e: unknown) => `(no log: ${String(e)})`);
        lines.push(`===== pod ${name} =====`, JSON.stringify(pod.status?.containerStatuses ?? []), log.split("\n").slice(-40).join("\n"));
      }
      const seedLogs = seed?.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-30).join("\n")).join("\n") ?? "";
      process.stderr.write(`\n[chart on a real seed]\n${lines.join("\n")}\n${seedLogs}\n`);
    });
  });

  it("installs: the operator and the server run as Ready pods from the local image, unprivileged, and one operator holds the Lease", async () => {
    await helmRun(
      "install", release.name, chartDir,
      "--namespace", release.namespace, "--create-namespace",
      `--set=image.repository=${seedbedRepository}`, `--set=image.tag=${seedbedTag}`, "--set=image.pullPolicy=Never",
      `--set=controlPlaneImages.registry=${localRegistry}`,
      "--set=replicaCount=2", "--set=server.replicaCount=1",
      "--wait", "--timeout=5m",
    );
    const operators = await pods(operatorPods);
    const servers = await pods(serverPods);
    expect(operators).toHaveLength(2);
    expect(servers).toHaveLength(1);
    for (const pod of [...operators, ...servers]) {
      const name = pod.metadata?.name ?? "";
      expect(podReady(pod), `${name} Ready`).toBe(true);
      const container = pod.status?.containerStatuses?.[0];
      expect(container?.containerID, name).toMatch(/^containerd:\/\//);
      expect(container?.image, name).toBe(`${seedbedRepository}:${seedbedTag}`);
      expect(container?.restartCount, name).toBe(0);
      expect(pod.spec?.securityContext?.runAsNonRoot, name).toBe(true);
      expect(pod.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem, name).toBe(true);
    }
    const names = operators.map((p) => p.metadata?.name ?? "");
    const leader = await eventually(holder, (h) => names.includes(h), { timeoutMs: 60_000, description: "an operator pod holding the Lease" });
    expect(names.filter((n) => n !== leader)).toHaveLength(1);
    // The chart made the Lease; renewing it keeps Helm's ownership, so that helm uninstall removes it.
    const lease = await leases.readNamespacedLease({ namespace: release.namespace, name: leaseName });
    expect(lease.metadata?.annotations?.["meta.helm.sh/release-name"]).toBe(release.name);
    expect(lease.spec?.renewTime).toBeDefined();
  }, 420_000);

  it("hands the Lease to another operator when the leader's pod is killed", async () => {
    const leader = await holder();
    const standby = (await pods(operatorPods)).map((p) => p.metadata?.name ?? "").find((n) => n !== leader);
    expect(standby).toBeDefined();
    const killed = Date.now();
    await core.deleteNamespacedPod({ namespace: release.namespace, name: leader, gracePeriodSeconds: 0 });
    // The lease lasts 15 s: a leader that dies without releasing it is replaced once it expires.
    // Whoever asks first after it is free takes it: the standby, or the
    // pod the Deployment starts in the killed one's place (both are
    // operators of this release; a killed leader that still held it would not be).
    const next = await eventually(holder, (h) => h !== "" && h !== leader, { timeoutMs: 45_000, intervalMs: 200, description: "a new holder of the Lease" });
    process.stdout.write(`[chart on a real seed] the Lease passed from ${leader} to ${next} (standby: ${standby ?? "?"}) in ${String(Date.now() - killed)} ms\n`);
    await eventually(() => apps.readNamespacedDeployment({ namespace: release.namespace, name: "seedbed-operator" }), rolledOut, { timeoutMs: 120_000, description: "the operator Deployment back to 2 Ready pods" });
    const live = (await pods(operatorPods)).map((p) => p.metadata?.name ?? "");
    expect(live).not.toContain(leader);
    expect(live).toContain(next);
    // One leader, and it stays: the other stands by.
    expect(await holder()).toBe(next);
  }, 240_000);

  it("runs a Cluster on the chart's Seed (the seed itself) with its control plane as Ready pods", async () => {
    const created = await eventually(
      async () => (await objects.getClusterCustomObject({ group, version: "v1alpha1", plural: "seeds", name: seedName })) as Seed,
      (s) => s.status?.phase === "Ready",
      { timeoutMs: 60_000, description: `Seed ${seedName} Ready` },
    );
    expect(created.spec).toMatchObject({ driver: "kubernetes", default: true });
    expect(created.spec.kubeconfigSecretRef).toBeUndefined();
    await core.createNamespace({ body: { metadata: { name: project } } });
    await objects.createNamespacedCustomObject({ group, version: "v1alpha1", namespace: project, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: tenant, namespace: project }, spec: {} } });
    const running = await eventually(readCluster, (c) => c.status?.phase === "Running", { timeoutMs: 240_000, intervalMs: 1_000, description: "cluster web Running" });
    expect(running.status?.seed).toBe(seedName);
    const tenantPods = (await core.listNamespacedPod({ namespace: tenantNamespace })).items;
    expect(tenantPods.map((p) => p.metadata?.labels?.["seedbed.dev/component"]).sort()).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
    for (const pod of tenantPods) {
      expect(podReady(pod), `${pod.metadata?.name ?? ""} Ready`).toBe(true);
      expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
    }
  }, 300_000);

  it("upgrades: a changed value rolls the operator out cleanly, and the Cluster stays Running", async () => {
    await helmRun("upgrade", release.name, chartDir, "--namespace", release.namespace, "--reuse-values", "--set=logLevel=debug", "--wait", "--timeout=5m");
    const deployment = await eventually(() => apps.readNamespacedDeployment({ namespace: release.namespace, name: "seedbed-operator" }), rolledOut, { timeoutMs: 120_000, description: "the operator rolled out" });
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain("--log-level=debug");
    const operators = await eventually(() => pods(operatorPods), (list) => list.length === 2 && list.every(podReady), { timeoutMs: 60_000, description: "two Ready operator pods" });
    for (const pod of operators) expect(pod.spec?.containers[0]?.args).toContain("--log-level=debug");
    const names = operators.map((p) => p.metadata?.name ?? "");
    await eventually(holder, (h) => names.includes(h), { timeoutMs: 60_000, description: "a new operator pod holding the Lease" });
    expect((await readCluster()).status?.phase).toBe("Running");
  }, 360_000);

  it("refuses to uninstall while the chart's Seed hosts a Cluster, naming it, and deletes nothing", async () => {
    if (helm === undefined) throw new Error("no helm");
    const refused = await helm.run("uninstall", release.name, "--namespace", release.namespace, "--wait", "--timeout=3m", "--kubeconfig", seed?.kubeconfigPath ?? "");
    expect(refused.status, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stderr).toContain(`Job/${release.namespace}/seedbed-uninstall not ready. status: Failed`);
    const [job] = await pods(`${instance},app.kubernetes.io/component=uninstall`);
    // The hook's reason is its container's termination message (FallbackToLogsOnError).
    const message = job?.status?.containerStatuses?.[0]?.state?.terminated?.message;
    expect(message).toContain(`Seed ${seedName} still hosts 1 Cluster(s): ${project}/${tenant}. Delete them first`);
    const kept = (await objects.getClusterCustomObject({ group, version: "v1alpha1", plural: "seeds", name: seedName })) as Seed;
    expect(kept.metadata.deletionTimestamp).toBeUndefined();
    expect(rolledOut(await apps.readNamespacedDeployment({ namespace: release.namespace, name: "seedbed-operator" }))).toBe(true);
    expect((await readCluster()).status?.phase).toBe("Running");
  }, 240_000);

  it("uninstalls after the Cluster is deleted and leaves no Seedbed object but the CRDs", async () => {
    await objects.deleteNamespacedCustomObject({ group, version: "v1alpha1", namespace: project, plural: "clusters", name: tenant });
    await eventually(() => core.listNamespace(), (list) => !list.items.some((n) => n.metadata?.name === tenantNamespace), { timeoutMs: 180_000, intervalMs: 1_000, description: `namespace ${tenantNamespace} gone` });
    await helmRun("uninstall", release.name, "--namespace", release.namespace, "--wait", "--timeout=3m");

    const kc = seed?.kubeConfig();
    if (kc === undefined) throw new Error("no seed");
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const ns = { namespace: release.namespace };
    // The Seed goes with the release: the operator, still terminating, lets it go as it hosts nothing.
    await eventually(() => objects.listClusterCustomObject({ group, version: "v1alpha1", plural: "seeds" }) as Promise<{ items: Seed[] }>, (l) => l.items.length === 0, { timeoutMs: 60_000, description: "no Seed left" });
    await eventually(() => core.listNamespacedPod(ns), (l) => l.items.length === 0, { timeoutMs: 60_000, description: "no pod left in the release namespace" });
    const left = {
      deployments: (await apps.listNamespacedDeployment(ns)).items,
      jobs: (await kc.makeApiClient(BatchV1Api).listNamespacedJob(ns)).items,
      replicaSets: (await apps.listNamespacedReplicaSet(ns)).items,
      services: (await core.listNamespacedService(ns)).items,
      serviceAccounts: (await core.listNamespacedServiceAccount(ns)).items.filter((a) => a.metadata?.name !== "default"),
      secrets: (await core.listNamespacedSecret(ns)).items,
      leases: (await leases.listNamespacedLease(ns)).items,
      roles: (await rbac.listNamespacedRole(ns)).items,
      roleBindings: (await rbac.listNamespacedRoleBinding(ns)).items,
      budgets: (await kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget(ns)).items,
      clusterRoles: (await rbac.listClusterRole()).items.filter((r) => r.metadata?.name?.startsWith("seedbed-")),
      clusterRoleBindings: (await rbac.listClusterRoleBinding()).items.filter((r) => r.metadata?.name?.startsWith("seedbed-")),
      clusters: ((await objects.listClusterCustomObject({ group, version: "v1alpha1", plural: "clusters" })) as { items: Cluster[] }).items,
      persistentVolumes: (await core.listPersistentVolume()).items,
      tenantNamespaces: (await core.listNamespace()).items.filter((n) => n.metadata?.name?.startsWith("cluster-")),
    };
    const names = Object.fromEntries(Object.entries(left).map(([kind, list]) => [kind, list.map((o) => o.metadata?.name)]));
    expect(names).toEqual(Object.fromEntries(Object.keys(left).map((kind) => [kind, []])));
    // Helm never deletes what crds/ installed: the CRDs stay, by design (README, "CRDs on upgrade and uninstall").
    const crds = (await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition()).items.filter((c) => c.spec.group === group);
    expect(crds.map((c) => c.spec.names.plural).sort()).toEqual(allKinds.map((k) => k.plural).sort());
  }, 360_000);
});
