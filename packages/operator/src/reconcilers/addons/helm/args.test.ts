import { describe, expect, it } from "vitest";
import type { HelmChart } from "../catalog/types.ts";
import { metadataArgs, uninstallArgs, upgradeInstallArgs } from "./args.ts";

const call = { kubeconfig: "/w/call-1/kubeconfig", values: "/w/call-1/values.json", timeoutMs: 300_000 };
const chart: HelmChart = { source: "Helm", repository: "https://helm.cilium.io/", chart: "cilium", version: "1.18.2", release: "cilium", namespace: "kube-system", values: {} };

describe("upgradeInstallArgs", () => {
  it("names a classic repository with --repo and the chart by its name", () => {
    expect(upgradeInstallArgs(chart, call)).toEqual([
      "upgrade",
      "--install",
      "--repo=https://helm.cilium.io/",
      "--version=1.18.2",
      "--namespace=kube-system",
      "--create-namespace",
      "--values=/w/call-1/values.json",
      "--reset-values",
      "--history-max=5",
      "--server-side=true",
      "--force-conflicts",
      "--output=json",
      "--kubeconfig=/w/call-1/kubeconfig",
      "--timeout=300s",
      "--",
      "cilium",
      "cilium",
    ]);
  });

  it("names an OCI chart by its full reference, without --repo", () => {
    const args = upgradeInstallArgs({ ...chart, repository: "oci://quay.io/tigera/charts/", chart: "tigera-operator" }, call);
    expect(args.some((a) => a.startsWith("--repo"))).toBe(false);
    expect(args.slice(-3)).toEqual(["--", "cilium", "oci://quay.io/tigera/charts/tigera-operator"]);
  });

  it("passes the chart's CA bundle with --ca-file, and no --ca-file without one", () => {
    expect(upgradeInstallArgs(chart, { ...call, caFile: "/w/call-1/ca.crt" })).toContain("--ca-file=/w/call-1/ca.crt");
    expect(upgradeInstallArgs(chart, call).some((a) => a.startsWith("--ca-file"))).toBe(false);
  });

  it("never lets a name be read as a flag, nor waits for readiness", () => {
    const args = upgradeInstallArgs({ ...chart, release: "--dry-run", version: "--wait" }, call);
    expect(args.slice(-3)).toEqual(["--", "--dry-run", "cilium"]);
    expect(args).toContain("--version=--wait");
    expect(args.filter((a) => a === "--wait" || a.startsWith("--wait=") || a === "--dry-run")).toEqual(["--dry-run"]);
  });

  it("gives helm a whole second at least", () => {
    expect(upgradeInstallArgs(chart, { ...call, timeoutMs: 1500 })).toContain("--timeout=2s");
    expect(upgradeInstallArgs(chart, { ...call, timeoutMs: 10 })).toContain("--timeout=1s");
  });
});

describe("uninstallArgs and metadataArgs", () => {
  it("uninstall ignores a release that is not there", () => {
    expect(uninstallArgs("cilium", "kube-system", call)).toEqual(["uninstall", "--namespace=kube-system", "--ignore-not-found", "--kubeconfig=/w/call-1/kubeconfig", "--timeout=300s", "--", "cilium"]);
  });

  it("reads the release through get metadata, in JSON", () => {
    expect(metadataArgs("cilium", "kube-system", call)).toEqual(["get", "metadata", "--namespace=kube-system", "--output=json", "--kubeconfig=/w/call-1/kubeconfig", "--", "cilium"]);
  });
});
