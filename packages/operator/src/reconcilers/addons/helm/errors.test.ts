import { describe, expect, it } from "vitest";
import { HelmError, helmErrorMessage, stringLeaves } from "./errors.ts";

const none = { paths: {}, secrets: [] };

describe("helmErrorMessage", () => {
  it("keeps helm's error from its Error: line on, without the prefix, and drops the warnings before it", () => {
    const stderr = "level=WARN msg=\"something noisy\"\n\nError: UPGRADE FAILED: parse error at (hello/templates/cm.yaml:5): unexpected \"}\"\n  in operand\n";
    expect(helmErrorMessage(stderr, none)).toBe('UPGRADE FAILED: parse error at (hello/templates/cm.yaml:5): unexpected "}"\n  in operand');
  });

  it("keeps the last lines when there is no Error: line", () => {
    const stderr = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    expect(helmErrorMessage(stderr, none).split("\n")).toEqual(Array.from({ length: 12 }, (_, i) => `line ${i + 8}`));
  });

  it("names the temporary files instead of giving their paths, the longest path first", () => {
    const paths = { "/w/call-1/kubeconfig": "<kubeconfig>", "/w/call-1": "<temp>", "/w/call-1/values.json": "<values>" };
    const stderr = "Error: open /w/call-1/kubeconfig: bad\nreading /w/call-1/values.json in /w/call-1/";
    expect(helmErrorMessage(stderr, { paths, secrets: [] })).toBe("open <kubeconfig>: bad\nreading <values> in <temp>/");
  });

  it("takes out the values' strings long enough to be secrets, before cutting", () => {
    const stderr = `Error: ConfigMap "x" is invalid: data[password]: Invalid value: "s3cr3t-passw0rd": too long; enabled=yes ${"x".repeat(3000)}`;
    const message = helmErrorMessage(stderr, { paths: {}, secrets: ["s3cr3t-passw0rd", "yes"] });
    expect(message).not.toContain("s3cr3t");
    expect(message).toContain('Invalid value: "<redacted>"');
    // Short strings are ordinary words, left as they are.
    expect(message).toContain("enabled=yes");
    expect(message.length).toBe(2001);
  });

  it("says so when helm printed nothing", () => {
    expect(helmErrorMessage(" \n", none)).toBe("failed without an error message");
  });
});

describe("stringLeaves", () => {
  it("lists every string value at any depth, and no key", () => {
    expect(stringLeaves({ password: "p", list: ["a", 1, { token: "t" }], n: null, b: true })).toEqual(["p", "a", "t"]);
  });
});

describe("HelmError", () => {
  it("names the command in its message and fields", () => {
    const error = new HelmError("uninstall", "boom", { exitCode: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "HelmError", command: "uninstall", exitCode: 1, timedOut: false, message: "helm uninstall: boom" });
  });
});
