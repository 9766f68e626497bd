import { describe, expect, it } from "vitest";
import { kubeletSkewProblem } from "./version-skew.ts";

describe("kubeletSkewProblem", () => {
  it.each([
    { pool: "1.37.1", controlPlane: "1.37.1", ok: true },
    { pool: "1.37", controlPlane: "1.37.1", ok: true },
    { pool: "1.37.3", controlPlane: "1.37.1", ok: true },
    { pool: "1.34.0", controlPlane: "1.37.1", ok: true },
    { pool: "1.33.9", controlPlane: "1.37.1", ok: false },
    { pool: "1.38.0", controlPlane: "1.37.1", ok: false },
    { pool: "1.38", controlPlane: undefined, ok: true },
  ])("kubelet $pool beside kube-apiserver $controlPlane → allowed: $ok", ({ pool, controlPlane, ok }) => {
    expect(kubeletSkewProblem(pool, controlPlane, "workers") === undefined).toBe(ok);
  });

  it("names the field, both versions and the fix", () => {
    expect(kubeletSkewProblem("1.38.0", "1.37.1", "workers")).toBe("spec.version 1.38.0 of NodePool workers is newer than its control plane (1.37.1): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.37 or older (or remove it to follow the cluster)");
    expect(kubeletSkewProblem("1.33", "1.37.1", "workers")).toMatch(/is 4 minors behind its control plane \(1\.37\.1\): kubelets may be at most 3 minors older; set spec\.version to 1\.34 or newer/);
  });
});
