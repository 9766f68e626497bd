import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, NetworkingV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions, StorageV1Api } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster } from "@seedbed/api";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";

const namespace = "project-seeded";
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };

describe("the kubernetes hosting driver on a real seed with kwok nodes", () => {
  // The management cluster is its own seed here: a Seed without kubeconfigSecretRef.
  const api = useKubeAPI({ controllers: true, kwok: true });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-seed-"));
  let operator: Operator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let policy: PolicyV1Api;
  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    policy = kc.makeApiClient(PolicyV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Three kwok nodes, and local volumes bound by the real PV controller.
    for (let i = 0; i < 3; i++) {
      await core.createNode({ body: { metadata: { name: `seed-node-${i}`, annotations: { [kwokNodeAnnotation]: "fake" }, labels: { "kubernetes.io/hostname": `seed-node-${i}` } }, status: { addresses: [{ type: "InternalIP", address: `192.0.2.${10 + i}` }], allocatable: { cpu: "8", memory: "32Gi", pods: "110" }, capacity: { cpu: "8", memory: "32Gi", pods: "110" } } } });
    }
    await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: "kwok-local" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate" } });
    for (let i = 0; i < 8; i++) {
      await core.createPersistentVolume({ body: { metadata: { name: `pv-${i}` }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "kwok-local", hostPath: { path: `/tmp/seedbed-pv-${i}` } } } });
    }
    await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "kwok" }, spec: { driver: "kubernetes", default: true, storageClassName: "kwok-local" } } });
    // A locally built image for one component, as the one-machine seed uses: the others stay registry.k8s.io's.
    // kwok pods mount nothing: a CA rotation's steps need not wait for the kubelet to update Secret volumes; old tokens retire after 1 s.
    operator = await startOperator({ kubeConfig: kc, stateDir, controlPlaneImages: { overrides: { "kube-apiserver": "docker.io/seedbed/kube-apiserver:v{version}" } }, secretPropagationMs: 0, tokenLifetimeMs: 1000 });
  });
  afterAll(async () => {
    await operator.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("creates every object with the right spec, and the Cluster becomes Running when the workloads are Ready", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "ha", namespace }, spec: { controlPlane: { replicas: 1, datastore: { members: 3 } } } } });
    const running = await eventually(() => readCluster("ha"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster ha Running" });
    expect(running.status?.seed).toBe("kwok");
    expect(running.status?.endpoint).toMatch(/^https:\/\/[\d.]+:\d+$/);
    const ns = "cluster-seeded--ha";
    const etcd = await apps.readNamespacedStatefulSet({ namespace: ns, name: "etcd" });
    expect(etcd.spec?.replicas).toBe(3);
    expect(etcd.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("kwok-local");
    expect(etcd.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBeUndefined();
    expect(etcd.spec?.template.spec?.affinity?.podAntiAffinity).toBeDefined();
    expect(etcd.spec?.template.spec?.containers[0]?.args).toEqual(expect.arrayContaining(["--initial-cluster=etcd-0=https://etcd-0.etcd.cluster-seeded--ha.svc:2380,etcd-1=https://etcd-1.etcd.cluster-seeded--ha.svc:2380,etcd-2=https://etcd-2.etcd.cluster-seeded--ha.svc:2380", "--client-cert-auth=true"]));
    const apiserver = await apps.readNamespacedDeployment({ namespace: ns, name: "kube-apiserver" });
    expect(apiserver.spec?.template.spec?.containers[0]?.readinessProbe?.httpGet?.path).toBe("/readyz?exclude=etcd&exclude=etcd-readiness");
    expect(apiserver.spec?.template.metadata?.annotations?.["seedbed.dev/config-checksum"]).toMatch(/^[0-9a-f]{64}$/);
    for (const name of ["kube-controller-manager", "kube-scheduler"]) expect((await apps.readNamespacedDeployment({ namespace: ns, name })).spec?.template.spec?.containers[0]?.args).toContain("--leader-elect=true");
    const services = await core.listNamespacedService({ namespace: ns });
    expect(services.items.find((s) => s.metadata?.name === "kube-apiserver")?.spec?.type).toBe("NodePort");
    const policies = await api().kubeConfig().makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: ns });
    expect(policies.items.map((p) => p.metadata?.name).sort()).toEqual(["default-deny", "etcd", "kube-apiserver"]);
    const etcdPolicy = policies.items.find((p) => p.metadata?.name === "etcd");
    expect(etcdPolicy?.spec?.ingress?.[0]?._from?.[0]?.podSelector?.matchLabels?.["seedbed.dev/component"]).toBe("kube-apiserver");
    const pdbs = await policy.listNamespacedPodDisruptionBudget({ namespace: ns });
    // A budget only where more than one pod runs: three etcd members, one API server.
    expect(pdbs.items.map((p) => p.metadata?.name)).toEqual(["etcd"]);
    // Each component's Secret holds only its own files: the scheduler's has no key at all.
    const schedulerSecret = await core.readNamespacedSecret({ namespace: ns, name: "kube-scheduler-certs" });
    expect(Object.keys(schedulerSecret.data ?? {})).toEqual(["kubeconfig"]);
  });

  it("runs every pod as uid 65532 with its Secret files group-readable to it, from the images configured", async () => {
    const ns = "cluster-seeded--ha";
    const templates = [(await apps.readNamespacedStatefulSet({ namespace: ns, name: "etcd" })).spec?.template, ...(await Promise.all(["kube-apiserver", "kube-controller-manager", "kube-scheduler"].map(async (name) => (await apps.readNamespacedDeployment({ namespace: ns, name })).spec?.template)))];
    for (const template of templates) {
      expect(template?.spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 });
      expect(template?.spec?.volumes?.find((v) => v.name === "certs")?.secret?.defaultMode).toBe(0o440);
      expect(template?.spec?.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    }
    expect(templates.map((t) => t?.spec?.containers[0]?.image)).toEqual([expect.stringMatching(/^registry\.k8s\.io\/etcd:/), "docker.io/seedbed/kube-apiserver:v1.37.1", "registry.k8s.io/kube-controller-manager:v1.37.1", "registry.k8s.io/kube-scheduler:v1.37.1"]);
  });

  it("publishes the API at the first seed node's address and NodePort, which its serving certificate names, as it does every node's", async () => {
    const cluster = await readCluster("ha");
    const service = await core.readNamespacedService({ namespace: "cluster-seeded--ha", name: "kube-apiserver" });
    expect(cluster.status?.endpoint).toBe(`https://192.0.2.10:${service.spec?.ports?.[0]?.nodePort ?? "?"}`);
    const pki = async (): Promise<{ ca: string; certificate: X509Certificate }> => {
      const data = (await core.readNamespacedSecret({ namespace, name: "ha-pki" })).data ?? {};
      const pem = (file: string): string => Buffer.from(data[file] ?? "", "base64").toString("utf8");
      return { ca: pem("ca.crt"), certificate: new X509Certificate(pem("apiserver.crt")) };
    };
    const before = await pki();
    for (const ip of ["192.0.2.10", "192.0.2.11", "192.0.2.12"]) expect(before.certificate.checkIP(ip), ip).toBe(ip);
    expect(before.certificate.checkIP("192.0.2.13")).toBeUndefined();
    // A node joins the seed: its address is in new leaves, from the same CA (kubeconfigs handed out stay valid).
    // Unschedulable: the API server pods that roll onto new leaves must not land on a node about to go.
    await core.createNode({ body: { metadata: { name: "seed-node-3", annotations: { [kwokNodeAnnotation]: "fake" }, labels: { "kubernetes.io/hostname": "seed-node-3" } }, spec: { unschedulable: true }, status: { addresses: [{ type: "InternalIP", address: "192.0.2.13" }], allocatable: { cpu: "8", memory: "32Gi", pods: "110" }, capacity: { cpu: "8", memory: "32Gi", pods: "110" } } } });
    try {
      const after = await eventually(pki, (p) => p.certificate.checkIP("192.0.2.13") === "192.0.2.13", { timeoutMs: 30_000, description: "a leaf naming the new node" });
      expect(after.ca).toBe(before.ca);
      expect(after.certificate.checkIP("192.0.2.10")).toBe("192.0.2.10");
      expect(after.certificate.verify(new X509Certificate(before.ca).publicKey)).toBe(true);
    } finally {
      // The scheduling test below counts on three nodes.
      await core.deleteNode({ name: "seed-node-3" });
    }
  });

  it("keeps client addresses (externalTrafficPolicy Local) when the API is limited to source ranges", async () => {
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "ha", body: { spec: { exposure: { allowedSourceRanges: ["198.51.100.0/24"] } } } }, mergePatch);
    const limited = await eventually(() => core.readNamespacedService({ namespace: "cluster-seeded--ha", name: "kube-apiserver" }), (s) => s.spec?.externalTrafficPolicy === "Local", { timeoutMs: 30_000, description: "externalTrafficPolicy Local" });
    expect(limited.spec?.type).toBe("NodePort");
    // Only nodes with a ready API server pod answer now: the endpoint names one of them.
    const pods = await core.listNamespacedPod({ namespace: "cluster-seeded--ha", labelSelector: "seedbed.dev/component=kube-apiserver" });
    const serving = new Set(pods.items.map((p) => p.spec?.nodeName));
    const nodes = await core.listNode();
    const addresses = nodes.items.filter((n) => serving.has(n.metadata?.name)).map((n) => n.status?.addresses?.find((a) => a.type === "InternalIP")?.address);
    await eventually(() => readCluster("ha"), (c) => addresses.some((a) => c.status?.endpoint === `https://${a ?? ""}:${limited.spec?.ports?.[0]?.nodePort ?? ""}`), { timeoutMs: 30_000, description: "an endpoint on a node running kube-apiserver" });
    // The change may roll the API server (its policy and certificate); a roll in progress is Degraded, then Running again.
    await eventually(() => readCluster("ha"), (c) => c.status?.phase === "Running" && c.status.observedGeneration === c.metadata.generation, { timeoutMs: 60_000, description: "cluster ha Running with the source ranges" });
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "ha", body: { spec: { exposure: { allowedSourceRanges: null } } } }, mergePatch);
    await eventually(() => core.readNamespacedService({ namespace: "cluster-seeded--ha", name: "kube-apiserver" }), (s) => s.spec?.externalTrafficPolicy === "Cluster", { timeoutMs: 30_000, description: "externalTrafficPolicy back to Cluster" });
  });

  it("rolls the API server Deployment when control-plane replicas change", async () => {
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "ha", body: { spec: { controlPlane: { replicas: 2 } } } }, mergePatch);
    const scaled = await eventually(() => apps.readNamespacedDeployment({ namespace: "cluster-seeded--ha", name: "kube-apiserver" }), (d) => d.spec?.replicas === 2 && d.status?.readyReplicas === 2, { timeoutMs: 60_000 });
    expect(scaled.status?.readyReplicas).toBe(2);
    await eventually(() => readCluster("ha"), (c) => c.status?.phase === "Running" && c.status.observedGeneration === c.metadata.generation);
    const budgets = async (): Promise<string[]> => (await policy.listNamespacedPodDisruptionBudget({ namespace: "cluster-seeded--ha" })).items.map((p) => p.metadata?.name ?? "").sort();
    expect(await budgets()).toEqual(["etcd", "kube-apiserver"]);
    // Back to one replica: its budget goes.
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "ha", body: { spec: { controlPlane: { replicas: 1 } } } }, mergePatch);
    await eventually(budgets, (names) => names.join() === "etcd", { timeoutMs: 30_000, description: "the kube-apiserver budget deleted" });
  });

  it("rotates the CAs of a control plane in a seed: bundles with both CAs in each component's Secret, then only the new, etcd and kube-apiserver rolled for what they read at start", async () => {
    const ns = "cluster-seeded--ha";
    const secretFile = async (name: string, file: string): Promise<string> => Buffer.from((await core.readNamespacedSecret({ namespace: ns, name })).data?.[file] ?? "", "base64").toString();
    const checksum = async (kind: "deployment" | "statefulset", name: string): Promise<string | undefined> =>
      (kind === "deployment" ? await apps.readNamespacedDeployment({ namespace: ns, name }) : await apps.readNamespacedStatefulSet({ namespace: ns, name })).spec?.template.metadata?.annotations?.["seedbed.dev/config-checksum"];
    const before = await readCluster("ha");
    const oldCA = before.status?.certificates?.authorities?.find((a) => a.name === "etcd")?.fingerprint;
    const [etcdBefore, apiBefore] = [await checksum("statefulset", "etcd"), await checksum("deployment", "kube-apiserver")];
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "ha", body: { spec: { certificates: { caRotation: { completeAfter: "0s" } } }, metadata: { annotations: { "seedbed.dev/rotate-ca": "now" } } } }, mergePatch);
    // While Prepared (or later), etcd trusts two CAs, from its own Secret.
    await eventually(() => secretFile("etcd-certs", "etcd-ca-bundle.crt"), (pem) => (pem.match(/BEGIN CERTIFICATE/g)?.length ?? 0) === 2, { timeoutMs: 60_000, description: "etcd trusting both etcd CAs" });
    const done = await eventually(() => readCluster("ha"), (c) => c.status?.certificates?.rotation?.phase === "Completed", { timeoutMs: 120_000, description: "the rotation Completed" });
    expect(done.status?.certificates?.rotation?.trigger).toBe("Manual");
    const etcdCA = done.status?.certificates?.authorities?.find((a) => a.name === "etcd");
    expect(etcdCA?.fingerprint).not.toBe(oldCA);
    expect(etcdCA?.previous).toBeUndefined();
    for (const [name, file] of [["etcd-certs", "etcd-ca-bundle.crt"], ["kube-apiserver-certs", "ca-bundle.crt"], ["kube-apiserver-certs", "etcd-ca-bundle.crt"], ["kube-controller-manager-certs", "ca-bundle.crt"]] as const) {
      expect((await secretFile(name, file)).match(/BEGIN CERTIFICATE/g), `${name} ${file}`).toHaveLength(1);
    }
    expect(await checksum("statefulset", "etcd")).not.toBe(etcdBefore);
    expect(await checksum("deployment", "kube-apiserver")).not.toBe(apiBefore);
    expect(done.status?.phase).toBe("Running");
  });

  it("shows a control plane that cannot be scheduled as a condition with the scheduler's reason", async () => {
    for (let i = 0; i < 3; i++) await core.patchNode({ name: `seed-node-${i}`, body: { spec: { unschedulable: true } } }, mergePatch);
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "stuck", namespace }, spec: {} } });
    const stuck = await eventually(() => readCluster("stuck"), (c) => c.status?.conditions?.some((x) => x.type === "EtcdReady" && x.message.includes("Unschedulable")) === true, { timeoutMs: 60_000 });
    expect(stuck.status?.phase).toBe("Provisioning");
    for (let i = 0; i < 3; i++) await core.patchNode({ name: `seed-node-${i}`, body: { spec: { unschedulable: false } } }, mergePatch);
    await eventually(() => readCluster("stuck"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000 });
  });

  it("deleting the Cluster removes its namespace and everything in it", async () => {
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: "stuck" });
    await eventually(() => readCluster("stuck").then(() => false, () => true), (gone) => gone, { timeoutMs: 90_000, description: "cluster stuck gone" });
    await expect(core.readNamespace({ name: "cluster-seeded--stuck" })).rejects.toThrow(/404|not found/i);
  });
});
