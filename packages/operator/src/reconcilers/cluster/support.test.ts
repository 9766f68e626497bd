import type { DriverCapabilities } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import type { EffectiveClusterSpec } from "./resolve.ts";
import { etcdMembersToBuild, specSupportedCondition, unsupportedFields, type SupportContext } from "./support.ts";

const local: DriverCapabilities = { maxAPIServerReplicas: 1, maxEtcdMembers: 1, etcdMembershipChanges: false, sharedDatastore: false, datastoreMoves: false, serviceTypes: ["NodePort"], allowedSourceRanges: false, etcdStorageSize: false, backups: true };
const kubernetes: DriverCapabilities = { maxAPIServerReplicas: 5, maxEtcdMembers: 5, etcdMembershipChanges: false, sharedDatastore: false, datastoreMoves: false, serviceTypes: ["NodePort", "LoadBalancer"], allowedSourceRanges: true, etcdStorageSize: true, backups: true };
const onLocal: SupportContext = { seed: "local", driver: "local", capabilities: local, sharedEndpoint: true };
const onSeed: SupportContext = { seed: "eu", driver: "kubernetes", capabilities: kubernetes, sharedEndpoint: true };

const base: EffectiveClusterSpec = {
  version: "1.37.1",
  network: { podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", dnsDomain: "cluster.local", cni: "none" },
  controlPlaneReplicas: 1,
  datastoreType: "Dedicated",
  etcdMembers: 1,
  etcdStorage: "1Gi",
  exposure: { strategy: "OwnPort", serviceType: "NodePort", allowedSourceRanges: [] },
  addons: [],
  sources: { controlPlane: "spec", network: "spec", exposure: "spec", addons: "spec", backup: "spec" },
};
const spec = (change: Partial<EffectiveClusterSpec>): EffectiveClusterSpec => ({ ...base, ...change });

describe("unsupportedFields", () => {
  it.each([
    { title: "the defaults on a local seed", spec: base, context: onLocal, fields: [] },
    { title: "the defaults on a kubernetes seed", spec: base, context: onSeed, fields: [] },
    { title: "three API servers on a local seed", spec: spec({ controlPlaneReplicas: 3 }), context: onLocal, fields: ["spec.controlPlane.replicas"] },
    { title: "three API servers on a kubernetes seed", spec: spec({ controlPlaneReplicas: 3, etcdMembers: 3, etcdStorage: "5Gi" }), context: onSeed, fields: [] },
    { title: "three etcd members on a local seed", spec: spec({ etcdMembers: 3 }), context: onLocal, fields: ["spec.controlPlane.datastore.members"] },
    { title: "a shared datastore anywhere", spec: spec({ datastoreType: "Shared" }), context: onSeed, fields: ["spec.controlPlane.datastore.type"] },
    { title: "a volume size on a local seed", spec: spec({ etcdStorage: "5Gi" }), context: onLocal, fields: ["spec.controlPlane.datastore.storage"] },
    { title: "a LoadBalancer on a local seed", spec: spec({ exposure: { ...base.exposure, serviceType: "LoadBalancer" } }), context: onLocal, fields: ["spec.exposure.serviceType"] },
    { title: "a LoadBalancer with source ranges on a kubernetes seed", spec: spec({ exposure: { strategy: "OwnPort", serviceType: "LoadBalancer", allowedSourceRanges: ["203.0.113.0/24"] } }), context: onSeed, fields: [] },
    { title: "source ranges on a local seed", spec: spec({ exposure: { ...base.exposure, allowedSourceRanges: ["203.0.113.0/24"] } }), context: onLocal, fields: ["spec.exposure.allowedSourceRanges"] },
    { title: "SharedSNI without a shared endpoint", spec: spec({ exposure: { ...base.exposure, strategy: "SharedSNI" } }), context: { ...onLocal, sharedEndpoint: false }, fields: ["spec.exposure.strategy"] },
    { title: "SharedSNI with a shared endpoint", spec: spec({ exposure: { ...base.exposure, strategy: "SharedSNI" } }), context: onLocal, fields: [] },
    { title: "a CNI (installed by the add-on controller)", spec: spec({ network: { ...base.network, cni: "calico" } }), context: onSeed, fields: [] },
    { title: "add-ons and backups on a kubernetes seed", spec: spec({ addons: ["coredns"], backupSchedule: "@daily" }), context: onSeed, fields: [] },
    { title: "backups on a driver that takes none", spec: spec({ backupSchedule: "@daily" }), context: { ...onSeed, capabilities: { ...kubernetes, backups: false } }, fields: ["spec.backup"] },
    { title: "three members on a kubernetes seed whose etcd was built with one", spec: spec({ etcdMembers: 3 }), context: { ...onSeed, builtEtcdMembers: 1 }, fields: ["spec.controlPlane.datastore.members"] },
    { title: "three members on a kubernetes seed whose etcd was built with three", spec: spec({ etcdMembers: 3 }), context: { ...onSeed, builtEtcdMembers: 3 }, fields: [] },
    { title: "a member change on a driver that resizes etcd", spec: spec({ etcdMembers: 3 }), context: { ...onSeed, builtEtcdMembers: 1, capabilities: { ...kubernetes, etcdMembershipChanges: true } }, fields: [] },
    { title: "backups on a local seed", spec: spec({ backupSchedule: "@daily" }), context: onLocal, fields: [] },
  ])("$title → $fields", ({ spec: s, context, fields }) => {
    expect(unsupportedFields(s, context).map((f) => f.field)).toEqual(fields);
  });

  it("names the field, the value, the seed and driver, and what to do", () => {
    const [field] = unsupportedFields(spec({ controlPlaneReplicas: 3 }), onLocal);
    expect(field?.message).toBe("spec.controlPlane.replicas is 3, but seed local (driver local) runs at most 1 kube-apiserver per cluster, so it runs 1; set replicas to 1, or create the cluster on a kubernetes seed for more");
  });

  it("keeps a member count the driver cannot change to, and says how to get back", () => {
    const context = { ...onSeed, builtEtcdMembers: 1 };
    expect(etcdMembersToBuild(spec({ etcdMembers: 3 }), context)).toBe(1);
    expect(etcdMembersToBuild(spec({ etcdMembers: 3 }), { ...context, capabilities: { ...kubernetes, etcdMembershipChanges: true } })).toBe(3);
    expect(unsupportedFields(spec({ etcdMembers: 3 }), context)[0]?.message).toBe("spec.controlPlane.datastore.members is 3, but seed eu (driver kubernetes) does not change a running etcd's membership yet, so it keeps the 1 member(s) it was built with; set members back to 1, or move the cluster to a local seed through a backup and restore");
  });

  it("says which template a field came from", () => {
    const [field] = unsupportedFields(spec({ etcdMembers: 3, sources: { ...base.sources, controlPlane: "template small-ha" } }), onLocal);
    expect(field?.message).toMatch(/^spec\.controlPlane\.datastore\.members \(from template small-ha\) is 3, but seed local \(driver local\)/);
  });
});

describe("specSupportedCondition", () => {
  it("is True with reason Supported when nothing is missing", () => {
    expect(specSupportedCondition([], onSeed)).toEqual({ type: "SpecSupported", status: "True", reason: "Supported", message: "every field of the spec is carried out on seed eu (driver kubernetes)" });
  });

  it("is False with reason NotSupported and every field's message", () => {
    const condition = specSupportedCondition(unsupportedFields(spec({ controlPlaneReplicas: 3, exposure: { ...base.exposure, allowedSourceRanges: ["10.0.0.0/8"] } }), onLocal), onLocal);
    expect(condition.status).toBe("False");
    expect(condition.reason).toBe("NotSupported");
    expect(condition.message).toMatch(/^spec\.controlPlane\.replicas is 3, .*; spec\.exposure\.allowedSourceRanges is set, /);
  });
});
