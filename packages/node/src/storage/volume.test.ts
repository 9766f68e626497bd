import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { renderStorageClass } from "./storage-class.ts";
import { buildVolume, volumeDirectory, volumeNameFor } from "./volume.ts";

function claim(spec: V1PersistentVolumeClaim["spec"] = {}): V1PersistentVolumeClaim {
  return { metadata: { name: "data-etcd-0", namespace: "cluster-a", uid: "0f1e-22" }, spec: Object.assign({ storageClassName: "seedbed-local", resources: { requests: { storage: "2Gi" } } }, spec) };
}

describe("buildVolume", () => {
  it("makes a local PV of the claim's size and modes, on the selected node, bound to exactly that claim", () => {
    expect(buildVolume(claim({ accessModes: ["ReadWriteOncePod"] }), "seedbed-local", { baseDir: "/var/lib/seedbed/volumes", nodeHostname: "real-0" })).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pvc-0f1e-22", annotations: { "pv.kubernetes.io/provisioned-by": "seedbed.dev/local-volume" }, finalizers: ["seedbed.dev/local-volume-directory"] },
      spec: {
        capacity: { storage: "2Gi" },
        accessModes: ["ReadWriteOncePod"],
        persistentVolumeReclaimPolicy: "Delete",
        storageClassName: "seedbed-local",
        volumeMode: "Filesystem",
        local: { path: "/var/lib/seedbed/volumes/pvc-0f1e-22" },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["real-0"] }] }] } },
        claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "cluster-a", name: "data-etcd-0", uid: "0f1e-22" },
      },
    });
  });

  it("is the same for the same inputs, so a retry after a crash finds the PV it made", () => {
    const inputs = { baseDir: "/v", nodeHostname: "real-0" };
    expect(JSON.stringify(buildVolume(claim(), "c", inputs))).toBe(JSON.stringify(buildVolume(claim(), "c", inputs)));
    expect(volumeNameFor(claim())).toBe("pvc-0f1e-22");
  });

  const bad: [string, V1PersistentVolumeClaim, string][] = [
    ["no uid", { metadata: { name: "x", namespace: "n" }, spec: { resources: { requests: { storage: "1Gi" } } } }, "has no uid"],
    ["no storage request", claim({ resources: {} }), "spec.resources.requests.storage"],
  ];
  it.each(bad)("refuses a claim with %s", (_name, input, message) => {
    expect(() => buildVolume(input, "c", { baseDir: "/v", nodeHostname: "n" })).toThrow(message);
  });
});

describe("volumeDirectory", () => {
  const cases: [string, string, string | Error][] = [
    ["/v", "pvc-1", "/v/pvc-1"],
    ["/v/", "pvc-1", "/v/pvc-1"],
    ["relative", "pvc-1", `${process.cwd()}/relative/pvc-1`],
    ["/v", "..", new Error("does not name a directory inside /v")],
    ["/v", "a/b", new Error("does not name a directory inside /v")],
    ["/v", "", new Error("does not name a directory inside /v")],
    ["/v", ".", new Error("does not name a directory inside /v")],
  ];
  it.each(cases)("%s + %s → %s", (base, name, want) => {
    if (want instanceof Error) expect(() => volumeDirectory(base, name)).toThrow(want.message);
    else expect(volumeDirectory(base, name)).toBe(want);
  });
});

describe("renderStorageClass", () => {
  it("waits for the first consumer, deletes on release, and is the default when asked", () => {
    expect(renderStorageClass("seedbed-local", true)).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "seedbed-local", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "seedbed.dev/local-volume",
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    expect(renderStorageClass("other", false).metadata).toEqual({ name: "other" });
  });
});
