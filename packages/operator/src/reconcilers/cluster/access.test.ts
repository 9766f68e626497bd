import { apiVersion, type Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { authenticationConfigFor, sharedEndpointOf, sharedEndpointStatus, withSharedName } from "./access.ts";
import { InvalidSpecError } from "./resolve.ts";

const cluster = (auth?: Cluster["spec"]["auth"]): Cluster => ({ apiVersion, kind: "Cluster", metadata: { name: "web", namespace: "project-a" }, spec: { paused: false, ...(auth ? { auth } : {}) } });
const login = { issuerURL: "https://login.example.com", clientID: "seedbed" };
const prefixes = { usernamePrefix: "oidc:", groupsPrefix: "oidc:" };

describe("a cluster's authentication and shared endpoint", () => {
  it("trusts the platform's issuer by default, and a cluster's own issuer besides", () => {
    expect(authenticationConfigFor(cluster(), undefined, { login })).toContain("url: https://login.example.com");
    const both = authenticationConfigFor(cluster({ platformLogin: true, oidc: { issuerURL: "https://dex.team-a.example", clientID: "k8s", usernameClaim: "sub", groupsClaim: "groups", ...prefixes } }), undefined, { login }) ?? "";
    expect(both.match(/- issuer:/g)).toHaveLength(2);
    expect(both).toContain("claim: sub\n        prefix: \"oidc:\"");
  });

  it("trusts no issuer when the cluster opts out and has none of its own, and the platform's once when both name it", () => {
    expect(authenticationConfigFor(cluster({ platformLogin: false }), undefined, { login })).toBeUndefined();
    expect(authenticationConfigFor(cluster(), undefined, {})).toBeUndefined();
    const same = authenticationConfigFor(cluster({ platformLogin: true, oidc: { ...login, usernameClaim: "sub", groupsClaim: "groups", ...prefixes } }), undefined, { login }) ?? "";
    expect(same.match(/- issuer:/g)).toHaveLength(1);
  });

  it("reports an issuer the API server would refuse as an invalid spec, not a retry", () => {
    expect(() => authenticationConfigFor(cluster({ platformLogin: false, oidc: { issuerURL: "https://x.example/?q=1", clientID: "k", usernameClaim: "sub", groupsClaim: "groups", ...prefixes } }), undefined, {})).toThrow(InvalidSpecError);
  });

  it.each([
    ["an empty user name prefix (stored before admission refused it)", { usernamePrefix: "", groupsPrefix: "oidc:" }, {}, /spec\.auth\.oidc\.usernamePrefix "" must not be empty/],
    ["an empty groups prefix", { usernamePrefix: "oidc:", groupsPrefix: "" }, {}, /spec\.auth\.oidc\.groupsPrefix "" must not be empty/],
    ["a groups prefix of system:", { usernamePrefix: "oidc:", groupsPrefix: "system:" }, {}, /groupsPrefix "system:" must not start with system:/],
    ["a prefix without a separator", { usernamePrefix: "ali", groupsPrefix: "oidc:" }, {}, /usernamePrefix "ali" must end with ":"/],
    ["the platform issuer's own prefix", prefixes, { usernamePrefix: "oidc:" }, /usernamePrefix "oidc:" overlaps the platform issuer's "oidc:"/],
    ["a prefix the platform's begins with", { usernamePrefix: "corp:", groupsPrefix: "oidc:" }, { groupsPrefix: "oidc:staff:" }, /groupsPrefix "oidc:" overlaps the platform issuer's "oidc:staff:"/],
  ])("refuses to trust a cluster's own issuer with %s, as an invalid spec", (_name, own, platformPrefixes, message) => {
    const spec = cluster({ platformLogin: true, oidc: { issuerURL: "https://dex.team-a.example", clientID: "k8s", usernameClaim: "email", groupsClaim: "groups", ...own } });
    expect(() => authenticationConfigFor(spec, undefined, { login: { ...login, ...platformPrefixes } })).toThrow(message);
    expect(() => authenticationConfigFor(spec, undefined, { login: { ...login, ...platformPrefixes } })).toThrow(InvalidSpecError);
  });

  it("trusts the platform's issuer alone when a cluster names it as its own, whatever prefixes it gives", () => {
    const same = authenticationConfigFor(cluster({ platformLogin: true, oidc: { ...login, usernameClaim: "email", groupsClaim: "groups", usernamePrefix: "", groupsPrefix: "" } }), undefined, { login }) ?? "";
    expect(same.match(/- issuer:/g)).toHaveLength(1);
  });

  it("names the cluster <cluster>.<project>.<domain> on the shared endpoint, in its certificate too", () => {
    const shared = sharedEndpointOf(cluster(), { sharedEndpoint: { domain: "seedbed.localhost", port: 8443 } });
    expect(shared).toEqual({ name: "web.a.seedbed.localhost", url: "https://web.a.seedbed.localhost:8443" });
    expect(withSharedName({ apiServer: ["kube-apiserver"], etcd: [] }, shared).apiServer).toEqual(["kube-apiserver", "web.a.seedbed.localhost"]);
    expect(sharedEndpointOf(cluster(), {})).toBeUndefined();
    expect(sharedEndpointStatus(undefined)).toEqual({});
  });
});
