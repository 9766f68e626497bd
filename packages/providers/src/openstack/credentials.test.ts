import { describe, expect, it } from "vitest";
import { parseOpenStackCredentials } from "./credentials.ts";

const full = { authURL: "https://keystone.example.com:5000/v3", username: "seedbed", password: "pw", projectName: "k8s", region: "RegionOne" };

describe("parseOpenStackCredentials", () => {
  it("parses the JSON and defaults both domains to Default", () => {
    expect(parseOpenStackCredentials(JSON.stringify(full))).toEqual({ ...full, userDomainName: "Default", projectDomainName: "Default" });
    const withDomains = parseOpenStackCredentials(JSON.stringify({ ...full, userDomainName: "ldap", projectDomainName: "teams" }));
    expect([withDomains.userDomainName, withDomains.projectDomainName]).toEqual(["ldap", "teams"]);
  });

  it.each(["authURL", "username", "password", "projectName", "region"])("names the missing field %s", (field) => {
    const text = JSON.stringify({ ...full, [field]: undefined });
    expect(() => parseOpenStackCredentials(text)).toThrow(`OpenStack credentials lack "${field}"`);
  });

  it("names a field of the wrong type or an empty one", () => {
    expect(() => parseOpenStackCredentials(JSON.stringify({ ...full, password: 42 }))).toThrow(/field "password" must be a non-empty string/);
    expect(() => parseOpenStackCredentials(JSON.stringify({ ...full, userDomainName: "" }))).toThrow(/field "userDomainName" must be a non-empty string/);
  });

  it("refuses an authURL that is not an http(s) URL", () => {
    expect(() => parseOpenStackCredentials(JSON.stringify({ ...full, authURL: "keystone:5000" }))).toThrow(/"authURL" must be an http\(s\) URL/);
    expect(() => parseOpenStackCredentials(JSON.stringify({ ...full, authURL: "not a url" }))).toThrow(/"authURL" is not a URL/);
  });

  it("explains text that is not a JSON object", () => {
    expect(() => parseOpenStackCredentials("OS_USERNAME=seedbed")).toThrow(/not valid JSON .*must hold an object such as/);
    expect(() => parseOpenStackCredentials("[]")).toThrow(/must be a JSON object/);
  });
});
