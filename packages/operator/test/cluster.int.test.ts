import { existsSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, EventsV1Api } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, type Cluster } from "@seedbed/api";
import { connect, type PeerCertificate } from "node:tls";
import { findProcessesByMarker, pkiFileContents } from "@seedbed/controlplane";
import { createClusterPKI } from "@seedbed/pki";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-ops";

/** The certificate a TLS server presents. */
function servedCertificate(endpoint: string): Promise<PeerCertificate> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.once("error", reject);
  });
}
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };

describe("the Cluster controller with the local driver", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;

  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  const condition = (c: Cluster, type: string): string | undefined => c.status?.conditions?.find((x) => x.type === type)?.status;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace);
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("brings a Cluster to Running with every condition true, and its kubeconfig works against the real tenant API", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "alpha", namespace }, spec: {} } });
    const cluster = await eventually(() => readCluster("alpha"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster alpha Running" });
    for (const type of ["SpecValid", "CertificatesReady", "EtcdReady", "APIServerReady", "ControlPlaneReady", "Ready"]) expect(condition(cluster, type), type).toBe("True");
    expect(cluster.status?.observedGeneration).toBe(cluster.metadata.generation);
    expect(cluster.status?.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.metadata.finalizers).toContain("seedbed.dev/cluster");

    const tenant = await tenantKubeConfig(core, namespace, "alpha");
    await tenant.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "team-a" } } });
    const names = (await tenant.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toContain("team-a");
    expect(names).not.toContain(namespace);

    const events = await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=alpha" });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(["Provisioning", "ClusterReady"]));
    // No event, status or log line carries a private key.
    expect(JSON.stringify(events.items)).not.toMatch(/PRIVATE KEY/);
    expect(JSON.stringify(cluster.status)).not.toMatch(/PRIVATE KEY/);
  });

  it("reports a missing template as a terminal condition, and builds the cluster once the template exists", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "beta", namespace }, spec: { template: "small" } } });
    const failed = await eventually(() => readCluster("beta"), (c) => c.status?.phase === "Failed");
    const specValid = failed.status?.conditions?.find((c) => c.type === "SpecValid");
    expect(specValid?.reason).toBe("TemplateNotFound");
    expect(specValid?.message).toContain("ClusterTemplate small does not exist");

    await objects.createNamespacedCustomObject({ ...resource, plural: "clustertemplates", body: { apiVersion, kind: "ClusterTemplate", metadata: { name: "small", namespace }, spec: { network: { serviceCIDR: "10.32.0.0/16" } } } });
    const running = await eventually(() => readCluster("beta"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000 });
    expect(condition(running, "SpecValid")).toBe("True");
  });

  it("renews leaf certificates near expiry, keeping the CA, and the API serves the new one", async () => {
    // A PKI whose leaf certificates expire in 10 days: inside the 30-day window.
    const old = pkiFileContents(await createClusterPKI({ clusterName: "gamma", kubernetesServiceIP: "10.96.0.1", leafValidity: { days: 10 } }));
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: clusterObjectNames.pkiSecret("gamma") }, type: "seedbed.dev/cluster-pki", data: Object.fromEntries([...old].map(([f, pem]) => [f, Buffer.from(pem).toString("base64")])) } });
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "gamma", namespace }, spec: {} } });
    const running = await eventually(() => readCluster("gamma"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000 });
    const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("gamma") });
    const pem = (file: string): string => Buffer.from(secret.data?.[file] ?? "", "base64").toString();
    expect(pem("ca.crt")).toBe(old.get("ca.crt"));
    expect(pem("apiserver.crt")).not.toBe(old.get("apiserver.crt"));
    const served = await servedCertificate(running.status?.endpoint ?? "");
    expect(new Date(served.valid_to).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    const events = await api().kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: "regarding.name=gamma" });
    expect(events.items.map((e) => e.reason)).toContain("CertificatesRenewed");
  });

  it("issues a leaf deleted from the PKI Secret again from the same CA, never a new CA", async () => {
    const name = clusterObjectNames.pkiSecret("gamma");
    const before = await core.readNamespacedSecret({ namespace, name });
    const data = Object.fromEntries(Object.entries(before.data ?? {}).filter(([file]) => file !== "scheduler.crt"));
    await core.replaceNamespacedSecret({ namespace, name, body: { metadata: before.metadata, type: before.type, data } });
    // The Secret is the Cluster's own: its change alone brings the Cluster back.
    const after = await eventually(() => core.readNamespacedSecret({ namespace, name }), (s) => s.data?.["scheduler.crt"] !== undefined, { timeoutMs: 30_000, description: "scheduler.crt back" });
    expect(after.data?.["ca.crt"]).toBe(before.data?.["ca.crt"]);
    expect(after.data?.["ca.key"]).toBe(before.data?.["ca.key"]);
    expect(after.data?.["sa.key"]).toBe(before.data?.["sa.key"]);
    await eventually(() => readCluster("gamma"), (c) => c.status?.phase === "Running", { timeoutMs: 60_000 });
  });

  it("deletes a Cluster: processes, ports and files go, then the object", async () => {
    const before = await readCluster("alpha");
    expect(before.status?.phase).toBe("Running");
    const marker = `seedbed:${join(platform.stateDir, "clusters")}/ops-alpha`;
    expect(findProcessesByMarker(marker, { prefix: true })).toHaveLength(4);
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: "alpha" });
    await eventually(() => readCluster("alpha").then(() => false, () => true), (gone) => gone, { timeoutMs: 60_000, description: "cluster alpha gone" });
    expect(findProcessesByMarker(marker, { prefix: true })).toEqual([]);
    expect(existsSync(join(platform.stateDir, "clusters", "ops-alpha"))).toBe(false);
  });
});
