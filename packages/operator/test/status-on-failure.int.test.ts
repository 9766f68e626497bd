import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, StorageV1Api } from "@kubernetes/client-node";
import { apiVersion, installCRDs, isClusterServing, type Cluster } from "@seedbed/api";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";

const namespace = "project-failing";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const secretRef = { namespace: "seedbed-system", name: "seed-remote" };

/** A kubeconfig for an API server that is not there: connections to port 2 are refused. */
const nowhere = `apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:2", insecure-skip-tls-verify: true } }]
users: [{ name: nobody, user: { token: not-a-token } }]
contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody } }]
current-context: nowhere
`;

describe("a Cluster's status tells the truth when its passes fail (kubernetes driver, kwok seed)", () => {
  // The management cluster doubles as the seed once the Seed's kubeconfig is fixed.
  const api = useKubeAPI({ controllers: true, kwok: true });
  const stateDir = mkdtempSync(join(tmpdir(), "seedbed-failing-"));
  const graceMs = 2000;
  let operator: Operator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  const ready = (c: Cluster): { status: string; reason: string; message: string } | undefined => c.status?.conditions?.find((x) => x.type === "Ready");
  const writeSeedKubeconfig = async (kubeconfig: string): Promise<void> => {
    const body = { metadata: secretRef, stringData: { kubeconfig } };
    await core.replaceNamespacedSecret({ ...secretRef, body }).catch(async () => core.createNamespacedSecret({ namespace: secretRef.namespace, body }));
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    for (const name of [namespace, secretRef.namespace]) await core.createNamespace({ body: { metadata: { name } } });
    await core.createNode({ body: { metadata: { name: "seed-node", annotations: { [kwokNodeAnnotation]: "fake" }, labels: { "kubernetes.io/hostname": "seed-node" } }, status: { addresses: [{ type: "InternalIP", address: "192.0.2.20" }], allocatable: { cpu: "8", memory: "32Gi", pods: "110" }, capacity: { cpu: "8", memory: "32Gi", pods: "110" } } } });
    await kc.makeApiClient(StorageV1Api).createStorageClass({ body: { metadata: { name: "kwok-local" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate" } });
    await core.createPersistentVolume({ body: { metadata: { name: "pv-failing" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "kwok-local", hostPath: { path: "/tmp/seedbed-pv-failing" } } } });
    await writeSeedKubeconfig(nowhere);
    await objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: "remote" }, spec: { driver: "kubernetes", default: true, storageClassName: "kwok-local", kubeconfigSecretRef: { ...secretRef, key: "kubeconfig" } } } });
    operator = await startOperator({ kubeConfig: kc, stateDir, failureGraceMs: graceMs });
  });
  afterAll(async () => {
    await operator.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("says Ready=False with the reason once failures outlast the grace, and moves no observedGeneration", async () => {
    const began = Date.now();
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "far", namespace }, spec: { seed: "remote" } } });
    const failing = await eventually(() => readCluster("far"), (c) => ready(c)?.status === "False", { timeoutMs: 30_000, description: "Ready=False on cluster far" });
    // The grace, then at most one retry's backoff (passes fail fast on a refused connection).
    expect(Date.now() - began).toBeGreaterThanOrEqual(graceMs);
    expect(ready(failing)?.reason).toBe("SeedUnreachable");
    expect(ready(failing)?.message).toMatch(/^applying the control plane on its seed \(seed remote\) failed: the seed's API at https:\/\/127\.0\.0\.1:2 does not answer: .*ECONNREFUSED.*; retrying with backoff$/);
    expect(failing.status?.observedGeneration).toBeUndefined();
    expect(isClusterServing(failing)).toBe(false);
    const events = await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=far" });
    expect(events.items.some((e) => e.type === "Warning" && e.reason === "SeedUnreachable")).toBe(true);
  });

  it("sets Ready back once the seed answers, with observedGeneration after the clean pass", async () => {
    // The Secret fixed (not the Seed): only the controller's retries, capped at 30 s, can notice.
    await writeSeedKubeconfig(readFileSync(api().kubeconfigPath, "utf8"));
    const running = await eventually(() => readCluster("far"), (c) => ready(c)?.status === "True", { timeoutMs: 110_000, description: "Ready=True on cluster far" });
    expect(running.status?.phase).toBe("Running");
    expect(running.status?.observedGeneration).toBe(running.metadata.generation);
    expect(running.status?.seed).toBe("remote");
    expect(isClusterServing(running)).toBe(true);
  });
});
