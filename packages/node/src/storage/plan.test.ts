import type { V1PersistentVolume, V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { planClaim, planVolume, type ClaimPlan, type VolumePlan } from "./plan.ts";

const ours = "seedbed.dev/local-volume";

function claim(changes: { annotations?: Record<string, string>; spec?: V1PersistentVolumeClaim["spec"]; deleting?: boolean } = {}): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: "data",
      namespace: "ns",
      uid: "1234",
      annotations: changes.annotations,
      ...(changes.deleting ? { deletionTimestamp: new Date(0) } : {}),
    },
    spec: Object.assign({ storageClassName: "seedbed-local", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } }, changes.spec),
  };
}

const handedOver = { "volume.kubernetes.io/storage-provisioner": ours, "volume.kubernetes.io/selected-node": "real-0" };

describe("planClaim", () => {
  const cases: [string, V1PersistentVolumeClaim | undefined, ClaimPlan["action"], string?][] = [
    ["a deleted claim", undefined, "none"],
    ["a claim being deleted", claim({ annotations: handedOver, deleting: true }), "none"],
    ["a claim of another class", claim({ annotations: handedOver, spec: { storageClassName: "other" } }), "none"],
    ["a claim with a volume already", claim({ annotations: handedOver, spec: { volumeName: "pvc-1234" } }), "none"],
    ["a new claim the PV controller has not handed over", claim(), "wait", "PV controller"],
    ["a claim handed to another provisioner", claim({ annotations: { ...handedOver, "volume.kubernetes.io/storage-provisioner": "other.dev/x" } }), "wait"],
    ["a claim handed over but with no node selected", claim({ annotations: { "volume.kubernetes.io/storage-provisioner": ours } }), "wait", "no node selected"],
    ["a claim handed over under the beta annotation only", claim({ annotations: { "volume.beta.kubernetes.io/storage-provisioner": ours, "volume.kubernetes.io/selected-node": "real-0" } }), "provision"],
    ["a claim handed over with a selected node", claim({ annotations: handedOver }), "provision"],
    ["a ReadWriteOncePod claim", claim({ annotations: handedOver, spec: { accessModes: ["ReadWriteOncePod"] } }), "provision"],
    ["a ReadWriteMany claim, before any node is selected", claim({ spec: { accessModes: ["ReadWriteMany"] } }), "reject", "spec.accessModes ReadWriteMany is not supported by seedbed-local"],
    ["a ReadOnlyMany claim", claim({ annotations: handedOver, spec: { accessModes: ["ReadOnlyMany"] } }), "reject", "use ReadWriteOnce"],
    ["a block claim", claim({ annotations: handedOver, spec: { volumeMode: "Block" } }), "reject", "spec.volumeMode Block is not supported by seedbed-local: it provides directories, so use volumeMode Filesystem"],
    ["a claim with a selector", claim({ spec: { selector: { matchLabels: { a: "b" } } } }), "reject", "spec.selector"],
    ["a claim cloning another", claim({ spec: { dataSource: { kind: "PersistentVolumeClaim", name: "other" } } }), "reject", "spec.dataSource"],
  ];
  it.each(cases)("%s: %s", (_name, input, action, text) => {
    const plan = planClaim(input, "seedbed-local");
    expect(plan.action).toBe(action);
    if (text !== undefined) expect(JSON.stringify(plan)).toContain(text);
  });

  it("provisions on the node the scheduler selected", () => {
    expect(planClaim(claim({ annotations: { ...handedOver, "volume.kubernetes.io/selected-node": "real-7" } }), "seedbed-local")).toEqual({ action: "provision", node: "real-7" });
  });

  it("names every unsupported field of a claim at once", () => {
    const plan = planClaim(claim({ spec: { accessModes: ["ReadWriteMany"], volumeMode: "Block" } }), "seedbed-local");
    expect(plan.action === "reject" ? plan.message.split("; ").length : 0).toBe(2);
  });
});

function volume(changes: { phase?: string; policy?: string; deleting?: boolean; provisioner?: string } = {}): V1PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: "pvc-1234",
      annotations: { "pv.kubernetes.io/provisioned-by": changes.provisioner ?? ours },
      ...(changes.deleting ? { deletionTimestamp: new Date(0) } : {}),
    },
    spec: { persistentVolumeReclaimPolicy: changes.policy ?? "Delete", local: { path: "/v/pvc-1234" } },
    status: changes.phase === undefined ? undefined : { phase: changes.phase },
  };
}

describe("planVolume", () => {
  const cases: [string, V1PersistentVolume | undefined, VolumePlan][] = [
    ["a PV that is gone", undefined, { action: "none" }],
    ["a PV of another provisioner", volume({ phase: "Released", provisioner: "other.dev/x" }), { action: "none" }],
    ["a PV just created (no phase yet)", volume(), { action: "ensureDirectory" }],
    ["an Available PV", volume({ phase: "Available" }), { action: "ensureDirectory" }],
    ["a Bound PV", volume({ phase: "Bound" }), { action: "ensureDirectory" }],
    ["a Released PV under Delete", volume({ phase: "Released" }), { action: "reclaim" }],
    ["a Released PV set to Retain by hand", volume({ phase: "Released", policy: "Retain" }), { action: "none" }],
    ["a Failed PV", volume({ phase: "Failed" }), { action: "none" }],
    ["a Bound PV deleted by hand (in use: pv-protection holds it)", volume({ phase: "Bound", deleting: true }), { action: "none" }],
    ["a Released PV being deleted", volume({ phase: "Released", deleting: true }), { action: "finalize", removeDirectory: true }],
    ["an Available PV deleted by hand", volume({ phase: "Available", deleting: true }), { action: "finalize", removeDirectory: true }],
    ["a Retain PV being deleted", volume({ phase: "Released", policy: "Retain", deleting: true }), { action: "finalize", removeDirectory: false }],
  ];
  it.each(cases)("%s", (_name, input, plan) => {
    expect(planVolume(input)).toEqual(plan);
  });
});
