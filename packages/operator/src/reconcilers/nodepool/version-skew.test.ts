import { describe, expect, it } from "vitest";
import { kubeletSkewProblem, poolSkewProblem } from "./version-skew.ts";

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

describe("poolSkewProblem", () => {
  const pool = (version: string | undefined): Parameters<typeof poolSkewProblem>[0] => ({ metadata: { name: "workers" }, spec: { version } as Parameters<typeof poolSkewProblem>[0]["spec"] });
  const cluster = (status: Parameters<typeof poolSkewProblem>[1]["status"]): Parameters<typeof poolSkewProblem>[1] => ({ metadata: { name: "web" }, status });

  it.each([
    { title: "a pool that follows its cluster", version: undefined, status: { version: "1.37.1" }, problem: undefined },
    { title: "a pool one minor behind", version: "1.36", status: { version: "1.37.1" }, problem: undefined },
    { title: "a pool pinned ahead of the version kube-apiserver runs, mid-upgrade", version: "1.37", status: { version: "1.36.3", upgrade: { phase: "Upgrading", from: "1.36.3" } }, problem: /newer than its control plane \(1\.36\.3\)/ },
    { title: "a pool pinned at the version a rollback leaves", version: "1.37", status: { version: "1.37.1", upgrade: { phase: "RollingBack", from: "1.36.3" } }, problem: /^spec\.version 1\.37 of NodePool workers is newer than 1\.36\.3, which Cluster web is rolling back to: .*set spec\.version to 1\.36 or older/ },
    { title: "a pool at the version a rollback goes back to", version: "1.36.3", status: { version: "1.37.1", upgrade: { phase: "RollingBack", from: "1.36.3" } }, problem: undefined },
    { title: "only a rollback under way holds a pool to the version it goes back to", version: "1.37", status: { version: "1.37.1", upgrade: { phase: "RolledBack", from: "1.36.3" } }, problem: undefined },
  ] as const)("$title", ({ version, status, problem }) => {
    const found = poolSkewProblem(pool(version), cluster(status as Parameters<typeof poolSkewProblem>[1]["status"]));
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
