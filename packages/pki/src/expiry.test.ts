import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "./authority.ts";
import { issueCertificate } from "./certificate.ts";
import { earliestExpiry } from "./expiry.ts";

describe("earliestExpiry", () => {
  it("finds the certificate that expires first and skips keys", async () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const ca = await createCertificateAuthority({ commonName: "ca", now });
    const short = await issueCertificate(ca, { commonName: "short", usage: "client", validity: { days: 10 }, now });
    const long = await issueCertificate(ca, { commonName: "long", usage: "client", validity: { days: 300 }, now });
    expect(earliestExpiry([long.certificatePem, short.privateKeyPem, short.certificatePem, ca.certificatePem])?.toISOString()).toBe("2026-06-11T00:00:00.000Z");
    expect(earliestExpiry([short.privateKeyPem])).toBeUndefined();
  });
});
