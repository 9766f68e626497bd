import { describe, expect, it } from "vitest";
import { parseUpBanner } from "./up-banner.ts";

const banner = [
  "Seedbed is up (12.3 s).",
  "  Management API   https://127.0.0.1:6443",
  "  REST API         http://127.0.0.1:40123/api/v1   (OpenAPI: http://127.0.0.1:40123/openapi.json)",
  "  Dashboard        http://127.0.0.1:40123/",
  "  OIDC issuer      https://127.0.0.1:40121",
  "",
  "Users of the development issuer (projects: a is alice's, b is bob's):",
  "  admin  admin@example.com    password Adm1n-_x   (groups: seedbed:admins)",
  "  alice  alice@example.com    password al1ce_PW",
  "  carol  carol@example.com    password c-a-r-o-l",
  "",
  "  npx seedbed login --user alice --password al1ce_PW   # or just `npx seedbed login` in a browser",
].join("\n");

describe("parseUpBanner", () => {
  it("reads the dashboard URL, the REST API's origin and every user's password", () => {
    const parsed = parseUpBanner(banner);
    expect(parsed.dashboardURL).toBe("http://127.0.0.1:40123/");
    expect(parsed.apiURL).toBe("http://127.0.0.1:40123");
    expect(Object.fromEntries(parsed.passwords)).toEqual({ admin: "Adm1n-_x", alice: "al1ce_PW", carol: "c-a-r-o-l" });
  });

  it("says nothing of a dashboard the banner does not name", () => {
    const parsed = parseUpBanner(banner.replace(/^ {2}Dashboard.*$/m, ""));
    expect(parsed.dashboardURL).toBeUndefined();
    expect(parsed.apiURL).toBe("http://127.0.0.1:40123");
  });

  it("finds no users in a banner for the organisation's issuer", () => {
    expect(parseUpBanner("Seedbed is up (3 s).\n  npx seedbed login   # in a browser").passwords.size).toBe(0);
  });
});
