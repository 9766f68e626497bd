import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAuthenticationConfiguration } from "./authentication-config.ts";

const caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("renderAuthenticationConfiguration", () => {
  it("renders one JWT authenticator per issuer with the v1 field names and the defaults", () => {
    const yaml = renderAuthenticationConfiguration({
      issuers: [{ issuerURL: "https://127.0.0.1:5556", caPEM, clientID: "seedbed" }],
    });
    expect(yaml).toBe(`apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: https://127.0.0.1:5556
      certificateAuthority: |
        -----BEGIN CERTIFICATE-----
        MIIB
        -----END CERTIFICATE-----
      audiences:
        - seedbed
    claimMappings:
      username:
        claim: email
        prefix: ""
      groups:
        claim: groups
        prefix: ""
    userValidationRules:
      - expression: "!user.username.startsWith('system:')"
        message: "user names starting with system: are reserved for Kubernetes and never taken from an OIDC issuer"
      - expression: user.groups.all(group, !group.startsWith('system:'))
        message: "groups starting with system: (such as system:masters) are reserved for Kubernetes and never taken from an OIDC issuer"
`);
  });

  it("refuses system: user names and groups from every issuer, the platform's too, and writes no YAML aliases", () => {
    const yaml = renderAuthenticationConfiguration({
      issuers: [
        { issuerURL: "https://login.example.com", clientID: "seedbed" },
        { issuerURL: "https://dex.team-a.example", clientID: "k8s", usernamePrefix: "oidc:", groupsPrefix: "oidc:" },
      ],
    });
    const config = parse(yaml) as { jwt: { userValidationRules?: { expression: string; message: string }[] }[] };
    expect(config.jwt).toHaveLength(2);
    for (const issuer of config.jwt) {
      expect(issuer.userValidationRules?.map((r) => r.expression)).toEqual(["!user.username.startsWith('system:')", "user.groups.all(group, !group.startsWith('system:'))"]);
      expect(issuer.userValidationRules?.every((r) => r.message.includes("reserved for Kubernetes"))).toBe(true);
    }
    // An alias (&a1 … *a1) would be valid YAML, but a reader should see each issuer's rules whole.
    expect(yaml).not.toMatch(/[&*]a\d/);
  });

  it("uses the given claims and prefixes and leaves certificateAuthority out without a CA", () => {
    const yaml = renderAuthenticationConfiguration({
      issuers: [
        { issuerURL: "https://a.example.com", clientID: "a" },
        { issuerURL: "https://b.example.com/realms/x", clientID: "b", usernameClaim: "sub", usernamePrefix: "b:", groupsClaim: "roles", groupsPrefix: "b:" },
      ],
    });
    expect(yaml).not.toContain("certificateAuthority");
    expect(yaml).toContain("      username:\n        claim: sub\n        prefix: \"b:\"\n      groups:\n        claim: roles\n        prefix: \"b:\"\n");
    expect(yaml.indexOf("https://a.example.com")).toBeLessThan(yaml.indexOf("https://b.example.com/realms/x"));
  });

  it("gives byte-identical output for the same input", () => {
    const input = { issuers: [{ issuerURL: "https://127.0.0.1:5556", caPEM, clientID: "seedbed" }] };
    expect(renderAuthenticationConfiguration(input)).toBe(renderAuthenticationConfiguration(structuredClone(input)));
  });

  it.each([
    ["no issuer", [], /at least one issuer/],
    ["an http issuer", [{ issuerURL: "http://127.0.0.1:5556", clientID: "seedbed" }], /must be https/],
    ["a query in the URL", [{ issuerURL: "https://x.example.com?a=b", clientID: "seedbed" }], /must be https without query/],
    ["no URL at all", [{ issuerURL: "not a url", clientID: "seedbed" }], /is not a URL/],
    ["an empty client id", [{ issuerURL: "https://x.example.com", clientID: "" }], /needs a client id/],
    [
      "the same issuer twice",
      [
        { issuerURL: "https://x.example.com", clientID: "a" },
        { issuerURL: "https://x.example.com", clientID: "b" },
      ],
      /appears twice/,
    ],
  ])("rejects %s", (_name, issuers, message) => {
    expect(() => renderAuthenticationConfiguration({ issuers })).toThrow(message);
  });
});
