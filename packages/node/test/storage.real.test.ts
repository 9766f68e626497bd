import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, StorageV1Api, type CoreV1Event, type V1PersistentVolume } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import type { BuiltImage } from "@seedbed/images";
import { localImage, startLocalVolumeProvisioner, startRealNode, type LocalVolumeProvisioner, type RealNode } from "../src/index.ts";

/** The uid and gid Seedbed's components run as (distroless "nonroot"). */
const nonRoot = 65532;

describe("the seedbed-local volume provisioner", () => {
  const api = useKubeAPI({ controllers: true, realNodes: true });
  const baseDir = mkdtempSync(join(tmpdir(), "seedbed-volumes-"));
  let node: RealNode | undefined;
  let provisioner: LocalVolumeProvisioner | undefined;
  let etcdImage: BuiltImage | undefined;
  afterAll(async () => {
    try {
      await provisioner?.stop();
      await node?.stop();
    } finally {
      rmSync(baseDir, { recursive: true, force: true });
    }
  }, 120_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (node) process.stderr.write(`\n[storage] node logs (last 60 lines each):\n${node.logs().split(/(?====== )/).map((s) => s.trimEnd().split("\n").slice(-60).join("\n")).join("\n")}\n`);
    });
  });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    provisioner = await startLocalVolumeProvisioner({ kubeConfig: kc, baseDir });
    etcdImage = await localImage("etcd");
    node = await startRealNode({
      name: "real-0",
      server: api().nodeServer,
      clusterCA: { certificatePem: readFileSync(api().pki.caCert, "utf8"), privateKeyPem: readFileSync(api().pki.caKey, "utf8") },
      images: [etcdImage],
    });
    await eventually(
      () => core.readNode({ name: "real-0" }),
      (n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      { timeoutMs: 60_000, description: "node real-0 Ready" },
    );
    await eventually(() => core.listNamespacedServiceAccount({ namespace: "default" }), (l) => l.items.some((sa) => sa.metadata?.name === "default"));
  }, 180_000);

  /** A non-root etcd writing its data into the claim: Ready only once it could. */
  async function startEtcd(name: string, claimName: string): Promise<void> {
    await api()
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedPod({
        namespace: "default",
        body: {
          metadata: { name },
          spec: {
            terminationGracePeriodSeconds: 1,
            securityContext: { runAsUser: nonRoot, runAsGroup: nonRoot, fsGroup: nonRoot, runAsNonRoot: true },
            containers: [
              {
                name: "etcd",
                image: etcdImage?.names[0],
                args: ["--data-dir=/data/etcd", "--listen-client-urls=http://0.0.0.0:2379", "--advertise-client-urls=http://127.0.0.1:2379", "--listen-peer-urls=http://127.0.0.1:2380"],
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "data", mountPath: "/data" }],
                readinessProbe: { httpGet: { path: "/health", port: 2379 }, periodSeconds: 1 },
              },
            ],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
          },
        },
      });
    await eventually(
      () => api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedPod({ namespace: "default", name }),
      (p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      { timeoutMs: 90_000, description: `pod ${name} Ready` },
    );
  }

  it("gives a non-root pod a writable volume on its node, tells a claim what it cannot have, and removes volume and directory with the claim — also across a restart", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const storageClass = await kc.makeApiClient(StorageV1Api).readStorageClass({ name: "seedbed-local" });
    expect(storageClass).toMatchObject({ provisioner: "seedbed.dev/local-volume", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" });
    expect(storageClass.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"]).toBe("true");

    // Bad input: told on the claim, in an Event, what to use instead.
    await core.createNamespacedPersistentVolumeClaim({
      namespace: "default",
      body: { metadata: { name: "shared" }, spec: { storageClassName: "seedbed-local", accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } } } },
    });
    const warning = await eventually(
      async () => (await core.listNamespacedEvent({ namespace: "default" })).items.find((e: CoreV1Event) => e.involvedObject.name === "shared" && e.reason === "ProvisioningFailed"),
      (e) => e !== undefined,
      { timeoutMs: 20_000, description: "a ProvisioningFailed event on claim shared" },
    );
    expect(warning?.type).toBe("Warning");
    expect(warning?.message).toContain("spec.accessModes ReadWriteMany is not supported by seedbed-local");
    expect(warning?.message).toContain("use ReadWriteOnce");

    // No storageClassName: the default class serves it.
    const claim = await core.createNamespacedPersistentVolumeClaim({
      namespace: "default",
      body: { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } } },
    });
    await startEtcd("etcd", "data");

    const bound = await core.readNamespacedPersistentVolumeClaim({ namespace: "default", name: "data" });
    expect(bound.status?.phase).toBe("Bound");
    expect(bound.spec?.storageClassName).toBe("seedbed-local");
    const volumeName = bound.spec?.volumeName ?? "";
    expect(volumeName).toBe(`pvc-${claim.metadata?.uid ?? ""}`);
    const volume: V1PersistentVolume = await core.readPersistentVolume({ name: volumeName });
    const dir = join(baseDir, volumeName);
    expect(volume.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("seedbed.dev/local-volume");
    expect(volume.spec?.local?.path).toBe(dir);
    expect(volume.spec?.capacity?.storage).toBe("64Mi");
    expect(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["real-0"] }] }]);
    expect(volume.spec?.claimRef).toMatchObject({ namespace: "default", name: "data", uid: claim.metadata?.uid });
    // The pod wrote as 65532 into a directory the kubelet gave its fsGroup (group rwx and setgid on our 0700).
    const dirStat = statSync(dir);
    expect(dirStat.gid).toBe(nonRoot);
    expect(dirStat.mode & 0o7777).toBe(0o2770);
    expect(statSync(join(dir, "etcd", "member")).uid).toBe(nonRoot);

    // The provisioner is down while the claim goes: on its return it finds the released volume and cleans up.
    await provisioner?.stop();
    provisioner = undefined;
    await core.deleteNamespacedPod({ namespace: "default", name: "etcd" });
    await core.deleteNamespacedPersistentVolumeClaim({ namespace: "default", name: "data" });
    await eventually(() => core.readPersistentVolume({ name: volumeName }), (pv) => pv.status?.phase === "Released", { timeoutMs: 60_000, description: "PV Released" });
    expect(existsSync(dir)).toBe(true);

    provisioner = await startLocalVolumeProvisioner({ kubeConfig: kc, baseDir });
    await eventually(
      async () => (await core.listPersistentVolume()).items.map((pv) => pv.metadata?.name),
      (names) => !names.includes(volumeName),
      { timeoutMs: 30_000, description: `PV ${volumeName} deleted` },
    );
    expect(readdirSync(baseDir)).toEqual([]);
  }, 240_000);

  it("keeps the directory of a volume deleted by hand while a pod uses it, and removes both once the claim goes", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedPersistentVolumeClaim({
      namespace: "default",
      body: { metadata: { name: "kept" }, spec: { storageClassName: "seedbed-local", accessModes: ["ReadWriteOncePod"], resources: { requests: { storage: "16Mi" } } } },
    });
    await startEtcd("etcd-kept", "kept");
    const volumeName = (await core.readNamespacedPersistentVolumeClaim({ namespace: "default", name: "kept" })).spec?.volumeName ?? "";
    const dir = join(baseDir, volumeName);
    await core.deletePersistentVolume({ name: volumeName });
    const deleting = await core.readPersistentVolume({ name: volumeName });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.finalizers).toContain("seedbed.dev/local-volume-directory");
    // Still in use: nothing is removed (a second look after the provisioner had time to act).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await core.readPersistentVolume({ name: volumeName })).status?.phase).toBe("Bound");
    expect(existsSync(join(dir, "etcd", "member"))).toBe(true);

    await core.deleteNamespacedPod({ namespace: "default", name: "etcd-kept" });
    await core.deleteNamespacedPersistentVolumeClaim({ namespace: "default", name: "kept" });
    await eventually(
      async () => (await core.listPersistentVolume()).items.map((pv) => pv.metadata?.name),
      (names) => !names.includes(volumeName),
      { timeoutMs: 60_000, description: `PV ${volumeName} gone` },
    );
    expect(existsSync(dir)).toBe(false);
  }, 180_000);
});
