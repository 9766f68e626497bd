import { defaultKubernetesVersion, minorOf } from "@seedbed/binaries";
import type { Cluster, ClusterTemplate } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { InvalidSpecError, resolveClusterSpec } from "./resolve.ts";

const cluster = (spec: Partial<Cluster["spec"]>): Cluster => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "c", namespace: "project-p" }, spec: { paused: false, ...spec } });
const template = (spec: Partial<ClusterTemplate["spec"]>): ClusterTemplate => ({ apiVersion: "seedbed.dev/v1alpha1", kind: "ClusterTemplate", metadata: { name: "t", namespace: "project-p" }, spec });
const minor = minorOf(defaultKubernetesVersion);

describe("resolveClusterSpec", () => {
  it("uses the platform defaults when neither the cluster nor a template says", () => {
    expect(resolveClusterSpec(cluster({}), undefined)).toEqual({
      version: defaultKubernetesVersion,
      network: { podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "none" },
      controlPlaneReplicas: 1,
      datastoreType: "Dedicated",
      etcdMembers: 1,
      etcdStorage: "1Gi",
      exposure: { strategy: "OwnPort", serviceType: "NodePort", allowedSourceRanges: [] },
      addons: [],
      sources: { controlPlane: "spec", network: "spec", exposure: "spec", addons: "spec", backup: "spec" },
    });
  });

  it("takes what the cluster leaves out from the template, and the cluster's own values first", () => {
    const t = template({ version: minor, controlPlane: { replicas: 2, datastore: { type: "Dedicated", members: 3, storage: "1Gi" } }, network: { podCIDR: "10.10.0.0/16", serviceCIDR: "10.20.0.0/16", dnsDomain: "t.local", cni: "cilium" } });
    const resolved = resolveClusterSpec(cluster({ network: { podCIDR: "10.30.0.0/16", serviceCIDR: "10.40.0.0/16", dnsDomain: "c.local", cni: "flannel" } }), t);
    expect(resolved.version).toBe(defaultKubernetesVersion);
    expect(resolved.network.cni).toBe("flannel");
    expect(resolved.controlPlaneReplicas).toBe(2);
    expect(resolved.etcdMembers).toBe(3);
    expect(resolved.sources).toEqual({ controlPlane: "template t", network: "spec", exposure: "template t", addons: "template t", backup: "template t" });
  });

  it("lists only enabled add-ons, and the backup schedule", () => {
    const resolved = resolveClusterSpec(cluster({ addons: [{ name: "coredns", enabled: true }, { name: "dashboard", enabled: false }], backup: { schedule: "@daily", retention: 7 } }), undefined);
    expect(resolved.addons).toEqual(["coredns"]);
    expect(resolved.backupSchedule).toBe("@daily");
  });

  it("pins a minor to its patch release", () => {
    expect(resolveClusterSpec(cluster({ version: minor }), undefined).version).toBe(defaultKubernetesVersion);
  });

  it("refuses a template version that is no longer offered, naming where it came from", () => {
    const t = template({ version: "1.20" });
    expect(() => resolveClusterSpec(cluster({ template: "t" }), t)).toThrow(InvalidSpecError);
    expect(() => resolveClusterSpec(cluster({ template: "t" }), t)).toThrow(/Kubernetes 1\.20 \(from template t\) is not offered here; choose one of/);
  });
});
