import { X509Certificate } from "node:crypto";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { offeredMinors, type CARotationStatus, type Cluster, type ClusterCertificatesStatus, type KubeconfigRecord } from "@seedbed/api";
import { buildExecKubeconfig, buildKubeconfig, createCertificateAuthority, issueCertificate, type CertificateAuthority } from "@seedbed/pki";
import { silentLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call, type CallOptions } from "./http.ts";

const [, older = ""] = offeredMinors;

/** The CA data of a kubeconfig's first cluster, as PEM. */
function caOf(kubeconfig: string): string {
  const file = parse(kubeconfig) as { clusters: { cluster: Record<string, string> }[] };
  return Buffer.from(file.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString("utf8");
}

/**
 * POST …/clusters/:cluster/rotate-ca, GET …/certificates, GET
 * …/kubeconfigs and the ledger GET …/kubeconfig writes, against a real
 * kube-apiserver with the CRDs and the generated project roles: alice
 * owns project a, carol edits it (group team-c), bob views it. No operator
 * runs: the test writes status.certificates as the Cluster reconciler
 * would, with real CAs, an old one and a new one (a rotation Prepared).
 */
describe("the REST API's certificates, CA rotation and kubeconfig ledger", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;
  let oldCA: CertificateAuthority;
  let newCA: CertificateAuthority;
  const fingerprint = (ca: CertificateAuthority): string => new X509Certificate(ca.certificatePem).fingerprint256;
  const as = (token: string, body?: unknown): CallOptions => ({ token, body });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace: "project-a", plural: "clusters" };
  const readCluster = async (name: string): Promise<Cluster> => (await objects().getNamespacedCustomObject({ ...coordinates, name })) as Cluster;
  const setStatus = async (name: string, status: NonNullable<Cluster["status"]>): Promise<void> => {
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const rotation = (phase: CARotationStatus["phase"]): CARotationStatus => ({ id: "20300101t000000z", phase, trigger: "Manual", startedTime: "2030-01-01T00:00:00Z", phaseTime: "2030-01-01T00:05:00Z" });
  /** A cluster in project a (created as alice) whose status says: CA rotation in `phase`, old and new CA trusted. */
  const createCluster = async (name: string, phase?: CARotationStatus["phase"]): Promise<void> => {
    expect((await call("POST", "/projects/a/clusters", as(tokens.alice, { metadata: { name }, spec: { version: older } }))).status).toBe(201);
    await setStatus(name, {
      phase: "Running",
      endpoint: "https://127.0.0.1:16443",
      certificateAuthority: `${newCA.certificatePem}${oldCA.certificatePem}`,
      adminKubeconfigSecretRef: { name: `${name}-admin-kubeconfig` },
      certificates: {
        authorities: [{ name: "cluster", fingerprint: fingerprint(newCA), notAfter: "2040-01-01T00:00:00Z", previous: { fingerprint: fingerprint(oldCA), notAfter: "2035-01-01T00:00:00Z" } }],
        ...(phase === undefined ? {} : { rotation: rotation(phase) }),
      },
    });
  };

  beforeAll(async () => {
    [oldCA, newCA] = await Promise.all([createCertificateAuthority({ commonName: "old-ca" }), createCertificateAuthority({ commonName: "new-ca" })]);
    await bootstrap(api());
    server = await startTestServer(api(), {
      logger: silentLogger(),
      // A provider that, like one lagging behind a rotation, still names only the old CA: the route must hand out the status's bundle.
      kubeconfigFor: (cluster) => buildExecKubeconfig({ clusterName: cluster.metadata.name ?? "", server: cluster.status?.endpoint ?? "", certificateAuthorityPem: oldCA.certificatePem, userName: "seedbed", exec: { command: "seedbed", args: ["token"] } }),
    });
    call = client(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("lets an editor start a CA rotation (annotation seedbed.dev/rotate-ca set to the time), with or without a body", async () => {
    await createCluster("start");
    const before = Date.now();
    const res = await call<Cluster>("POST", "/projects/a/clusters/start/rotate-ca", as(tokens.carol));
    expect(res.status).toBe(200);
    const requested = (await readCluster("start")).metadata.annotations?.["seedbed.dev/rotate-ca"] ?? "";
    expect(Date.parse(requested)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.body.metadata.annotations?.["seedbed.dev/rotate-ca"]).toBe(requested);
    await createCluster("start2");
    expect((await call("POST", "/projects/a/clusters/start2/rotate-ca", as(tokens.alice, { complete: false }))).status).toBe(200);
    expect((await readCluster("start2")).metadata.annotations?.["seedbed.dev/rotate-ca"]).toBeDefined();
  });

  it("answers 409 to another start while a rotation is under way, and changes nothing", async () => {
    await createCluster("busy", "Prepared");
    const res = await call("POST", "/projects/a/clusters/busy/rotate-ca", as(tokens.alice, {}));
    expect(res.error).toEqual({ status: 409, reason: "Conflict", message: 'cluster busy: CA rotation 20300101t000000z is under way (Prepared); start another once it is Completed, or complete a Prepared one with {"complete": true}' });
    expect((await readCluster("busy")).metadata.annotations?.["seedbed.dev/rotate-ca"]).toBeUndefined();
  });

  it("refuses to complete when no rotation is Prepared, saying why, and completes a Prepared one with its id", async () => {
    await createCluster("done");
    const none = await call("POST", "/projects/a/clusters/done/rotate-ca", as(tokens.alice, { complete: true }));
    expect(none.error).toEqual({ status: 409, reason: "Conflict", message: "cluster done has no CA rotation to complete (none is under way): start one with POST …/clusters/done/rotate-ca" });
    await createCluster("preparing", "Preparing");
    const early = await call("POST", "/projects/a/clusters/preparing/rotate-ca", as(tokens.alice, { complete: true }));
    expect(early.error).toMatchObject({ status: 409, message: expect.stringContaining("is still Preparing") as unknown });
    expect((await readCluster("preparing")).metadata.annotations?.["seedbed.dev/complete-ca-rotation"]).toBeUndefined();
    await createCluster("prepared", "Prepared");
    expect((await call("POST", "/projects/a/clusters/prepared/rotate-ca", as(tokens.carol, { complete: true }))).status).toBe(200);
    expect((await readCluster("prepared")).metadata.annotations?.["seedbed.dev/complete-ca-rotation"]).toBe("20300101t000000z");
  });

  it("refuses a viewer's rotation (RBAC's 403) and a body that is not the schema's (400)", async () => {
    await createCluster("viewed");
    expect((await call("POST", "/projects/a/clusters/viewed/rotate-ca", as(tokens.bob))).error).toMatchObject({ status: 403, reason: "Forbidden", message: expect.stringContaining('User "bob" cannot patch resource "clusters"') as unknown });
    expect((await call("POST", "/projects/a/clusters/viewed/rotate-ca", as(tokens.alice, { complete: "yes" }))).error).toMatchObject({ status: 400 });
    expect((await readCluster("viewed")).metadata.annotations?.["seedbed.dev/rotate-ca"]).toBeUndefined();
  });

  it("hands out kubeconfigs with the cluster's CA bundle and records each in the ledger: holder, kind and fingerprints", async () => {
    await createCluster("led", "Prepared");
    // The admin kubeconfig Secret, written before the rotation: old CA only, client certificate from the old CA.
    const admin = await issueCertificate(oldCA, { commonName: "admin", organizations: ["system:masters"], usage: "client" });
    const adminKubeconfig = buildKubeconfig({ clusterName: "led", server: "https://127.0.0.1:16443", certificateAuthorityPem: oldCA.certificatePem, userName: "admin", clientCertificatePem: admin.certificatePem, clientKeyPem: admin.privateKeyPem });
    await api().kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: "project-a", body: { metadata: { name: "led-admin-kubeconfig" }, data: { kubeconfig: Buffer.from(adminKubeconfig).toString("base64") } } });

    const token = await call<{ kubeconfig: string }>("GET", "/projects/a/clusters/led/kubeconfig", as(tokens.bob));
    expect(token.status).toBe(200);
    expect(caOf(token.body.kubeconfig)).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);
    const adminRes = await call<{ kubeconfig: string }>("GET", "/projects/a/clusters/led/kubeconfig?admin=true", as(tokens.alice));
    expect(adminRes.status).toBe(200);
    expect(caOf(adminRes.body.kubeconfig)).toBe(`${newCA.certificatePem}${oldCA.certificatePem}`);

    const configMap = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "project-a", name: "led-kubeconfigs" });
    expect(configMap.metadata?.labels).toEqual({ "seedbed.dev/cluster": "led" });
    expect(configMap.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid])).toEqual([["Cluster", "led", (await readCluster("led")).metadata.uid]]);
    expect(Object.keys(configMap.data ?? {}).sort()).toEqual(["admin.alice", "token.bob"]);
    // Nothing of the credential itself: no key, no certificate.
    expect(JSON.stringify(configMap.data)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);

    const ledger = await call<{ currentCA: string; kubeconfigs: (KubeconfigRecord & { trustsCurrentCA: boolean })[] }>("GET", "/projects/a/clusters/led/kubeconfigs", as(tokens.bob));
    expect(ledger.status).toBe(200);
    expect(ledger.body.currentCA).toBe(fingerprint(newCA));
    const byHolder = Object.fromEntries(ledger.body.kubeconfigs.map((r) => [`${r.holder}/${r.kind}`, r]));
    expect(byHolder["bob/token"]).toMatchObject({ cas: [fingerprint(newCA), fingerprint(oldCA)], via: "api", trustsCurrentCA: true });
    expect(byHolder["bob/token"]?.clientCA).toBeUndefined();
    // Its client certificate comes from the old CA: it stops authenticating when the rotation completes.
    expect(byHolder["alice/admin"]).toMatchObject({ cas: [fingerprint(newCA), fingerprint(oldCA)], clientCA: fingerprint(oldCA), trustsCurrentCA: false });

    const certificates = await call<{ certificates: ClusterCertificatesStatus; outstandingKubeconfigs: KubeconfigRecord[] }>("GET", "/projects/a/clusters/led/certificates", as(tokens.bob));
    expect(certificates.status).toBe(200);
    expect(certificates.body.certificates.rotation?.phase).toBe("Prepared");
    expect(certificates.body.outstandingKubeconfigs.map((r) => `${r.holder}/${r.kind}`)).toEqual(["alice/admin"]);
  });

  it("keeps one record per holder and kind: a second hand-out replaces the first", async () => {
    const first = await call<{ kubeconfigs: KubeconfigRecord[] }>("GET", "/projects/a/clusters/led/kubeconfigs", as(tokens.carol));
    const before = first.body.kubeconfigs.find((r) => r.holder === "bob")?.time ?? "";
    expect((await call("GET", "/projects/a/clusters/led/kubeconfig", as(tokens.bob))).status).toBe(200);
    const after = await call<{ kubeconfigs: KubeconfigRecord[] }>("GET", "/projects/a/clusters/led/kubeconfigs", as(tokens.carol));
    expect(after.body.kubeconfigs.filter((r) => r.holder === "bob")).toHaveLength(1);
    expect(Date.parse(after.body.kubeconfigs.find((r) => r.holder === "bob")?.time ?? "")).toBeGreaterThan(Date.parse(before));
  });

  it("shows the ledger and certificates to the project's members only, and 404 for a cluster that does not exist", async () => {
    expect((await call("GET", "/projects/a/clusters/led/kubeconfigs", as(tokens.carol))).status).toBe(200);
    expect((await call("GET", "/projects/b/clusters/led/certificates", as(tokens.alice))).error).toMatchObject({ status: 403 });
    expect((await call("GET", "/projects/a/clusters/nothere/kubeconfigs", as(tokens.alice))).error).toMatchObject({ status: 404 });
  });
});
