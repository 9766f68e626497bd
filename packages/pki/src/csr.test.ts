import { describe, expect, it } from "vitest";
import { createCertificateRequest, parseCertificateRequest } from "./csr.ts";

describe("certificate signing requests", () => {
  it("read back the subject and names a kubelet puts in its serving request", async () => {
    const { requestPem } = await createCertificateRequest({ commonName: "system:node:n1", organizations: ["system:nodes"], altNames: ["n1", "10.0.0.5", "fd00:0:0:0::5"] });
    expect(parseCertificateRequest(requestPem)).toEqual({ commonName: "system:node:n1", organizations: ["system:nodes"], dnsNames: ["n1"], ipAddresses: ["10.0.0.5", "fd00::5"], otherNames: [] });
  });

  it("read a request without names, and refuse what is no request", async () => {
    const { requestPem } = await createCertificateRequest({ commonName: "x" });
    expect(parseCertificateRequest(requestPem)).toMatchObject({ commonName: "x", organizations: [], dnsNames: [], ipAddresses: [] });
    expect(() => parseCertificateRequest("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")).toThrow();
  });
});
