import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { PeerCertificate } from "node:tls";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, type Cluster } from "@seedbed/api";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedCertificate, shiftedClock, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-ops";

const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const day = 86_400_000;

/** The directory under the operator's state where the control plane whose API server certificate is `apiServerPem` runs. */
function clusterDir(stateDir: string, apiServerPem: string): string {
  const root = join(stateDir, "clusters");
  const read = (dir: string): string | undefined => (existsSync(join(dir, "pki", "apiserver.crt")) ? readFileSync(join(dir, "pki", "apiserver.crt"), "utf8") : undefined);
  const dir = readdirSync(root).map((d) => join(root, d)).find((d) => read(d) === apiServerPem);
  if (dir === undefined) throw new Error(`no control plane under ${root} has the API server certificate of the PKI Secret`);
  return dir;
}

/** Whether a served certificate is the one in `pem` (serial numbers are unique per CA). */
function sameSerial(served: PeerCertificate, pem: string): boolean {
  return served.serialNumber.toUpperCase() === new X509Certificate(pem).serialNumber.toUpperCase();
}

describe("the Cluster controller with the local driver", () => {
  const api = useKubeAPI({ controllers: true });
  const clock = shiftedClock();
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;

  const readCluster = async (name: string): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name })) as Cluster;
  const condition = (c: Cluster, type: string): string | undefined => c.status?.conditions?.find((x) => x.type === type)?.status;
  /** A cluster's PKI Secret: file name → PEM. */
  const pkiOf = async (cluster: string): Promise<(file: string) => string> => {
    const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret(cluster) });
    return (file) => Buffer.from(secret.data?.[file] ?? "", "base64").toString();
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace, { clock });
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

  it("renews the leaf certificates of a running control plane near expiry: the components load them, and the cluster keeps serving its data", async () => {
    // A control plane made 340 days ago: the operator's clock is set back
    // while it issues the PKI, so the one-year leaves have 25 days left.
    clock.offsetMs = -340 * day;
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "gamma", namespace }, spec: {} } });
    const running = await eventually(() => readCluster("gamma"), (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster gamma Running" });
    const endpoint = running.status?.endpoint ?? "";
    const old = await pkiOf("gamma");
    const oldServed = await servedCertificate(endpoint);
    expect(sameSerial(oldServed, old("apiserver.crt"))).toBe(true);
    expect(new Date(oldServed.valid_to).getTime()).toBeLessThan(Date.now() + 26 * day);
    const dir = clusterDir(platform.stateDir, old("apiserver.crt"));
    const oldPids = findProcessesByMarker(`seedbed:${dir}`, { prefix: true });
    expect(oldPids).toHaveLength(4);
    const before = (await tenantKubeConfig(core, namespace, "gamma")).makeApiClient(CoreV1Api);
    await before.createNamespace({ body: { metadata: { name: "kept" } } });
    await before.createNamespacedConfigMap({ namespace: "kept", body: { metadata: { name: "data" }, data: { written: "before the renewal" } } });

    // Today: inside the 30-day window. A change to the Cluster brings it back at once (the periodic resync would, later).
    clock.offsetMs = 0;
    await objects.patchNamespacedCustomObject({ ...resource, plural: "clusters", name: "gamma", body: { metadata: { annotations: { "test.seedbed.dev/poke": "renewal" } } } }, mergePatch);
    const renewed = await eventually(() => pkiOf("gamma"), (pem) => pem("apiserver.crt") !== old("apiserver.crt"), { timeoutMs: 30_000, description: "new leaves in the PKI Secret" });
    for (const file of ["ca.crt", "ca.key", "etcd-ca.crt", "etcd-ca.key", "sa.key", "sa.pub"]) expect(renewed(file), file).toBe(old(file));
    for (const file of ["apiserver.crt", "apiserver-etcd-client.crt", "etcd-server.crt", "controller-manager.crt", "scheduler.crt", "admin.crt"]) {
      expect(new Date(new X509Certificate(renewed(file)).validTo).getTime(), file).toBeGreaterThan(Date.now() + 364 * day);
    }

    // The running kube-apiserver serves the new certificate: it reloaded it.
    const served = await eventually(() => servedCertificate(endpoint), (cert) => sameSerial(cert, renewed("apiserver.crt")), { timeoutMs: 60_000, description: "the API server serving the new certificate" });
    expect(new Date(served.valid_to).getTime()).toBeGreaterThan(Date.now() + 364 * day);
    // kube-apiserver and etcd reload their certificates by themselves and
    // keep running; the controller-manager and the scheduler read their
    // client certificates only when they start: they run anew.
    const component = (name: string): number[] => findProcessesByMarker(`seedbed:${dir}/${name}`);
    await eventually(async () => Promise.resolve(findProcessesByMarker(`seedbed:${dir}`, { prefix: true })), (pids) => pids.length === 4 && pids.filter((pid) => !oldPids.includes(pid)).length === 2, { timeoutMs: 60_000, description: `the controllers of ${dir} restarted` });
    for (const name of ["kube-apiserver", "etcd"]) expect(oldPids, name).toContain(component(name)[0]);
    const ready = await eventually(() => readCluster("gamma"), (c) => c.status?.phase === "Running" && condition(c, "Ready") === "True", { timeoutMs: 60_000, description: "gamma Ready again" });
    expect(ready.status?.endpoint).toBe(endpoint);

    // The admin kubeconfig carries the new client certificate, and with it the data written before is there.
    const admin = await eventually(() => tenantKubeConfig(core, namespace, "gamma"), (kc) => Buffer.from(kc.getCurrentUser()?.certData ?? "", "base64").toString() === renewed("admin.crt"), { timeoutMs: 30_000, description: "the admin kubeconfig with the new client certificate" });
    const after = admin.makeApiClient(CoreV1Api);
    const data = await eventually(() => after.readNamespacedConfigMap({ namespace: "kept", name: "data" }), () => true, { timeoutMs: 30_000, description: "the data written before" });
    expect(data.data).toEqual({ written: "before the renewal" });
    // The controller-manager, restarted with its new client certificate, works: a new namespace gets its ServiceAccount.
    await after.createNamespace({ body: { metadata: { name: "after" } } });
    await eventually(() => after.readNamespacedServiceAccount({ namespace: "after", name: "default" }).then(() => true, () => false), (found) => found, { timeoutMs: 60_000, description: "the controller-manager at work" });
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
    const marker = `seedbed:${join(platform.stateDir, "clusters")}/ops--alpha`;
    expect(findProcessesByMarker(marker, { prefix: true })).toHaveLength(4);
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "clusters", name: "alpha" });
    await eventually(() => readCluster("alpha").then(() => false, () => true), (gone) => gone, { timeoutMs: 60_000, description: "cluster alpha gone" });
    expect(findProcessesByMarker(marker, { prefix: true })).toEqual([]);
    expect(existsSync(join(platform.stateDir, "clusters", "ops--alpha"))).toBe(false);
  });
});
