import { X509Certificate } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, type Cluster } from "@seedbed/api";
import { machineAddress } from "@seedbed/node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";
import { servedCertificate, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-machines";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters" };

/** Whether a served or stored certificate names `address` as an IP SAN. */
function namesAddress(pem: string, address: string): boolean {
  return new X509Certificate(pem).checkIP(address) !== undefined;
}

/** The PEM of a certificate a TLS server presents. */
function pemOf(raw: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${raw.toString("base64")}\n-----END CERTIFICATE-----\n`;
}

// One cluster, started twice: on loopback only, then (the operator started
// again with a node address) reachable by machines, as a platform upgraded
// or switched to root finds its existing clusters.
describe("local clusters that machines reach at this machine's address", () => {
  const api = useKubeAPI();
  const address = machineAddress();
  let platform: LocalOperator;
  let withAddress: Operator | undefined;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let kc: KubeConfig;
  let before: Cluster;

  const readCluster = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...resource, name: "joinable" })) as Cluster;
  const storedServingCertificate = async (): Promise<string> => {
    const secret = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("joinable") });
    return Buffer.from(secret.data?.["apiserver.crt"] ?? "", "base64").toString();
  };

  beforeAll(async () => {
    kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace);
    await objects.createNamespacedCustomObject({ ...resource, body: { apiVersion, kind: "Cluster", metadata: { name: "joinable", namespace }, spec: {} } });
    before = await eventually(readCluster, (c) => c.status?.phase === "Running", { timeoutMs: 90_000, description: "cluster joinable Running on loopback" });
  });
  afterAll(async () => {
    await withAddress?.stop();
    await platform.stop();
  });

  it("without a node address: the API is on loopback only, named nowhere else, and machines are told the endpoint", async () => {
    expect(before.status?.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(before.status?.nodeEndpoint).toBeUndefined();
    expect(namesAddress(await storedServingCertificate(), address)).toBe(false);
  });

  it("with one: an existing cluster gets a serving certificate naming it from the same CA, answers there with TLS verified, points its kubernetes Service there, and reports it", async () => {
    const endpoint = before.status?.endpoint ?? "";
    const port = new URL(endpoint).port;
    const nodeEndpoint = `https://${address}:${port}`;
    await platform.operator.stop();
    withAddress = await startOperator({ kubeConfig: kc, stateDir: platform.stateDir, unsafeNoFsync: true, nodeAddress: address });

    const after = await eventually(readCluster, (c) => c.status?.nodeEndpoint !== undefined && c.status.phase === "Running", { timeoutMs: 90_000, description: "joinable Running with a node endpoint" });
    expect(after.status?.nodeEndpoint).toBe(nodeEndpoint);
    // Users keep the loopback endpoint (and their kubeconfigs); the CA is the same.
    expect(after.status?.endpoint).toBe(endpoint);
    expect(after.status?.certificateAuthority).toBe(before.status?.certificateAuthority);
    const stored = await storedServingCertificate();
    expect(namesAddress(stored, address)).toBe(true);

    // The API server serves the new certificate at the node address: a
    // client that trusts only the cluster CA, and checks the address
    // against the certificate, gets an answer.
    const served = await eventually(() => servedCertificate(nodeEndpoint), (cert) => namesAddress(pemOf(cert.raw), address), { timeoutMs: 60_000, description: `${nodeEndpoint} serving a certificate for ${address}` });
    expect(new X509Certificate(pemOf(served.raw)).verify(new X509Certificate(after.status?.certificateAuthority ?? "").publicKey)).toBe(true);
    const tenant = await tenantKubeConfig(core, namespace, "joinable");
    const cluster = tenant.getCurrentCluster();
    if (!cluster) throw new Error("the admin kubeconfig names no cluster");
    expect(cluster.server).toBe(endpoint);
    tenant.clusters = [{ ...cluster, server: nodeEndpoint }];
    const viaNode = tenant.makeApiClient(CoreV1Api);
    const namespaces = await viaNode.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain("default");

    // Pods reach their API through the kubernetes Service: its endpoints are the node address and the API server's own port.
    const endpoints = await eventually(() => viaNode.readNamespacedEndpoints({ namespace: "default", name: "kubernetes" }), (e) => (e.subsets ?? []).length > 0, { timeoutMs: 30_000, description: "the kubernetes Endpoints" });
    expect(endpoints.subsets?.flatMap((s) => (s.addresses ?? []).map((a) => a.ip))).toEqual([address]);
    expect(endpoints.subsets?.flatMap((s) => (s.ports ?? []).map((p) => p.port))).toEqual([Number(port)]);
    const slice = await eventually(() => tenant.makeApiClient(DiscoveryV1Api).readNamespacedEndpointSlice({ namespace: "default", name: "kubernetes" }), (s) => (s.endpoints ?? []).length > 0, { timeoutMs: 30_000, description: "the kubernetes EndpointSlice" });
    expect((slice.endpoints ?? []).flatMap((e) => e.addresses)).toEqual([address]);
    expect(slice.ports?.map((p) => p.port)).toEqual([Number(port)]);
  });
});
