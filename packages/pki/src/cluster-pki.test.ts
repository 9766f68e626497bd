import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createClusterPKI } from "./cluster-pki.ts";
import { buildKubeconfig } from "./kubeconfig.ts";
import { parse } from "yaml";

describe("a cluster's PKI", () => {
  it("keeps etcd under its own CA, so cluster certificates cannot reach etcd", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1" });
    const clusterCA = new X509Certificate(pki.clusterCA.certificatePem);
    const etcdCA = new X509Certificate(pki.etcdCA.certificatePem);
    expect(new X509Certificate(pki.etcdServer.certificatePem).verify(etcdCA.publicKey)).toBe(true);
    expect(new X509Certificate(pki.apiServerEtcdClient.certificatePem).verify(etcdCA.publicKey)).toBe(true);
    expect(new X509Certificate(pki.admin.certificatePem).verify(etcdCA.publicKey)).toBe(false);
    expect(new X509Certificate(pki.admin.certificatePem).verify(clusterCA.publicKey)).toBe(true);
  });

  it("signs the front-proxy client with a CA of its own, and the kubelet client with the cluster CA, as clients without groups", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1" });
    const frontProxyCA = new X509Certificate(pki.frontProxyCA.certificatePem);
    const clusterCA = new X509Certificate(pki.clusterCA.certificatePem);
    const frontProxy = new X509Certificate(pki.frontProxyClient.certificatePem);
    const kubeletClient = new X509Certificate(pki.apiServerKubeletClient.certificatePem);
    expect(frontProxy.subject).toBe("CN=front-proxy-client");
    expect(frontProxy.verify(frontProxyCA.publicKey)).toBe(true);
    // A certificate of the cluster CA must not pass for the front proxy, nor the other way round.
    expect(frontProxy.verify(clusterCA.publicKey)).toBe(false);
    expect(new X509Certificate(pki.admin.certificatePem).verify(frontProxyCA.publicKey)).toBe(false);
    expect(kubeletClient.subject).toBe("CN=kube-apiserver-kubelet-client");
    expect(kubeletClient.verify(clusterCA.publicKey)).toBe(true);
    for (const cert of [frontProxy, kubeletClient]) expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("names the service IP, the in-cluster names and extra endpoints on the serving certificate", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.32.0.1", apiServerAltNames: ["a.example.com", "192.0.2.7"] });
    const cert = new X509Certificate(pki.apiServer.certificatePem);
    for (const ip of ["127.0.0.1", "10.32.0.1", "192.0.2.7"]) expect(cert.checkIP(ip)).toBe(ip);
    for (const host of ["kubernetes.default.svc.cluster.local", "a.example.com", "localhost"]) expect(cert.checkHost(host)).toBe(host);
  });

  it("names the kubernetes Service under the cluster's own DNS domain, and not under cluster.local", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1", dnsDomain: "corp.internal" });
    const cert = new X509Certificate(pki.apiServer.certificatePem);
    expect(cert.checkHost("kubernetes.default.svc.corp.internal")).toBe("kubernetes.default.svc.corp.internal");
    expect(cert.checkHost("kubernetes.default.svc.cluster.local")).toBeUndefined();
  });

  it("gives two clusters unrelated CAs", async () => {
    const [a, b] = await Promise.all([
      createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1" }),
      createClusterPKI({ clusterName: "b", kubernetesServiceIP: "10.96.0.1" }),
    ]);
    const bCA = new X509Certificate(b.clusterCA.certificatePem);
    expect(new X509Certificate(a.admin.certificatePem).verify(bCA.publicKey)).toBe(false);
  });

  it("makes a service-account key pair that belongs together", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1" });
    const fromPrivate = createPublicKey(createPrivateKey(pki.serviceAccountKey.privateKeyPem)).export({ format: "pem", type: "spki" });
    expect(fromPrivate).toBe(createPublicKey(pki.serviceAccountKey.publicKeyPem).export({ format: "pem", type: "spki" }));
  });

  it("renders a kubeconfig with the certificates inline", async () => {
    const pki = await createClusterPKI({ clusterName: "a", kubernetesServiceIP: "10.96.0.1" });
    const yaml = buildKubeconfig({
      clusterName: "a",
      server: "https://127.0.0.1:6443",
      certificateAuthorityPem: pki.clusterCA.certificatePem,
      userName: "admin",
      clientCertificatePem: pki.admin.certificatePem,
      clientKeyPem: pki.admin.privateKeyPem,
    });
    const config = parse(yaml) as { "current-context": string; clusters: { cluster: { server: string; "certificate-authority-data": string } }[] };
    expect(config["current-context"]).toBe("admin@a");
    expect(config.clusters[0]?.cluster.server).toBe("https://127.0.0.1:6443");
    expect(Buffer.from(config.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString()).toBe(pki.clusterCA.certificatePem);
  });
});
