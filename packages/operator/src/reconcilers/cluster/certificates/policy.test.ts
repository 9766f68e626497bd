import { describe, expect, it } from "vitest";
import { apiVersion, type CertificatePolicy, type Cluster, type ClusterTemplate } from "@seedbed/api";
import { effectiveCertificateTimes } from "./policy.ts";

const cluster = (certificates?: CertificatePolicy): Cluster => ({ apiVersion, kind: "Cluster", metadata: { name: "a", namespace: "project-a" }, spec: { paused: false, ...(certificates === undefined ? {} : { certificates }) } });
const template = (certificates: CertificatePolicy): ClusterTemplate => ({ apiVersion, kind: "ClusterTemplate", metadata: { name: "t", namespace: "project-a" }, spec: { certificates } });

describe("effectiveCertificateTimes", () => {
  it("takes each field from the cluster, then the template, then the platform", () => {
    const times = effectiveCertificateTimes(cluster({ leafValidity: "24h" }), template({ renewBefore: "8h", caRotation: { every: "4380h" } }), { caValidity: "43800h" });
    expect(times).toEqual({ leafValidityMs: 86_400_000, renewBeforeMs: 28_800_000, caValidityMs: 43_800 * 3_600_000, rotateEveryMs: 4380 * 3_600_000, completeAfterMs: 86_400_000 });
  });

  it("uses kubeadm's defaults when nobody sets anything", () => {
    expect(effectiveCertificateTimes(cluster(), undefined)).toMatchObject({ leafValidityMs: 8760 * 3_600_000, renewBeforeMs: 720 * 3_600_000, caValidityMs: 87_600 * 3_600_000 });
  });

  it.each([
    { name: "a template's renewal point past the cluster's leaf life", c: { leafValidity: "1h" }, t: { renewBefore: "2h" }, error: /renewBefore \(7200s\) must be shorter than leafValidity \(3600s\)/ },
    { name: "leaves outliving the template's CA", c: { leafValidity: "100h", renewBefore: "1h" }, t: { caValidity: "50h" }, error: /leafValidity \(360000s\) must be shorter than caValidity \(180000s\)/ },
    { name: "a schedule longer than the CA lives", c: { caRotation: { every: "100000h" } }, t: {}, error: /caRotation.every .* must be shorter than caValidity/ },
  ])("refuses $name, naming the fields", ({ c, t, error }) => {
    expect(() => effectiveCertificateTimes(cluster(c), template(t))).toThrow(error);
  });
});
