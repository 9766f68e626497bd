import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority, loadCertificateAuthority } from "./authority.ts";
import { issueCertificate } from "./certificate.ts";
import { x509 } from "./x509.ts";

describe("certificate authorities", () => {
  it("creates a self-signed CA that may sign only leaf certificates", async () => {
    const ca = await createCertificateAuthority({ commonName: "seedbed-ca-test" });
    const cert = new X509Certificate(ca.certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe("CN=seedbed-ca-test");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(ca.certificate.getExtension(x509.BasicConstraintsExtension)?.pathLength).toBe(0);
  });

  it("issues leaf certificates that chain to the CA and carry the requested names", async () => {
    const ca = await createCertificateAuthority({ commonName: "ca" });
    const leaf = await issueCertificate(ca, {
      commonName: "kube-apiserver",
      usage: "server",
      altNames: ["127.0.0.1", "kubernetes.default.svc", "10.96.0.1"],
    });
    const cert = new X509Certificate(leaf.certificatePem);
    expect(cert.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe("IP Address:127.0.0.1, DNS:kubernetes.default.svc, IP Address:10.96.0.1");
    expect(cert.checkIP("10.96.0.1")).toBe("10.96.0.1");
    expect(cert.checkHost("kubernetes.default.svc")).toBe("kubernetes.default.svc");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("puts groups in O= so Kubernetes reads them as the user's groups", async () => {
    const ca = await createCertificateAuthority({ commonName: "ca" });
    const leaf = await issueCertificate(ca, { commonName: "admin", organizations: ["system:masters"], usage: "client" });
    const cert = new X509Certificate(leaf.certificatePem);
    expect(cert.subject.split("\n")).toEqual(["O=system:masters", "CN=admin"]);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("honours the validity it is given", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const ca = await createCertificateAuthority({ commonName: "ca", now });
    const leaf = await issueCertificate(ca, { commonName: "x", usage: "client", validity: { days: 30 }, now });
    const cert = new X509Certificate(leaf.certificatePem);
    expect(new Date(cert.validTo).toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(now.getTime());
    await expect(issueCertificate(ca, { commonName: "x", usage: "client", validity: { days: 0 } })).rejects.toThrow(/validity.days/);
  });

  it("loads a CA back from PEM and keeps signing with the same key", async () => {
    const ca = await createCertificateAuthority({ commonName: "ca" });
    const loaded = await loadCertificateAuthority(ca.certificatePem, ca.keyPair.privateKeyPem);
    const leaf = await issueCertificate(loaded, { commonName: "later", usage: "client" });
    expect(new X509Certificate(leaf.certificatePem).verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });

  it("issues RSA certificates when asked", async () => {
    const ca = await createCertificateAuthority({ commonName: "ca", keyAlgorithm: "rsa-2048" });
    const leaf = await issueCertificate(ca, { commonName: "x", usage: "client" });
    const cert = new X509Certificate(leaf.certificatePem);
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
    expect(cert.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });
});
