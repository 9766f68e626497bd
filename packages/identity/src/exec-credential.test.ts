import { describe, expect, it } from "vitest";
import { execCredential } from "./exec-credential.ts";

describe("execCredential", () => {
  it("puts the ID token and its expiry (RFC 3339, no fractions) into a v1 ExecCredential", () => {
    const credential = execCredential({ idToken: "eyJ.x.y", refreshToken: "r", expiresAt: 1_800_000_000, issuerURL: "https://i", clientID: "seedbed" });
    expect(credential).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "eyJ.x.y", expirationTimestamp: "2027-01-15T08:00:00Z" },
    });
    expect(JSON.stringify(credential)).not.toContain('"r"');
  });
});
