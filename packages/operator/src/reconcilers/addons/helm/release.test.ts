import { describe, expect, it } from "vitest";
import { readRelease, readReleaseMetadata } from "./release.ts";

describe("readRelease", () => {
  it("takes the revision, status and chart versions of helm's release JSON", () => {
    const json = JSON.stringify({ name: "hello", version: 3, info: { status: "deployed" }, chart: { metadata: { name: "hello", version: "0.2.0", appVersion: "1.2.3" } }, config: { password: "x" } });
    expect(readRelease(json)).toEqual({ revision: 3, status: "deployed", chartVersion: "0.2.0", appVersion: "1.2.3" });
  });

  it("leaves appVersion undefined for a chart without one", () => {
    const json = JSON.stringify({ version: 1, info: { status: "failed" }, chart: { metadata: { version: "0.1.0" } } });
    expect(readRelease(json)).toEqual({ revision: 1, status: "failed", chartVersion: "0.1.0", appVersion: undefined });
  });

  it("reads the release after the lines an OCI pull prints first", () => {
    const json = JSON.stringify({ version: 2, info: { status: "deployed" }, chart: { metadata: { version: "0.2.0" } } });
    const output = `Pulled: 127.0.0.1:5000/charts/hello:0.2.0\nDigest: sha256:${"0".repeat(64)}\n${json}\n`;
    expect(readRelease(output)).toEqual({ revision: 2, status: "deployed", chartVersion: "0.2.0", appVersion: undefined });
  });

  it.each([["not json"], ["null"], [JSON.stringify({ version: "1", info: { status: "deployed" }, chart: { metadata: { version: "0.1.0" } } })]])("refuses %s", (json) => {
    expect(() => readRelease(json)).toThrow(/release JSON/);
  });
});

describe("readReleaseMetadata", () => {
  it("takes the revision, status and chart versions of helm get metadata's JSON", () => {
    const json = JSON.stringify({ name: "hello", chart: "hello", version: "0.2.0", appVersion: "1.2.3", namespace: "x", revision: 4, status: "deployed", deployedAt: "2026-01-01T00:00:00Z", applyMethod: "ssa" });
    expect(readReleaseMetadata(json)).toEqual({ revision: 4, status: "deployed", chartVersion: "0.2.0", appVersion: "1.2.3" });
  });

  it.each([["{}"], ["[]"], [JSON.stringify({ revision: 1, status: "deployed" })]])("refuses %s", (json) => {
    expect(() => readReleaseMetadata(json)).toThrow(/release metadata JSON/);
  });

  it("never repeats the output it could not read, which may hold values", () => {
    expect(() => readReleaseMetadata("password: hunter22")).toThrow(/^helm printed no release JSON \(18 bytes of output\)$/);
  });
});
