import { describe, expect, it } from "vitest";
import { upBanner } from "./banner.ts";
import { startPlatformIdentity } from "./identity.ts";

describe("the platform's identity in seedbed up", () => {
  it("trusts the organisation's issuer named in the environment, and runs no development issuer then", async () => {
    const identity = await startPlatformIdentity("/nonexistent", 0, { SEEDBED_OIDC_ISSUER_URL: "https://dex.example.com", SEEDBED_OIDC_CLIENT_ID: "k8s", SEEDBED_OIDC_USERNAME_CLAIM: "preferred_username" });
    expect(identity.devIssuer).toBeUndefined();
    expect(identity.login).toEqual({ issuerURL: "https://dex.example.com", clientID: "k8s", usernameClaim: "preferred_username", groupsClaim: "groups" });
    const banner = upBanner({ seconds: "1.0", server: "https://127.0.0.1:6443", kubeconfig: "/k", binDir: "/b", home: "/h", logDirs: [], issuerURL: identity.login.issuerURL, devIssuer: undefined, apiURL: "http://127.0.0.1:1", gatewayPort: 2, dashboard: true, issuerCAFile: undefined });
    expect(banner).toContain("OIDC issuer      https://dex.example.com");
    expect(banner).toContain("Dashboard        http://127.0.0.1:1/\n");
    expect(banner).toContain("npx seedbed login   # in a browser");
    expect(banner).not.toContain("password");
    const unbuilt = upBanner({ seconds: "1.0", server: "https://127.0.0.1:6443", kubeconfig: "/k", binDir: "/b", home: "/h", logDirs: [], issuerURL: identity.login.issuerURL, devIssuer: undefined, apiURL: "http://127.0.0.1:1", gatewayPort: 2, dashboard: false, issuerCAFile: undefined });
    expect(unbuilt).toContain("Dashboard        not built: run `make dashboard`");
  });

  it("refuses an issuer URL the API servers would refuse, naming the variable", async () => {
    await expect(startPlatformIdentity("/nonexistent", 0, { SEEDBED_OIDC_ISSUER_URL: "http://dex.example.com" })).rejects.toThrow(/SEEDBED_OIDC_ISSUER_URL must be an https:\/\/ URL/);
  });
});
