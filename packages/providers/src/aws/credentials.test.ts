import { describe, expect, it } from "vitest";
import { parseAwsCredentials } from "./credentials.ts";

describe("parseAwsCredentials", () => {
  it("parses keys, with the optional session token and endpoint only when given", () => {
    expect(parseAwsCredentials(`{"accessKeyId":"AKIA1","secretAccessKey":"s"}`)).toEqual({ accessKeyId: "AKIA1", secretAccessKey: "s" });
    expect(parseAwsCredentials(`{"accessKeyId":"ASIA1","secretAccessKey":"s","sessionToken":"t","endpoint":"https://ec2.example.com"}`))
      .toEqual({ accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t", endpoint: "https://ec2.example.com" });
  });

  it.each(["accessKeyId", "secretAccessKey"])("names the missing field %s", (field) => {
    const text = JSON.stringify({ accessKeyId: "AKIA1", secretAccessKey: "s", [field]: undefined });
    expect(() => parseAwsCredentials(text)).toThrow(`AWS credentials lack "${field}"`);
  });

  it("names a malformed field", () => {
    expect(() => parseAwsCredentials(`{"accessKeyId":"AKIA1","secretAccessKey":""}`)).toThrow(/field "secretAccessKey" must be a non-empty string/);
    expect(() => parseAwsCredentials(`{"accessKeyId":"AKIA1","secretAccessKey":"s","sessionToken":7}`)).toThrow(/field "sessionToken" must be a non-empty string/);
    expect(() => parseAwsCredentials(`{"accessKeyId":"AKIA1","secretAccessKey":"s","endpoint":"ftp://x"}`)).toThrow(/field "endpoint" must be an http\(s\) URL/);
  });

  it("explains text that is not a JSON object", () => {
    expect(() => parseAwsCredentials("aws_access_key_id = AKIA1")).toThrow(/AWS credentials are not valid JSON/);
    expect(() => parseAwsCredentials(`"AKIA1"`)).toThrow(/must be a JSON object/);
  });
});
