import { X509Certificate } from "node:crypto";
import { AuthenticationV1Api, CertificatesV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1CertificateSigningRequest } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, type Cluster } from "@seedbed/api";
import { createCertificateRequest } from "@seedbed/pki";
import { bootstrapTokenSecret, newBootstrapToken, tokenString } from "@seedbed/providers";
import { statusCodeOf } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrReasons } from "../src/reconcilers/tenantcsr/decide.ts";
import { getText, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-join";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

describe("machines joining a tenant the way a kubelet does, through a node pool's bootstrap token", () => {
  const api = useKubeAPI();
  let platform: LocalOperator;
  let admin: KubeConfig;
  let caPem: string;
  /** The client certificate node n1 got through its bootstrap token, and its key. */
  let nodeCredentials: { cert: string; key: string };

  /** A client of the tenant's API as `user` (a token, or a client certificate). */
  const as = (user: { token: string } | { cert: string; key: string }): KubeConfig => {
    const cluster = admin.getCurrentCluster();
    const kc = new KubeConfig();
    const credentials = "token" in user ? { token: user.token } : { certData: b64(user.cert), keyData: b64(user.key) };
    kc.loadFromOptions({ clusters: [{ name: "t", server: cluster?.server ?? "", caData: cluster?.caData }], users: [{ name: "u", ...credentials }], contexts: [{ name: "t", cluster: "t", user: "u" }], currentContext: "t" });
    return kc;
  };
  const whoAmI = async (kc: KubeConfig): Promise<{ username?: string; groups?: string[] }> => (await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } })).status?.userInfo ?? {};
  const readCSR = (name: string): Promise<V1CertificateSigningRequest> => admin.makeApiClient(CertificatesV1Api).readCertificateSigningRequest({ name });
  const condition = (csr: V1CertificateSigningRequest, type: string): { reason?: string; message?: string } | undefined => csr.status?.conditions?.find((c) => c.type === type);
  /** Asks, as `kc`, for a certificate of `signerName`; returns the CSR's name and the private key. */
  const requestCertificate = async (kc: KubeConfig, options: { name: string; signerName: string; usages: string[]; commonName: string; altNames?: string[] }): Promise<string> => {
    const { requestPem, privateKeyPem } = await createCertificateRequest({ commonName: options.commonName, organizations: ["system:nodes"], altNames: options.altNames });
    await kc.makeApiClient(CertificatesV1Api).createCertificateSigningRequest({ body: { metadata: { name: options.name }, spec: { request: b64(requestPem), signerName: options.signerName, usages: options.usages } } });
    return privateKeyPem;
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    platform = await startLocalOperator(kc, namespace);
    const objects = kc.makeApiClient(CustomObjectsApi);
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "c", namespace }, spec: {} } });
    await eventually(async () => (await objects.getNamespacedCustomObject({ ...resource, plural: "clusters", name: "c" })) as Cluster, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster c Running" });
    const core = kc.makeApiClient(CoreV1Api);
    admin = await tenantKubeConfig(core, namespace, "c");
    const pki = await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("c") });
    caPem = Buffer.from(pki.data?.["ca.crt"] ?? "", "base64").toString("utf8");
  }, 180_000);
  afterAll(async () => {
    await platform.stop();
  });

  it("serves with the front-proxy CA and requestheader flags, and keeps the front-proxy CA in the cluster's PKI Secret", async () => {
    expect(await getText(admin, "/readyz")).toBe("ok");
    const pki = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("c") });
    const frontProxyCA = Buffer.from(pki.data?.["front-proxy-ca.crt"] ?? "", "base64").toString("utf8");
    expect(new X509Certificate(frontProxyCA).ca).toBe(true);
    for (const file of ["front-proxy-ca.key", "front-proxy-client.crt", "apiserver-kubelet-client.crt"]) expect(pki.data?.[file]).toBeDefined();
    // What the API server publishes for aggregated APIs once its requestheader flags are in effect.
    const published = await admin.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "kube-system", name: "extension-apiserver-authentication" });
    expect(published.data?.["requestheader-client-ca-file"]?.trim()).toBe(frontProxyCA.trim());
    expect(published.data?.["requestheader-allowed-names"]).toBe('["front-proxy-client"]');
  });

  it("authenticates a pool's bootstrap token as system:bootstrap:<id> in the bootstrap groups, and approves and signs its kubelet client CSR", async () => {
    const token = newBootstrapToken(3600);
    await admin.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: "kube-system", body: bootstrapTokenSecret(token, "workers") });
    const bootstrap = as({ token: tokenString(token) });
    const user = await eventually(() => whoAmI(bootstrap), (u) => u.username !== undefined, { timeoutMs: 10_000, description: "the token authenticates" });
    expect(user.username).toBe(`system:bootstrap:${token.id}`);
    expect(user.groups).toEqual(expect.arrayContaining(["system:bootstrappers", "system:bootstrappers:seedbed", "system:bootstrappers:seedbed:workers"]));
    // The operator's join RBAC lets the token ask; kube-controller-manager approves (the nodeclient binding) and signs.
    const key = await eventually(
      () => requestCertificate(bootstrap, { name: "node-csr-n1", signerName: "kubernetes.io/kube-apiserver-client-kubelet", usages: ["digital signature", "client auth"], commonName: "system:node:n1" }),
      () => true,
      { timeoutMs: 60_000, description: "the bootstrap token may create a CSR" },
    );
    const signed = await eventually(() => readCSR("node-csr-n1"), (c) => (c.status?.certificate ?? "") !== "", { timeoutMs: 60_000, description: "client CSR approved and signed" });
    expect(condition(signed, "Approved")?.reason).toBe("AutoApproved");
    const cert = Buffer.from(signed.status?.certificate ?? "", "base64").toString("utf8");
    expect(new X509Certificate(cert).verify(new X509Certificate(caPem).publicKey)).toBe(true);
    nodeCredentials = { cert, key };
    expect(await whoAmI(as(nodeCredentials))).toMatchObject({ username: "system:node:n1", groups: expect.arrayContaining(["system:nodes"]) as string[] });
  });

  it("approves and signs a serving CSR of a node for its own name and addresses, and denies one naming another node or a foreign address", async () => {
    // The node registers itself and reports its addresses, as a kubelet does before it asks for a serving certificate.
    const node = as(nodeCredentials).makeApiClient(CoreV1Api);
    await node.createNode({ body: { metadata: { name: "n1" } } });
    await node.patchNodeStatus({ name: "n1", body: { status: { addresses: [{ type: "InternalIP", address: "10.200.0.11" }, { type: "Hostname", address: "n1" }] } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const serving = { signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"], commonName: "system:node:n1" };
    await requestCertificate(as(nodeCredentials), { ...serving, name: "serving-own", altNames: ["n1", "10.200.0.11"] });
    await requestCertificate(as(nodeCredentials), { ...serving, name: "serving-other-node", altNames: ["n1", "n2"] });
    await requestCertificate(as(nodeCredentials), { ...serving, name: "serving-foreign-ip", altNames: ["n1", "10.200.0.11", "10.200.0.99"] });
    const own = await eventually(() => readCSR("serving-own"), (c) => (c.status?.certificate ?? "") !== "", { timeoutMs: 60_000, description: "own serving CSR approved and signed" });
    expect(condition(own, "Approved")?.reason).toBe(csrReasons.approved);
    const servingCert = new X509Certificate(Buffer.from(own.status?.certificate ?? "", "base64").toString("utf8"));
    expect(servingCert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(servingCert.checkIP("10.200.0.11")).toBe("10.200.0.11");
    for (const [name, foreign] of [["serving-other-node", "n2"], ["serving-foreign-ip", "10.200.0.99"]] as const) {
      const denied = await eventually(() => readCSR(name), (c) => condition(c, "Denied") !== undefined, { timeoutMs: 30_000, description: `${name} denied` });
      expect(condition(denied, "Denied")).toMatchObject({ reason: csrReasons.foreignName, message: expect.stringContaining(`${foreign} is not among node n1's`) as string });
      expect(denied.status?.certificate).toBeUndefined();
    }
  });

  it("refuses an expired bootstrap token, and the token cleaner deletes it", async () => {
    const expired = newBootstrapToken(-60);
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: "kube-system", body: bootstrapTokenSecret(expired, "workers") });
    const refused = await whoAmI(as({ token: tokenString(expired) })).then(() => 200, (error: unknown) => statusCodeOf(error));
    expect(refused).toBe(401);
    await eventually(
      () => core.readNamespacedSecret({ namespace: "kube-system", name: `bootstrap-token-${expired.id}` }).then(() => "present", (error: unknown) => (statusCodeOf(error) === 404 ? "gone" : "present")),
      (state) => state === "gone",
      { timeoutMs: 60_000, description: "expired token deleted by the token cleaner" },
    );
  });

  it("adds the front-proxy CA and the new leaves to a PKI stored before them, from the same cluster CA, and serves with them", async () => {
    const core = api().kubeConfig().makeApiClient(CoreV1Api);
    const name = clusterObjectNames.pkiSecret("c");
    const before = await core.readNamespacedSecret({ namespace, name });
    const added = ["front-proxy-ca.crt", "front-proxy-ca.key", "front-proxy-client.crt", "front-proxy-client.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key"];
    // The PKI Secret as a Seedbed without them wrote it.
    const data = Object.fromEntries(Object.entries(before.data ?? {}).filter(([file]) => !added.includes(file)));
    await core.replaceNamespacedSecret({ namespace, name, body: { metadata: before.metadata, type: before.type, data } });
    const after = await eventually(() => core.readNamespacedSecret({ namespace, name }), (s) => added.every((file) => s.data?.[file] !== undefined), { timeoutMs: 30_000, description: "the new files added" });
    for (const file of ["ca.crt", "ca.key", "etcd-ca.crt", "etcd-ca.key", "sa.key", "sa.pub"]) expect(after.data?.[file], file).toBe(before.data?.[file]);
    const frontProxyCA = Buffer.from(after.data?.["front-proxy-ca.crt"] ?? "", "base64").toString("utf8");
    const client = new X509Certificate(Buffer.from(after.data?.["front-proxy-client.crt"] ?? "", "base64").toString("utf8"));
    expect(client.verify(new X509Certificate(frontProxyCA).publicKey)).toBe(true);
    // The control plane restarts with them; the node's certificate, from the kept cluster CA, still works.
    admin = await eventually(() => tenantKubeConfig(api().kubeConfig().makeApiClient(CoreV1Api), namespace, "c"), (kc) => Buffer.from(kc.getCurrentUser()?.certData ?? "", "base64").toString() === Buffer.from(after.data?.["admin.crt"] ?? "", "base64").toString(), { timeoutMs: 30_000, description: "the new admin kubeconfig" });
    const published = await eventually(
      () => admin.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: "kube-system", name: "extension-apiserver-authentication" }),
      // The API server adds the new CA to the bundle it publishes (the old one stays there, as in a rotation).
      (cm) => cm.data?.["requestheader-client-ca-file"]?.includes(frontProxyCA.trim()) === true,
      { timeoutMs: 90_000, description: "the API server serving with the new front-proxy CA" },
    );
    expect(published.data?.["requestheader-allowed-names"]).toBe('["front-proxy-client"]');
    // Just restarted: its RBAC authorizer may deny for a moment until its caches have synced.
    const review = await eventually(() => whoAmI(as(nodeCredentials)), (r) => r.username !== undefined, { timeoutMs: 30_000, description: "the node's identity after the restart" });
    expect(review.username).toBe("system:node:n1");
  });
});
