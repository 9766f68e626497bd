import { describe, expect, it } from "vitest";
import { binaryPath } from "./paths.ts";
import { defaultKubernetesVersion, minorNumberOf, minorOf, pinnedKubernetesVersion, versions } from "./versions.ts";

describe("pinned versions", () => {
  it("offer at least one Kubernetes version, newest first", () => {
    expect(versions.kubernetes.length).toBeGreaterThan(0);
    expect(defaultKubernetesVersion).toBe(versions.kubernetes[0]);
    const minors = versions.kubernetes.map((v) => Number(minorOf(v).split(".")[1]));
    expect([...minors].sort((a, b) => b - a)).toEqual(minors);
  });

  it("find the pinned patch of an offered minor and nothing for others", () => {
    const minor = minorOf(defaultKubernetesVersion);
    expect(pinnedKubernetesVersion(minor)).toBe(defaultKubernetesVersion);
    expect(pinnedKubernetesVersion("1.2")).toBeUndefined();
    expect(() => minorOf("latest")).toThrow(/MAJOR.MINOR.PATCH/);
  });

  it("say how to build a binary that is missing", () => {
    expect(() => binaryPath("kube-apiserver", { env: { SEEDBED_BIN_DIR: "/nonexistent" } })).toThrow(
      /kube-apiserver v\d+\.\d+\.\d+ is not built \(looked for \/nonexistent\/kube-apiserver-v.*make bins/,
    );
    expect(() => binaryPath("kubelet", { env: { SEEDBED_BIN_DIR: "/nonexistent" } })).toThrow(
      /kubelet v\d+\.\d+\.\d+ is not built \(looked for \/nonexistent\/kubelet-v.*tools\/k8s\/build\.sh node`/,
    );
    expect(() => binaryPath("pause", { env: { SEEDBED_BIN_DIR: "/nonexistent" } })).toThrow(`/nonexistent/pause-v${versions.pause}`);
  });
});

describe("minorNumberOf", () => {
  it.each([
    ["1.37", 37],
    ["1.36.3", 36],
    ["v1.37.1", 37],
    ["2.0.0", undefined],
    ["1.37.1-rc.0", undefined],
    ["", undefined],
  ])("%s → %s", (version, minor) => {
    expect(minorNumberOf(version)).toBe(minor);
  });
});
